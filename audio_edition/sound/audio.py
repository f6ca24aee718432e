"""Stage 6, audio: trim each clip, lay the pauses, join all frames once, and time every chunk."""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from .. import ffmpeg
from ..settings import Pauses
from ..text.chunks import Chunk
from ..voice import timing
from ..voice.clips import ClipResult
from ..voice.engines import Clip

#: Samples quieter than this (dBFS) at a clip's ends count as silence and are trimmed.
TRIM_THRESHOLD_DB = -50.0
#: What is kept of the silence at each end, so consonants are not clipped.
TRIM_KEEP_MS = 15


@dataclass(frozen=True)
class Span:
    start_ms: int
    end_ms: int
    #: When each spoken word of the chunk is said (voice/timing.py), on the edition's timeline.
    words: tuple[tuple[int, int], ...] = ()
    #: Whether ``words`` are estimated from the clip (the engine gave no durations).
    estimated: bool = False


@dataclass(frozen=True)
class Assembled:
    """The edition's PCM (mono s16le) and the time span of every chunk within it."""

    pcm: bytes
    sample_rate: int
    spans: dict[str, Span]
    #: Sample positions, in pauses between paragraphs, where the encoder may cut the edition into
    #: stretches it encodes on their own (see encode.py); each is a multiple of ``grid``.
    cuts: tuple[int, ...] = ()
    grid: int = 1

    @property
    def duration_ms(self) -> int:
        return round(len(self.pcm) / 2 / self.sample_rate * 1000)


def trim(samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """Cut leading and trailing silence so that the pauses are exactly what was configured; the
    samples kept, and how many were cut before them."""
    threshold = 32767 * 10 ** (TRIM_THRESHOLD_DB / 20)
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return samples[:0], 0
    keep = int(sample_rate * TRIM_KEEP_MS / 1000)
    head = max(0, loud[0] - keep)
    return samples[head : loud[-1] + 1 + keep], int(head)


def word_span(result: ClipResult, start: int, end: int, head_ms: float) -> Span:
    """The chunk's span from ``start`` to ``end`` (ms), with its words' times on that timeline:
    the engine's, moved by what trimming cut, or estimated over the span."""
    words = timing.spoken_words(result.chunk.speech)
    own = result.clip.words
    if own is None or len(own) != len(words):
        return Span(start, end, timing.estimate(words, start, end), estimated=True)

    def place(ms: float) -> int:
        return min(end, max(start, round(start + ms - head_ms)))

    return Span(start, end, tuple((place(a), place(b)) for a, b in own))


def resample(clip: Clip, rate: int) -> Clip:
    """Bring a clip to ``rate``, for editions that mix engines (gTTS speaks at 24 kHz, Piper 22.05)."""
    if clip.sample_rate == rate:
        return clip
    # ffmpeg's resampler filters what the new rate cannot hold; pydub's (audioop.ratecv) only
    # interpolates, and folds it back as aliasing. (SciPy's resample_poly would do too, but
    # importing scipy.signal costs about a second.)
    args = ["-f", "s16le", "-ar", str(clip.sample_rate), "-ac", "1", "-i", "pipe:0"]
    args += ["-af", f"aresample={rate}:filter_size=64:cutoff=0.9", "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]
    return Clip(ffmpeg.run(args, input=clip.pcm, what="resampling").stdout, rate)


def _rms(pcm: bytes) -> float:
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    loud = x[np.abs(x) > 32767 * 10 ** (TRIM_THRESHOLD_DB / 20)]
    return float(np.sqrt(np.mean(loud**2))) if loud.size else 0.0


def _engine_levels(results: Sequence[ClipResult], sample_rate: int) -> dict[str, float]:
    """Gains that bring a minority engine's clips (a fallback) to the level of the main engine's,
    so a mixed edition does not jump in loudness between sentences."""
    if len({r.engine for r in results}) < 2:
        return {}  # one engine: nothing to match, and no clip to measure
    by_engine: dict[str, list[float]] = {}
    for r in results:
        by_engine.setdefault(r.engine, []).append(_rms(r.clip.pcm))
    main = max(by_engine, key=lambda e: len(by_engine[e]))
    reference = float(np.median(by_engine[main]))
    return {
        engine: reference / float(np.median(levels))
        for engine, levels in by_engine.items()
        if engine != main and np.median(levels) > 0
    }


@dataclass(frozen=True)
class Inserts:
    """Audio placed around the speech: a jingle at both ends, a sound between stories."""

    start: Clip | None = None
    end: Clip | None = None
    between_stories: Clip | None = None


def load_insert(path, sample_rate: int, fade_ms: int = 0) -> Clip:
    """Decode any audio file with ffmpeg, mono at ``sample_rate``; fade both ends with pydub."""
    pcm = ffmpeg.decode_pcm(path, sample_rate=sample_rate)
    if fade_ms:
        segment = ffmpeg.pydub().AudioSegment(data=pcm, sample_width=2, frame_rate=sample_rate, channels=1)
        pcm = segment.fade_in(fade_ms).fade_out(fade_ms).raw_data
    return Clip(pcm, sample_rate)


def pause_between(a: Chunk, b: Chunk, pauses: Pauses) -> int:
    """The pause policy, in ms: the larger the unit that ends, the longer the pause."""
    if "transition" in (a.kind, b.kind):
        return pauses.paragraph_ms
    if a.chapter != b.chapter:
        return pauses.chapter_ms
    if a.paragraph != b.paragraph:
        return pauses.item_ms if a.kind == b.kind == "item" else pauses.paragraph_ms
    if a.sentence != b.sentence:
        return pauses.sentence_ms
    return pauses.clause_ms


#: Of a pause between paragraphs, this much goes after a cut (the rest, and the few ms that
#: align the cut to the encoder's grid, before it).
CUT_LEAD_MS = 200
#: Long editions are cut before about one paragraph in ``ceil(paragraphs / MAX_STRETCHES)``, so
#: that an hour is not 200 ffmpeg runs; which ones is decided by each paragraph's own first words,
#: so an edit moves no cut but its own.
MAX_STRETCHES = 64


def assemble(
    results: Sequence[ClipResult],
    pauses: Pauses,
    sample_rate: int | None = None,
    inserts: Inserts | None = None,
    grid: Callable[[int], int] | None = None,
) -> Assembled:
    """Join every clip, pause and insert in one pass (``b"".join``, never ``+=`` on audio).

    The parts are views into the clips (numpy slices of their trimmed bodies), so the audio is
    copied exactly once, into the result.

    ``grid(sample_rate)`` is the encoder's frame grid in samples. Each pause between paragraphs
    then gets a cut, lengthened by under one grid step so that the cut falls on the grid with
    :data:`CUT_LEAD_MS` of silence after it: a paragraph's stretch then depends on its own clips
    only, and an edit leaves every other stretch, and its encoding, as it was.
    """
    if sample_rate is None:
        # The rate most clips already have: no resampling at all for a single-engine build.
        sample_rate = Counter(r.clip.sample_rate for r in results).most_common(1)[0][0]

    def silence(ms: int) -> bytes:
        return bytes(2 * int(sample_rate * ms / 1000))

    inserts = inserts or Inserts()
    levels = _engine_levels(results, sample_rate)
    parts: list[bytes | np.ndarray] = []
    position = 0

    def put(pcm: bytes | np.ndarray) -> None:
        nonlocal position
        parts.append(pcm)
        position += len(pcm) // 2 if isinstance(pcm, bytes) else len(pcm)

    if inserts.start is not None:
        put(resample(inserts.start, sample_rate).pcm)
        put(silence(pauses.paragraph_ms))
    else:
        put(silence(pauses.lead_ms))
    spans: dict[str, Span] = {}
    step = grid(sample_rate) if grid else 0
    lead = int(sample_rate * CUT_LEAD_MS / 1000)
    every = -(-len({r.chunk.paragraph for r in results}) // MAX_STRETCHES)
    cuts: list[int] = []
    previous: Chunk | None = None
    for result in results:
        if previous is not None:
            story_starts = result.chunk.story >= 1 and previous.story != result.chunk.story
            if story_starts and inserts.between_stories is not None:
                put(silence(pauses.sentence_ms))
                put(resample(inserts.between_stories, sample_rate).pcm)
                put(silence(pauses.sentence_ms))
            else:
                gap = int(sample_rate * pause_between(previous, result.chunk, pauses) / 1000)  # samples
                cut_here = every == 1 or zlib.crc32(result.chunk.speech.encode()) % every == 0
                if step and previous.paragraph != result.chunk.paragraph and gap >= 2 * lead and cut_here:
                    gap += -(position + gap - lead) % step
                    cuts.append(position + gap - lead)
                put(bytes(2 * gap))
        clip = resample(result.clip, sample_rate)
        samples, head = trim(np.frombuffer(clip.pcm, dtype="<i2"), sample_rate)
        if levels.get(result.engine, 1.0) != 1.0:
            samples = np.clip(samples * levels[result.engine], -32768, 32767).astype("<i2")
        start = position
        put(samples)
        spans[result.chunk.id] = word_span(
            result, round(start * 1000 / sample_rate), round(position * 1000 / sample_rate), head * 1000 / sample_rate
        )
        previous = result.chunk
    if inserts.end is not None:
        put(silence(pauses.paragraph_ms))
        put(resample(inserts.end, sample_rate).pcm)
    put(silence(pauses.tail_ms))
    return Assembled(b"".join(cast(list[bytes], parts)), sample_rate, spans, tuple(cuts), step or 1)
