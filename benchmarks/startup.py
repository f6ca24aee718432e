"""Start-up: `audio-edition --help` against `python -c "import click"`, median of --runs, one run.

    python benchmarks/startup.py [--runs 15]

Engines (onnxruntime, numpy, scipy) are imported lazily, so the command starts about as fast as
click itself.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    click_s, ours_s = [], []
    for _ in range(args.runs):  # interleaved, so load on the machine hits both alike
        click_s.append(timed([sys.executable, "-c", "import click"]))
        ours_s.append(timed([sys.executable, "-m", "audio_edition", "--help"]))
    c, o = statistics.median(click_s), statistics.median(ours_s)
    print(f"python -c 'import click'    {c * 1000:6.0f} ms")
    print(f"audio-edition --help        {o * 1000:6.0f} ms   {o / c:.2f}x  (target <= 2x)")


if __name__ == "__main__":
    main()
