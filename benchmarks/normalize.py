"""What speech normalization costs in a cold build of the reference page: the steps' time against
the whole build's, both measured in this run (issue #28's budget: at most 3 %).

    python benchmarks/normalize.py [--page ../shared/reference/stepping-up.txt] [--runs 3]

The build is cold (a fresh clip cache) with the default engine, Piper; normalization is timed on
the same sentences the build sends, including the CLDR tables' first load.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = """
import json, sys, tempfile
from audio_edition.lint import lint
from audio_edition.settings import BuildSettings
with tempfile.TemporaryDirectory() as cache:
    print(json.dumps([c["text"] for c in lint([sys.argv[1]], BuildSettings(cache_dir=cache)).chunks]))
"""
#: In a fresh process: the import of the steps and CLDR's tables' first load count too.
NORMALIZE = """
import json, sys, time
sentences = json.loads(sys.stdin.read())
start = time.perf_counter()
from audio_edition.text import normalize
for s in sentences:
    normalize.normalize(s)
print(time.perf_counter() - start)
"""


def cold_build(page: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "audio_edition", "build", str(page), "-o", f"{tmp}/e.mp3", "--cache-dir",
             f"{tmp}/cache", "--quiet"],
            check=True,
        )  # fmt: skip
        return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", type=Path, default=Path("../shared/reference/stepping-up.txt"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sentences = subprocess.run(
        [sys.executable, "-c", SENTENCES, str(args.page)], check=True, capture_output=True
    ).stdout
    builds, steps = [], []
    for _ in range(args.runs):
        builds.append(cold_build(args.page))
        out = subprocess.run([sys.executable, "-c", NORMALIZE], input=sentences, check=True, capture_output=True)
        steps.append(float(out.stdout))
    build_s, steps_s = statistics.median(builds), statistics.median(steps)
    print(f"cold build {build_s:.2f} s, normalization {steps_s * 1000:.1f} ms: {steps_s / build_s:.2%} of the build")


if __name__ == "__main__":
    main()
