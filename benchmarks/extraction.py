"""Finding the story on real pages: what `lint --json` would speak, against plain trafilatura and
readability-lxml on the same pages in the same run, scored against the text people marked.

    pip install '.[bench]'     # readability-lxml: for this benchmark only
    python benchmarks/extraction.py ../shared/extraction-dev ../shared/extraction-dev2 [--folds 5]

Each CORPUS holds ``ground-truth.json`` (``{KEY: {"articleBody": ..., "lang": ...}}``), ``html/KEY.html.gz``
and ``text/KEY.txt`` (the same page as a flat-text scrape), and ``evaluate.py``, the public article-extraction
benchmark's scorer (word 4-shingles, averaged per page), which this uses as it is. Our prediction is what lint
would speak minus the headline (the marked body omits it); each page is read with a fresh template memory.

Reported per corpus and input (HTML, flat text):
- F1, precision and recall of audio-edition, plain ``trafilatura.extract`` and readability-lxml's summary
  (HTML only: the two read markup), and milliseconds per page for each;
- per language (with ``lang`` in the ground truth), Chinese, Japanese and Thai also by character;
- with ``--folds K``, ours on each fixed fold (a page's fold is its key's SHA-1 mod K, as score.py's). Nothing
  is fitted to the corpora, so every figure is out of fold; the folds show the spread.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import gzip
import hashlib
import importlib.util
import json
import logging
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CJK = ("zh", "ja", "th")
_C = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\uac00-\ud7af"
CHAR_TOKENS = re.compile(f"[{_C}]|[^\\W{_C}]+")


def scorer(corpus: Path):
    """The corpus's own evaluate.py."""
    spec = importlib.util.spec_from_file_location(f"evaluate_{corpus.name}", corpus / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ours(path: Path, kind: str) -> str:
    """What lint would speak of the page, minus its headline (read first, before a blank line)."""
    from audio_edition.environment import Environment
    from audio_edition.errors import AudioEditionError
    from audio_edition.lint import lint
    from audio_edition.settings import BuildSettings, TextOptions

    with tempfile.TemporaryDirectory() as folder:
        env = dataclasses.replace(Environment.from_process(), cache_dir=Path(folder))
        settings = BuildSettings(text=TextOptions(format=kind), cache_dir=Path(folder))
        try:
            text = lint([str(path)], settings, env=env).text
        except AudioEditionError:
            return ""
    return text.split("\n\n", 1)[1] if "\n\n" in text else ""


def trafilatura_text(path: Path, kind: str) -> str:
    import trafilatura

    return trafilatura.extract(path.read_bytes()) or ""


def readability_text(path: Path, kind: str) -> str:
    import lxml.html
    from readability import Document

    summary = Document(path.read_bytes()).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


METHODS: dict[str, Callable[[Path, str], str]] = {
    "audio-edition": ours,
    "trafilatura": trafilatura_text,
    "readability-lxml": readability_text,
}


def fold_of(key: str, k: int) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % k


def run(corpus: Path, kind: str, method: str, keys: list[str], work: Path) -> tuple[dict[str, str], list[float]]:
    """Every page's prediction, and the milliseconds each took."""
    predictions, took = {}, []
    for key in keys:
        if kind == "html":
            path = work / f"{key}.html"
            if not path.exists():
                path.write_bytes(gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()))
        else:
            path = corpus / "text" / f"{key}.txt"
        started = time.perf_counter()
        try:
            predictions[key] = METHODS[method](path, kind)
        except Exception:  # noqa: BLE001 - a page an extractor cannot read scores as an empty answer
            predictions[key] = ""
        took.append((time.perf_counter() - started) * 1000)
    return predictions, took


def scored(ev, truth: dict, predictions: dict[str, str], keys: list[str], by_char: bool = False) -> str:
    if by_char:
        words, ev._tokenize = ev._tokenize, lambda text: CHAR_TOKENS.findall(text or "")
    try:
        m = ev.evaluate({k: truth[k] for k in keys}, {k: {"articleBody": predictions[k]} for k in keys}, 0)
    except statistics.StatisticsError:
        return "F1 0.000  P 0.000  R 0.000"
    finally:
        if by_char:
            ev._tokenize = words
    return f"F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}"


def report(corpus: Path, kind: str, folds: int, limit: int) -> None:
    ev = scorer(corpus)
    truth = json.loads((corpus / "ground-truth.json").read_text("utf-8"))
    keys = sorted(truth)[: limit or None]
    methods = list(METHODS) if kind == "html" else ["audio-edition"]
    print(f"\n{corpus.name}, {'HTML' if kind == 'html' else 'flat text'}, {len(keys)} pages")
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for method in methods:
            results[method] = run(corpus, kind, method, keys, Path(work))
    for method, (predictions, took) in results.items():
        print(f"  {method:18} {scored(ev, truth, predictions, keys)}   {statistics.median(took):6.0f} ms/page "
              f"(mean {statistics.mean(took):.0f})")  # fmt: skip
    languages = collections.defaultdict(list)
    for key in keys:
        languages[truth[key].get("lang", "?")].append(key)
    if len(languages) > 1:
        print("  by language (pages):")
        for lang, sub in sorted(languages.items(), key=lambda x: (-len(x[1]), x[0])):
            if len(sub) >= 3:
                cells = "  |  ".join(f"{m} {scored(ev, truth, results[m][0], sub)[3:8]}" for m in methods)
                print(f"    {lang:4} n={len(sub):3}  F1: {cells}")
        cjk = [k for k in keys if truth[k].get("lang") in CJK]
        if cjk:
            cells = "  |  ".join(f"{m} {scored(ev, truth, results[m][0], cjk, by_char=True)[3:8]}" for m in methods)
            print(f"    zh/ja/th by character n={len(cjk)}  F1: {cells}")
    if folds >= 2:
        parts = [[k for k in keys if fold_of(k, folds) == i] for i in range(folds)]
        spread = [scored(ev, truth, results["audio-edition"][0], part)[:8] for part in parts if part]
        print(f"  audio-edition by fold (key SHA-1 mod {folds}): " + "; ".join(spread))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", type=Path, nargs="+", help="folders with ground-truth.json, html/, text/, evaluate.py")
    ap.add_argument("--folds", type=int, default=5, help="fixed folds to show ours on (0: none)")
    ap.add_argument("--kind", choices=["html", "text", "both"], default="both")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages of each corpus (by key)")
    args = ap.parse_args(argv)
    logging.getLogger("audio_edition").setLevel(logging.ERROR)  # a page in another language warns
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("readability").setLevel(logging.CRITICAL)
    for corpus in args.corpora:
        for kind in ("html", "text") if args.kind == "both" else (args.kind,):
            report(corpus, kind, args.folds, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
