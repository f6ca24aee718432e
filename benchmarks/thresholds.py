"""Fit the classifier's thresholds out of fold, on the flat-text pages of the development corpora.

    python benchmarks/thresholds.py ../shared/extraction-dev2 ../shared/extraction-dev [--jobs 2]
        [--grid '{"stopwords_high": [0.26, 0.28, 0.36]}']

For each candidate value of each threshold (``[classifier]`` in ``data/boilerplate.toml``, one at a
time, the others as shipped) every flat-text page of every CORPUS is read as ``lint`` reads it (the
same prediction as ``benchmarks/extraction.py``'s) and scored by the corpus's ``evaluate.py``. Then,
for each fold of the first corpus (a page's fold is its key's SHA-1 mod 5, as score.py's), the value
that scores best on the other four folds is chosen, and the held-out fold is scored with it. Reported
per threshold: the value chosen for each fold, the mean of the held-out scores against the shipped
value's, and each other corpus's score with every candidate. A threshold is worth changing only when
the held-out mean rises and the folds agree on the value.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction import fold_of, ours, scorer  # noqa: E402 - the benchmark beside this one

FOLDS = 5
#: What is tried, each value alone: near the shipped value, on both sides.
GRID: dict[str, list[float]] = {
    "first_stretch": [0.2, 0.4],
    "second_stretch": [0.35, 0.65],
    "continued_stretch": [0.1, 0.3],
    "wall_gap": [4, 8],
    "run_gap": [0, 10, 12, 20],
    "isolated_weight": [0.15, 0.5],
    "chrome_cost": [15, 35],
    "chrome_cap": [25, 60],
    "headline_run": [4, 6],
    "menu_run": [4],
    "length_low": [60, 80],
    "stopwords_high": [0.24, 0.26, 0.28, 0.30, 0.36],
}


def _with(overrides: dict[str, float]) -> None:
    """This worker's thresholds: the shipped ones with ``overrides``."""
    from audio_edition.text import prose

    logging.getLogger("audio_edition").setLevel(logging.ERROR)  # a page in another language warns
    chosen = dataclasses.replace(prose.thresholds(), **overrides)
    prose.thresholds = lambda: chosen  # type: ignore[assignment]


def _page(path: Path) -> str:
    return ours(path, "text")


def read_pages(corpus: Path, jobs: int, initializer: Callable[..., None], initargs: tuple = ()) -> dict[str, str]:
    """What lint would speak of each flat-text page of ``corpus``, in workers set up by ``initializer``."""
    truth = json.loads((corpus / "ground-truth.json").read_text("utf-8"))
    keys = sorted(truth)
    with ProcessPoolExecutor(jobs, initializer=initializer, initargs=initargs) as pool:
        said = pool.map(_page, [corpus / "text" / f"{k}.txt" for k in keys], chunksize=4)
        return dict(zip(keys, said, strict=True))


def predictions(corpus: Path, overrides: dict[str, float], jobs: int) -> dict[str, str]:
    return read_pages(corpus, jobs, _with, (overrides,))


def f1_by_fold(corpus: Path, said: dict[str, str]) -> list[float]:
    """F1 on each fold, then on the whole corpus (the last item)."""
    ev, truth = scorer(corpus), json.loads((corpus / "ground-truth.json").read_text("utf-8"))
    rows: list[list] = [[] for _ in range(FOLDS)]
    for key, text in said.items():
        rows[fold_of(key, FOLDS)].append(ev.string_shingle_matching(true=truth[key]["articleBody"], pred=text))
    return [ev.metrics_from_tp_fp_fns(r)["f1"] for r in rows] + [
        ev.metrics_from_tp_fp_fns([x for r in rows for x in r])["f1"]
    ]


def held_out(scores: dict[float | None, list[float]]) -> tuple[list, float]:
    """For each fold, the value best on the other folds, and the mean held-out F1 with those."""
    chosen, kept = [], []
    for f in range(FOLDS):
        best = max(scores, key=lambda v: sum(s for g, s in enumerate(scores[v][:FOLDS]) if g != f))
        chosen.append(best)
        kept.append(scores[best][f])
    return chosen, sum(kept) / FOLDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--grid", type=json.loads, default=GRID, help="JSON: {threshold: [values]}")
    args = parser.parse_args(argv)
    shipped = {c: f1_by_fold(c, predictions(c, {}, args.jobs)) for c in args.corpora}
    first = args.corpora[0]
    print(f"shipped: {first.name} folds {' '.join(f'{s:.3f}' for s in shipped[first][:FOLDS])}"
          f" mean {sum(shipped[first][:FOLDS]) / FOLDS:.4f}; "
          + "; ".join(f"{c.name} {shipped[c][-1]:.4f}" for c in args.corpora[1:]), flush=True)  # fmt: skip
    for name, values in args.grid.items():
        scores: dict[float | None, list[float]] = {None: shipped[first]}
        others = []
        for value in values:
            scores[value] = f1_by_fold(first, predictions(first, {name: value}, args.jobs))
            others += [f"{c.name} {value}: {f1_by_fold(c, predictions(c, {name: value}, args.jobs))[-1]:.4f}"
                       for c in args.corpora[1:]]  # fmt: skip
        chosen, mean = held_out(scores)
        print(f"{name}: chosen per fold {['shipped' if v is None else v for v in chosen]}, held-out mean "
              f"{mean:.4f} (shipped {sum(shipped[first][:FOLDS]) / FOLDS:.4f}); {'; '.join(others)}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
