"""How well audio-edition finds the story on real pages: what `lint --json` would speak, scored
against the article text that people marked.

    python benchmarks/extraction.py ../shared/extraction-dev [--worst 10] [--json out.json]

CORPUS_DIR holds ``ground-truth.json`` (``{KEY: {"articleBody": ...}}``), ``html/KEY.html.gz``
(or ``.html``) and ``text/KEY.txt`` (the same pages as flat-text scrapes). The score is the
public article-extraction benchmark's: word 4-shingle precision, recall and F1, averaged per page
(``evaluate.py`` beside the corpus, if there, else the same formula here). The headline is not
part of the marked body, so the spoken title is left out; everything else that would be spoken
counts. Each page is read with a fresh template memory (no page learns from another).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

_TOKEN = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def score(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over 4-shingles, normalized so that each page weighs the same."""
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)


def metrics(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    p = statistics.mean(_precision(*r) for r in rows if r[0] + r[1] > 0)
    r = statistics.mean(_recall(*x) for x in rows if x[0] + x[2] > 0)
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


def spoken(path: Path, fmt: str) -> tuple[str, str | None, str | None]:
    """(body as lint would speak it, headline, error)."""
    from audio_edition.errors import AudioEditionError
    from audio_edition.lint import lint
    from audio_edition.settings import BuildSettings, TextOptions

    with tempfile.TemporaryDirectory() as cache:
        settings = BuildSettings(text=TextOptions(format=fmt), cache_dir=cache)
        try:
            report = lint([str(path)], settings)
        except AudioEditionError as exc:
            return "", None, str(exc)
    body = "\n\n".join(b["text"] for b in report.blocks if b["kept"])
    return body, report.title, None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="folder with ground-truth.json, html/ and text/")
    ap.add_argument(
        "--worst", type=int, default=8, help="list this many worst pages per input kind (their keys and headlines)"
    )
    ap.add_argument("--json", type=Path, help="also write the per-page scores here")
    ap.add_argument("--kind", choices=["html", "text", "both"], default="both")
    args = ap.parse_args(argv)

    truth = json.loads((args.corpus / "ground-truth.json").read_text("utf-8"))
    kinds = ["html", "text"] if args.kind == "both" else [args.kind]
    report: dict[str, dict] = {}
    for kind in kinds:
        rows, pages, errors, titles = [], [], [], []
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            for key in sorted(truth):
                if kind == "html":
                    src = args.corpus / "html" / f"{key}.html.gz"
                    path = Path(tmp) / f"{key}.html"
                    path.write_bytes(gzip.decompress(src.read_bytes()) if src.exists() else b"")
                    if not src.exists():
                        path = args.corpus / "html" / f"{key}.html"
                else:
                    path = args.corpus / "text" / f"{key}.txt"
                body, title, error = spoken(path, kind)
                if error:
                    errors.append((key, error))
                # the spoken title is not part of the marked body; a heading repeating it would be
                if title:
                    body = "\n\n".join(p for p in body.split("\n\n") if p.strip() != title.strip())
                row = score(truth[key].get("articleBody", ""), body)
                rows.append(row)
                pages.append({"key": key, "precision": _precision(*row), "recall": _recall(*row), "title": title})
                titles.append(title)
        m = metrics(rows)
        m["seconds_per_page"] = (time.perf_counter() - started) / len(rows)
        report[kind] = {"metrics": m, "pages": pages, "errors": errors}
        print(
            f"{kind:5} F1 {m['f1']:.3f}  precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
            f"({len(rows)} pages, {len(errors)} errors, {m['seconds_per_page'] * 1000:.0f} ms/page)"
        )
        for key, error in errors:
            print(f"      error {key[:12]}: {error}")
        no_title = sum(1 for t in titles if not t)
        print(f"      headlines: {len(titles) - no_title} found, {no_title} pages named by their opening words")
        worst = sorted(pages, key=lambda p: min(p["precision"], p["recall"]))[: args.worst]
        for p in worst:
            print(f"      worst {p['key'][:12]}  P {p['precision']:.2f}  R {p['recall']:.2f}  {p['title'] or ''}"[:110])
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
