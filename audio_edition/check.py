"""Quality report of a built edition, so a pipeline can gate publishing on it.

Everything is measured on the MP3 as decoded by ffmpeg, and compared with its manifest.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import ffmpeg
from .errors import InputError
from .publish import manifest as manifests
from .settings import Limits
from .sound import loudness

#: A run of this many samples at full scale is clipping, not a loud peak.
CLIP_RUN = 3
CLIP_LEVEL = 32700
#: Silence: 10 ms frames quieter than this, for longer than ``max_silence_s``.
SILENCE_DB = -50.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    path: Path
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {"file": str(self.path), "ok": self.ok, "checks": [c.__dict__ for c in self.checks]}


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of True."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), (ends - starts).tolist()))


def check_loudness(path: Path, limits: Limits) -> Check:
    m = loudness.measure(None, 0, path=str(path))
    ok = abs(m.integrated_lufs - limits.target_lufs) <= limits.lufs_tolerance and (
        m.true_peak_dbtp <= limits.max_true_peak_dbtp
    )
    detail = (
        f"{m.integrated_lufs:.1f} LUFS (target {limits.target_lufs:+.0f} ±{limits.lufs_tolerance:g}), "
        f"true peak {m.true_peak_dbtp:.1f} dBTP (max {limits.max_true_peak_dbtp:g})"
    )
    return Check("loudness", ok, detail, {"integrated_lufs": m.integrated_lufs, "true_peak_dbtp": m.true_peak_dbtp})


def check_clipping(samples: np.ndarray, rate: int) -> Check:
    runs = [(s, n) for s, n in _runs(np.abs(samples.astype(np.int32)) >= CLIP_LEVEL) if n >= CLIP_RUN]
    at = [round(s / rate, 2) for s, _ in runs[:5]]
    detail = "none" if not runs else f"{len(runs)} clipped run(s), first at {', '.join(f'{t:g} s' for t in at)}"
    return Check("clipping", not runs, detail, {"runs": len(runs), "at_s": at})


def check_silences(samples: np.ndarray, rate: int, limits: Limits) -> Check:
    frame = rate // 100
    usable = len(samples) // frame * frame
    rms = np.sqrt(np.mean(samples[:usable].astype(np.float64).reshape(-1, frame) ** 2, axis=1))
    quiet = rms < 32768 * 10 ** (SILENCE_DB / 20)
    long = [(s / 100, n / 100) for s, n in _runs(quiet) if n / 100 > limits.max_silence_s]
    detail = "none" if not long else "; ".join(f"{d:.1f} s at {s:.1f} s" for s, d in long[:5])
    return Check(f"silences over {limits.max_silence_s:g} s", not long, detail, {"silences": long})


def check_chunks(m: manifests.Manifest, limits: Limits) -> Check:
    rates = [((c.end_ms - c.start_ms) / c.chars, c) for c in m.chunks if c.chars >= 12]
    if len(rates) < 3:
        return Check("chunk durations", True, "too few chunks to judge")
    median = statistics.median(r for r, _ in rates)
    odd = [
        (c.id, round(r / median, 2))
        for r, c in rates
        if r < limits.outlier_low * median or r > limits.outlier_high * median
    ]
    detail = (
        f"none (median {median:.0f} ms per character)"
        if not odd
        else ", ".join(f"{cid} at {x}x the median" for cid, x in odd) + " (truncated or garbled synthesis?)"
    )
    return Check("chunk durations", not odd, detail, {"median_ms_per_char": median, "outliers": odd})


def check_manifest(path: Path, m: manifests.Manifest, decoded_ms: float) -> Check:
    data = path.read_bytes()
    problems = []
    if m.audio.bytes != len(data):
        problems.append(f"size {len(data)} != manifest {m.audio.bytes}")
    if m.audio.sha256 != hashlib.sha256(data).hexdigest():
        problems.append("sha256 differs from the manifest")
    if abs(m.audio.duration_ms - decoded_ms) > 100:
        problems.append(f"decoded {decoded_ms:.0f} ms != manifest {m.audio.duration_ms} ms")
    times = [(s.start_ms, s.end_ms) for s in m.sentences]
    if any(a >= b for a, b in times) or any(b > c for (_, b), (c, _) in zip(times, times[1:])):
        problems.append("sentence times are not increasing")
    if times and times[-1][1] > decoded_ms + 100:
        problems.append("sentences end after the audio does")
    problems += _tag_problems(path, m)
    return Check("manifest agrees with the MP3", not problems, "; ".join(problems) or "yes")


def _tag_problems(path: Path, m: manifests.Manifest) -> list[str]:
    """Where the MP3's chapter frames and title disagree with the manifest."""
    from mutagen.id3 import ID3, ID3NoHeaderError

    try:
        tags = ID3(str(path))
        tagged = sorted((c.element_id, c.start_time, c.end_time) for c in tags.getall("CHAP"))
        title = str(tags.get("TIT2", ""))
    except ID3NoHeaderError:
        tagged, title = [], ""
    problems = []
    if tagged != sorted((c.id, c.start_ms, c.end_ms) for c in m.chapters):
        problems.append("CHAP frames differ from the manifest's chapters")
    if title != m.title:
        problems.append(f"title tag {title!r} != manifest {m.title!r}")
    return problems


def word_problems(m: manifests.Manifest) -> list[str]:
    """What is wrong with the words' times: every written word has one, in order, inside its
    sentence (at most the first three problems)."""
    problems = []
    for s in m.sentences:
        if not s.words and s.text.split():
            problems.append(f"{s.id}: no word times")
        elif [w.text for w in s.words] != s.text.split():
            problems.append(f"{s.id}: its words are not the sentence's words")
        elif problem := _order_problem(s):
            problems.append(f"{s.id}: {problem}")
    return problems[:3]


def _order_problem(s: manifests.Sentence) -> str | None:
    times = [(w.start_ms, w.end_ms) for w in s.words]
    if any(a > b for a, b in times):
        return "a word ends before it starts"
    if any(a2 < a1 or b2 < b1 for (a1, b1), (a2, b2) in zip(times, times[1:])):
        return "word times go backwards"
    if times and (times[0][0] < s.start_ms or times[-1][1] > s.end_ms):
        return f"words lie outside the sentence's {s.start_ms}-{s.end_ms} ms"
    return None


def check_words(m: manifests.Manifest) -> Check:
    problems = word_problems(m)
    words = sum(len(s.words) for s in m.sentences)
    estimated = sum(len(s.words) for s in m.sentences if s.timing == "estimated")
    detail = "; ".join(problems) or f"{words} words timed, in order, inside their sentences" + (
        f" ({estimated} estimated)" if estimated else ""
    )
    return Check("word times", not problems, detail, {"words": words, "estimated": estimated})


def check(path: Path, limits: Limits | None = None) -> Report:
    limits = limits or Limits()
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    m = manifests.load(manifests.manifest_path(path))
    rate = 44100
    samples = np.frombuffer(ffmpeg.decode_pcm(path, sample_rate=rate), dtype="<i2")
    decoded_ms = len(samples) / rate * 1000
    return Report(
        path,
        [
            check_loudness(path, limits),
            check_clipping(samples, rate),
            check_silences(samples, rate, limits),
            check_chunks(m, limits),
            check_manifest(path, m, decoded_ms),
            check_words(m),
        ],
    )
