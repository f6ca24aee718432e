"""A 60-minute edition from 720 cached clips: stitch, loudness and encode, against a plain ffmpeg
concat + encode of the same WAVs, with the peak memory of each, in one run.

    python benchmarks/stitch.py [--clips 720] [--seconds 5] [--runs 3]

Both sides start from the same WAV files (the clip cache's format) and write a 64 kbps mono 44.1 kHz
MP3. audio-edition also trims every clip, lays the pauses, measures and normalizes the loudness, and
checks the encoded file, encoding paragraph by paragraph on every core as a build does (with no
cache, so every stretch is encoded); plain ffmpeg only concatenates and encodes.
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
from pathlib import Path

import numpy as np

RATE = 22050

OURS = r"""
import os, sys, time, wave
from pathlib import Path
from audio_edition.sound.audio import assemble
from audio_edition.text.chunks import Chunk
from audio_edition.voice.clips import ClipResult
from audio_edition.sound.encode import encode_mp3, frame_grid
from audio_edition.voice.engines import Clip
from audio_edition.settings import Encoding, Loudness, Pauses

folder, out = Path(sys.argv[1]), Path(sys.argv[2])
results = []
for i, path in enumerate(sorted(folder.glob("*.wav"))):
    with wave.open(str(path)) as w:
        clip = Clip(w.readframes(w.getnframes()), w.getframerate())
    p = f"p{i // 4}"
    results.append(ClipResult(Chunk(f"{p}.s{i}.c1", p, f"{p}.s{i}", f"ch{i // 120}", "x"), clip, "piper", True))
audio = assemble(results, Pauses(), grid=frame_grid(Encoding()))
del results
encode_mp3(audio.pcm, audio.sample_rate, out, Encoding(), Loudness(), cuts=audio.cuts, jobs=os.cpu_count())
"""


def speechlike(seconds: float, seed: int) -> bytes:
    """Syllable-rate modulated voiced buzz with pauses at both ends: speech's crest and spectrum."""
    rng = np.random.default_rng(seed)
    n = int(RATE * seconds)
    t = np.arange(n) / RATE
    f0 = 110 + 30 * np.sin(2 * np.pi * 0.7 * t + seed)
    voice = np.sign(np.sin(2 * np.pi * np.cumsum(f0) / RATE)) * 0.2 + rng.normal(0, 0.05, n)
    envelope = np.clip(np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)), 0, 1) ** 2
    x = voice * envelope
    x[: RATE // 20] = 0
    x[-RATE // 20 :] = 0
    return (x / np.abs(x).max() * 30000).astype("<i2").tobytes()


def peak_rss_mb(cmd: list[str]) -> tuple[float, float]:
    """Wall time and the child's peak resident memory (ru_maxrss of the largest child)."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return time.perf_counter() - start, max(after, before) / 1024


def main() -> None:
    import wave

    from audio_edition.ffmpeg import ffmpeg_exe

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=720)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ae-stitch-"))
    try:
        clips = work / "clips"
        clips.mkdir()
        for i in range(args.clips):
            with wave.open(str(clips / f"{i:05d}.wav"), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(RATE)
                w.writeframes(speechlike(args.seconds, i))
        listing = work / "list.txt"
        listing.write_text("".join(f"file '{p}'\n" for p in sorted(clips.glob("*.wav"))))
        plain = [ffmpeg_exe(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                 "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k", str(work / "plain.mp3")]  # fmt: skip
        # RUSAGE_CHILDREN keeps the largest child seen so far, so ours runs first; its peak is
        # the same in every run.
        ours, plain_runs, peak = [], [], 0.0
        for run in range(args.runs):
            ours_s, ours_mb = peak_rss_mb([sys.executable, "-c", OURS, str(clips), str(work / "ours.mp3")])
            if run == 0:
                peak = ours_mb
            plain_s, _ = peak_rss_mb(plain)
            ours.append(ours_s)
            plain_runs.append(plain_s)
            print(f"run {run + 1}: plain {plain_s:.1f} s, audio-edition {ours_s:.1f} s", file=sys.stderr)
        ratios = [o / p for o, p in zip(ours, plain_runs, strict=True)]
        minutes = args.clips * args.seconds / 60
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"edition: {args.clips} cached clips, {minutes:.0f} minutes of audio; runs: {args.runs} (medians)")
        print(f"plain ffmpeg concat+encode   {statistics.median(plain_runs):6.1f} s")
        print(
            f"audio-edition stitch+loudness+encode {statistics.median(ours):6.1f} s   "
            f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})  (target <= 1.5x)"
        )
        print(f"audio-edition peak RSS       {peak:6.0f} MB          (target <= 500 MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
