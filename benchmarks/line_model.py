"""A learned line classifier against the hand-set one, out of fold, on the flat-text development pages.

    python benchmarks/line_model.py ../shared/extraction-dev2 ../shared/extraction-dev [--jobs 2]

The classifier (``audio_edition/text/prose.py``) first calls each line long enough to judge prose,
near-prose or chrome by hand-set thresholds on its stopword share, its length and how it ends
(``_by_stopwords``). This fits a logistic regression over those and ten more features a line shows
(its CJK share, its sentences, capitals, figures, commas, addresses ...) to the marked articles,
and puts it in that place: alone (prose from a probability ``hi``, near-prose from ``lo``), or
combined with the hand-set call (the higher of the two). Everything after it (smoothing, the
densest stretch, the headline) is as shipped.

For each fold of the first CORPUS (a page's fold is its key's SHA-1 mod 5, as score.py's) the model
is fitted on the other folds' lines and every other corpus's; the way of using it (alone or
combined, and its cut-offs) is the one that scores best on those other folds; then the held-out
fold is scored. Reported: each candidate's F1 by fold, the held-out mean against the hand-set
one's. The model is worth shipping only if the held-out mean rises and the folds agree.
Measured 2026-12-06: it does not (docs/finding-the-story.md, "Tried and dropped").
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction import fold_of, ours  # noqa: E402 - the benchmarks beside this one
from thresholds import FOLDS, f1_by_fold, held_out, read_pages  # noqa: E402

#: How the model is used: (alone or with the hand-set call, prose from, near-prose from).
WAYS = [("alone", 0.4, 0.2), ("alone", 0.5, 0.3), ("alone", 0.6, 0.4), ("higher", 0.6, 0.4), ("higher", 0.8, 0.6)]
_ADDRESS = re.compile(r"https?://|www\.|@\w|\|")
_ENDS = re.compile(r"[.!?。！？](\s|$)")


def features(text: str, density: float) -> list[float]:
    """What a line shows: its length, stopword share (alone and by script), sentences and shape."""
    from audio_edition.text import prose

    words = [w for w in prose._WORD.findall(text) if not w.isdigit()]
    n = max(1, len(words))
    size = prose.length(text)
    cjk = len(prose._CJK.findall(text)) / max(1, len(prose._WORD.findall(text)))
    letters = [c for c in text if c.isalpha()]
    return [
        math.log(max(size, 1)),
        density,
        density * (1 - cjk),
        density * cjk,
        float(prose.ends_sentence(text)),
        math.log1p(len(_ENDS.findall(text))),
        cjk,
        sum(c.isupper() for c in letters) / max(1, len(letters)),
        sum(c.isdigit() for c in text) / max(1, len(text)),
        len(re.findall(r"[,，、;]", text)) / n,
        float(size > prose.thresholds().length_high),
        float(text.rstrip().endswith(("...", "…"))),
        float(bool(_ADDRESS.search(text))),
        math.log(sum(len(w) for w in words) / n + 1),
    ]


def _quiet() -> None:
    logging.getLogger("audio_edition").setLevel(logging.ERROR)  # a page in another language warns


def _lines_of(path: Path) -> list[tuple[str, float]]:
    """The lines the classifier judges on the page (not a rule's, long enough), with stopword shares."""
    from audio_edition.text import prose

    seen: list = []
    judge = prose.judge

    def recording(lines, stops=None, t=None, **kw):  # the last call is the story's own
        seen.append((lines, stops))
        return judge(lines, stops, t, **kw)

    prose.judge = recording  # type: ignore[assignment]
    try:
        ours(path, "text")
    finally:
        prose.judge = judge  # type: ignore[assignment]
    if not seen or seen[-1][1] is None:
        return []
    lines, stops = seen[-1]
    out = []
    for x in lines:
        words = [w.lower() for w in prose._WORD.findall(x.text) if not w.isdigit()]
        if x.chrome or not words or prose.length(x.text) < prose.thresholds().length_low:
            continue
        out.append((x.text, sum(w in stops for w in words) / len(words)))
    return out


def rows(corpus: Path, jobs: int) -> list[tuple[str, list[float], int, int]]:
    """(page, features, 1 if the line is in the marked article, its length) for every judged line."""
    truth = json.loads((corpus / "ground-truth.json").read_text("utf-8"))
    keys = sorted(truth)
    with ProcessPoolExecutor(jobs, initializer=_quiet) as pool:
        pages = pool.map(_lines_of, [corpus / "text" / f"{k}.txt" for k in keys], chunksize=4)
        out = []
        for key, lines in zip(keys, pages, strict=True):
            marked = re.sub(r"\W+", "", truth[key]["articleBody"])
            for text, density in lines:
                inside = re.sub(r"\W+", "", text)[:60] in marked
                out.append((key, features(text, density), int(inside), len(text)))
        return out


def fit(data: list, l2: float = 1.0) -> dict:
    """Logistic regression by Newton's method, lines weighted by their length, features standardized."""
    x = np.array([r[1] for r in data])
    y = np.array([r[2] for r in data], float)
    w = np.array([r[3] for r in data], float) / 1000
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    ridge = l2 * np.diag(np.r_[np.ones(len(beta) - 1), 0])
    for _ in range(30):
        p = 1 / (1 + np.exp(-z @ beta))
        beta -= np.linalg.solve((z * (w * p * (1 - p))[:, None]).T @ z + ridge, z.T @ (w * (p - y)) + ridge @ beta)
    return {"mu": mu.tolist(), "sd": sd.tolist(), "beta": beta.tolist()}


def _use(model: dict, way: tuple[str, float, float]) -> None:
    """This worker's classifier: the model, used ``way``, in the hand-set call's place."""
    from audio_edition.text import prose

    _quiet()
    hand = prose._by_stopwords
    order = [prose.BAD, prose.NEARGOOD, prose.GOOD]
    how, hi, lo = way

    def learned(text: str, size: int, density: float, t) -> str:
        x = features(text, density)
        z = sum(b * (v - m) / s for b, v, m, s in zip(model["beta"], x, model["mu"], model["sd"])) + model["beta"][-1]
        p = 1 / (1 + math.exp(-z))
        said = prose.GOOD if p >= hi else prose.NEARGOOD if p >= lo else prose.BAD
        return max(said, hand(text, size, density, t), key=order.index) if how == "higher" else said

    prose._by_stopwords = learned  # type: ignore[assignment]


def predictions(corpus: Path, model: dict | None, way: tuple, jobs: int) -> dict[str, str]:
    return read_pages(corpus, jobs, _use, (model, way)) if model else read_pages(corpus, jobs, _quiet)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    first, others = args.corpora[0], args.corpora[1:]
    lines = rows(first, args.jobs)
    extra = [r for c in others for r in rows(c, args.jobs)]
    hand = f1_by_fold(first, predictions(first, None, (), args.jobs))
    print(f"hand-set: folds {' '.join(f'{s:.3f}' for s in hand[:FOLDS])} mean {sum(hand[:FOLDS]) / FOLDS:.4f}")
    kept = []
    for f in range(FOLDS):
        model = fit([r for r in lines if fold_of(r[0], FOLDS) != f] + extra)
        scores = {way: f1_by_fold(first, predictions(first, model, way, args.jobs)) for way in WAYS}
        for way, s in scores.items():
            print(f"fold {f} model, {way}: folds {' '.join(f'{x:.3f}' for x in s[:FOLDS])}", flush=True)
        chosen, _ = held_out(scores)
        kept.append(scores[chosen[f]][f])
        print(f"fold {f}: chose {chosen[f]} on the other folds, held out {kept[-1]:.3f} (hand-set {hand[f]:.3f})")
    print(f"held-out mean {sum(kept) / FOLDS:.4f}, hand-set {sum(hand[:FOLDS]) / FOLDS:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
