"""Finishing: bring the whole edition to the loudness target with a true-peak ceiling.

While tuning, integrated loudness (ITU-R BS.1770) is computed here with pyloudnorm's K-weighting
design and scipy's compiled filter: no subprocess, flat memory. The gain is searched on a grid of
0.5 dB steps, on an excerpt of every paragraph's stretch. Each encoded stretch is then measured by
ffmpeg's ``ebur128`` filter (loudness block by block, and the true peak), and the blocks of all
stretches add up to the file's measurement (:func:`combine`). The gain and a look-ahead peak
limiter are applied with numpy, block by block.

Why not ffmpeg's ``loudnorm``: Piper peak-normalizes every sentence, so its speech has a crest
factor near 16 dB. ``loudnorm`` then either stops short of the target (linear mode keeps the
peak ceiling) or misses it anyway in dynamic mode, and it is several times slower; a gain plus a
limiter, measured again, lands within 0.5 LU (docs/benchmarks.md, "Measurements behind the design").
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import ffmpeg
from ..cache import LOUDNESS
from ..errors import EncodingError
from ..settings import Loudness

if TYPE_CHECKING:
    from ..cache import Cache

#: EBU R128's absolute gate: blocks quieter than this are silence, and so is an edition that is.
ABSOLUTE_GATE_LUFS = -70.0

#: Part of the key of cached renders: change it when the same audio would be finished differently.
VERSION = 5
#: Limiter look-ahead: long enough to catch a plosive's rise, short enough not to pump.
LOOKAHEAD_MS = 3.0
#: Sample peaks are first held this far under the true-peak ceiling: inter-sample peaks and the
#: MP3 encoder's overshoot add up to about this much at 64 kbps (docs/benchmarks.md, "Measurements behind the
#: design"); less costs a second encode now and then.
HEADROOM_DB = 3.0
#: What the encoded file may miss the target by before it is made again.
TOLERANCE_LU = 0.5
#: The true peak of an MP3 wobbles by a few tenths of a dB from one encode to the next; the target
#: is set 0.5 dB under the -1 dBTP podcast norm, and this much of that margin may be used.
PEAK_TOLERANCE_DB = 0.4
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Measurement:
    integrated_lufs: float
    true_peak_dbtp: float
    lra: float


def _summary_value(text: str, label: str) -> float:
    m = re.findall(rf"{label}:\s+(-?[\d.]+|-inf)", text)
    if not m:
        raise EncodingError(f"measuring loudness failed: no {label} in ffmpeg's ebur128 summary")
    return _number(m[-1])


def _number(v: str) -> float:
    return -120.0 if v == "-inf" else float(v)


#: ffmpeg's loudness meter, with the true peak; ``{}`` is where its 100 ms log goes.
_EBUR128 = "ebur128=peak=true:framelog={}"


def _ebur128(source: list[str], data: bytes | None, framelog: str) -> str:
    """Run ffmpeg's ``ebur128`` on ``source``; its log (summary, and with ``info`` each 100 ms)."""
    args = [*source, "-af", _EBUR128.format(framelog), "-f", "null", "-"]
    return ffmpeg.run(args, input=data, what="measuring loudness", loglevel="info").stderr.decode("utf-8", "replace")


def parse_ebur128(stderr: str) -> Measurement:
    """Read the summary that ffmpeg's ``ebur128`` filter prints at the end."""
    summary = stderr[stderr.rfind("Summary:") :]
    return Measurement(_summary_value(summary, "I"), _summary_value(summary, "Peak"), _summary_value(summary, "LRA"))


def measure(pcm: bytes | None, sample_rate: int, *, path: str | None = None) -> Measurement:
    """Integrated loudness, true peak and loudness range (EBU R128) of PCM or of a file."""
    inp = ["-i", path] if path else ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0"]
    return parse_ebur128(_ebur128(inp, pcm, "quiet"))


@dataclass(frozen=True)
class Blocks:
    """What ffmpeg's ``ebur128`` measured in one stretch of an MP3, kept so that stretches measured
    apart (and cached) add up to the whole file's measurement (:func:`combine`)."""

    momentary: tuple[float, ...]  # 400 ms blocks, every 100 ms (the gating blocks of BS.1770)
    short_term: tuple[float, ...]  # 3 s windows, every 100 ms (for the loudness range)
    true_peak_dbtp: float


_FRAME_LOG = re.compile(r"t:\s*([\d.]+)\s.*?M:\s*(-?[\d.]+|-inf)\s+S:\s*(-?[\d.]+|-inf).*?FTPK:\s*(-?[\d.]+|-inf)")


#: ffmpeg arguments that decode what its first output's encoder makes (a loopback decoder) and
#: measure it (:func:`meter_log` reads the log): the MP3 is measured as it is encoded, in the
#: same process.
METER = ["-dec", "0:0", "-filter_complex", f"[dec:0]{_EBUR128.format('info')}[m]", "-map", "[m]", "-f", "null", "-"]


def meter(mp3: bytes) -> Blocks:
    """MP3 frames decoded and measured by an ffmpeg of their own (an ffmpeg older than 7.1, which
    cannot measure what it encodes as it does)."""
    return meter_log(_ebur128(["-f", "mp3", "-i", "pipe:0"], mp3, "info"))


def meter_log(text: str) -> Blocks:
    """The blocks in the log of ffmpeg run with :data:`METER`: the MP3 frames decoded, and
    measured 100 ms at a time by ffmpeg's ``ebur128``.

    A stretch is always measured on its own, so that its blocks are the same whether it was
    encoded in this build or an earlier one. Only whole windows are kept: 400 ms blocks from
    0.4 s on, 3 s ones (for the loudness range, which is therefore approximate) from 3 s on.
    """
    lines = [(float(t), _number(m), _number(s), _number(p)) for t, m, s, p in _FRAME_LOG.findall(text)]
    momentary = tuple(line[1] for line in lines if line[0] >= 0.4 - 1e-3)
    short_term = tuple(line[2] for line in lines if line[0] >= 3.0 - 1e-3)
    return Blocks(momentary, short_term, max((line[3] for line in lines), default=-120.0))


def combine(parts: Sequence[Blocks]) -> Measurement:
    """The whole file's loudness from its stretches' blocks. Stretches are cut in silence, so
    the blocks that would straddle a cut are silent ones, which the gates drop anyway."""
    momentary = np.array([v for p in parts for v in p.momentary])
    short = np.array([v for p in parts for v in p.short_term])
    peak = max((p.true_peak_dbtp for p in parts), default=-120.0)
    return Measurement(round(gated_loudness(momentary), 1), peak, round(loudness_range(short), 1))


def preload() -> None:
    """Load the compiled filter ahead of need (the pipeline calls this during synthesis)."""
    _lfilter()


@functools.cache
def k_weighting(sample_rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """BS.1770's K-weighting as two biquads, (b, a) each: pyloudnorm's design (RBJ cookbook
    formulas, its default parameters), written out because ``import pyloudnorm`` pulls in
    scipy.signal, whose import takes CPU from the voices while they synthesize."""
    stages = []
    for kind, gain_db, q, fc in (("high_shelf", 4.0, 1 / np.sqrt(2), 1500.0), ("high_pass", 0.0, 0.5, 38.0)):
        a_ = 10 ** (gain_db / 40.0)
        w0 = 2.0 * np.pi * fc / sample_rate
        alpha, cos = np.sin(w0) / (2.0 * q), np.cos(w0)
        if kind == "high_shelf":
            root = 2 * np.sqrt(a_) * alpha
            b = [a_ * ((a_ + 1) + (a_ - 1) * cos + root), -2 * a_ * ((a_ - 1) + (a_ + 1) * cos),
                 a_ * ((a_ + 1) + (a_ - 1) * cos - root)]  # fmt: skip
            a = [(a_ + 1) - (a_ - 1) * cos + root, 2 * ((a_ - 1) - (a_ + 1) * cos), (a_ + 1) - (a_ - 1) * cos - root]
        else:
            b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
            a = [1 + alpha, -2 * cos, 1 - alpha]
        stages.append((np.array(b) / a[0], np.array(a) / a[0]))
    return stages


@functools.cache
def _lfilter() -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """scipy's compiled IIR filter, ``lfilter(b, a, x, zi) -> (y, zf)`` for float64 arrays.

    ``import scipy.signal`` imports most of SciPy; the compiled routine that its ``lfilter``
    calls loads at once, so it is loaded alone. If SciPy ever
    moves it, the public function is used instead (tests/sound/test_loudness.py compares the two).
    """
    try:
        import importlib.machinery
        import importlib.util

        spec = importlib.util.find_spec("scipy")  # found, not imported
        if spec is None or spec.origin is None:
            raise ImportError("scipy")
        folder = Path(spec.origin).parent / "signal"
        path = next(
            folder / f"_sigtools{s}"
            for s in importlib.machinery.EXTENSION_SUFFIXES
            if (folder / f"_sigtools{s}").exists()
        )
        spec = importlib.util.spec_from_file_location("scipy.signal._sigtools", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        linear_filter = module._linear_filter
        return lambda b, a, x, zi: linear_filter(b, a, x, -1, zi)
    except (ImportError, StopIteration, AttributeError, OSError):  # pragma: no cover - depends on SciPy's layout
        from scipy.signal import lfilter

        return lambda b, a, x, zi: lfilter(b, a, x, zi=zi)


def integrated_loudness(pcm: bytes, sample_rate: int) -> float:
    """BS.1770 integrated loudness of mono s16le, in LUFS, one block at a time.

    K-weighting (:func:`k_weighting`, filter state carried across blocks), mean square per 100 ms
    step, 400 ms gating blocks with 75 % overlap, absolute gate -70 LUFS, relative gate -10 LU.
    """
    return _loudness([np.frombuffer(pcm, dtype="<i2")], sample_rate)


def _loudness(chunks: Iterable[np.ndarray], sample_rate: int) -> float:
    """:func:`integrated_loudness` of s16 sample arrays that follow one another."""
    return _gated(_block_powers(chunks, sample_rate))


def _block_powers(chunks: Iterable[np.ndarray], sample_rate: int) -> np.ndarray:
    """K-weighted mean square of every 400 ms block (100 ms hop) of s16 sample arrays that follow
    one another: what BS.1770's gates then sort."""
    lfilter = _lfilter()
    stages = k_weighting(sample_rate)
    states = [np.zeros(2) for _ in stages]
    step = int(sample_rate * 0.1)
    steps: list[np.ndarray] = []
    carry = np.zeros(0)  # filtered samples short of a whole step, for the next chunk
    for chunk in chunks:
        for start in range(0, len(chunk), step * 100):
            x = chunk[start : start + step * 100].astype(np.float64) / 32768.0
            for n, (b, a) in enumerate(stages):
                x, states[n] = lfilter(b, a, x, states[n])
            x = np.concatenate([carry, x]) if len(carry) else x
            usable = len(x) // step * step
            steps.append(np.mean(x[:usable].reshape(-1, step) ** 2, axis=1))
            carry = x[usable:]
    power = np.concatenate(steps) if steps else np.zeros(0)
    if len(power) < 4:
        return np.zeros(0)
    return np.convolve(power, np.ones(4) / 4, mode="valid")


def _gated(powers: np.ndarray) -> float:
    return gated_loudness(-0.691 + 10 * np.log10(np.maximum(powers, 1e-20))) if len(powers) else -120.0


def gated_loudness(blocks_lufs: np.ndarray) -> float:
    """Integrated loudness from the loudness of each 400 ms block (BS.1770's two gates)."""
    loud = blocks_lufs[blocks_lufs > ABSOLUTE_GATE_LUFS]
    if loud.size == 0:
        return -120.0
    power = 10 ** ((loud + 0.691) / 10)
    relative = -0.691 + 10 * np.log10(power.mean()) - 10
    return float(-0.691 + 10 * np.log10(power[loud > relative].mean()))


def loudness_range(short_term_lufs: np.ndarray) -> float:
    """EBU Tech 3342 loudness range from 3 s short-term values: 10th to 95th percentile after
    an absolute gate of -70 LUFS and a relative one of -20 LU."""
    loud = short_term_lufs[short_term_lufs > ABSOLUTE_GATE_LUFS]
    if loud.size == 0:
        return 0.0
    relative = -0.691 + 10 * np.log10((10 ** ((loud + 0.691) / 10)).mean()) - 20
    gated = np.sort(loud[loud > relative])
    return _percentile(gated, 95) - _percentile(gated, 10) if gated.size else 0.0


def _percentile(ordered: np.ndarray, q: float) -> float:
    """``np.percentile`` (linear) of sorted values; numpy's own imports numpy.ma on first use."""
    at = q / 100 * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (at - low))


def sliding(x: np.ndarray, width: int, reduce: np.ufunc) -> np.ndarray:
    """``reduce`` (maximum or minimum) over a centred window of odd ``width``, edges held: van Herk /
    Gil-Werman, two running reductions over width-long pieces, O(n) in numpy."""
    half = width // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half + (-(len(x) + 2 * half) % width), x[-1])])
    pieces = padded.reshape(-1, width)
    forward = reduce.accumulate(pieces, axis=1).ravel()
    backward = reduce.accumulate(pieces[:, ::-1], axis=1)[:, ::-1].ravel()
    n = len(x)
    return reduce(backward[:n], forward[width - 1 : width - 1 + n])


def _mean(x: np.ndarray, width: int) -> np.ndarray:
    half = width // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    total = np.concatenate([[0.0], np.cumsum(padded, dtype=np.float64)])
    return ((total[width:] - total[:-width]) / width).astype(x.dtype)


def _limit_block(x: np.ndarray, ceiling: float, width: int) -> np.ndarray:
    envelope = sliding(np.abs(x), width, np.maximum)
    gain = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-9))
    # min-then-mean over the same window: smooth, and never above the gain a sample needs
    gain = _mean(sliding(gain, width, np.minimum), width)
    return x * gain


def limited_blocks(
    pcm: bytes | memoryview, sample_rate: int, gain_db: float, ceiling_dbfs: float
) -> Iterator[np.ndarray]:
    """Apply ``gain_db``, then hold sample peaks under ``ceiling_dbfs``: s16le blocks, in order,
    so that the encoder can start on the first while the next is limited."""
    samples = np.frombuffer(pcm, dtype="<i2")
    width = 2 * int(sample_rate * LOOKAHEAD_MS / 1000) + 1
    margin = 2 * width
    ceiling = 32767 * 10 ** (ceiling_dbfs / 20)
    factor = np.float32(10 ** (gain_db / 20))
    for start in range(0, len(samples), _BLOCK):
        lo, hi = max(0, start - margin), min(len(samples), start + _BLOCK + margin)
        block = _limit_block(samples[lo:hi].astype(np.float32) * factor, ceiling, width)
        keep = block[start - lo : start - lo + min(_BLOCK, len(samples) - start)]
        yield np.clip(np.rint(keep), -32768, 32767).astype("<i2")


def gain_and_limit(pcm: bytes | memoryview, sample_rate: int, gain_db: float, ceiling_dbfs: float) -> memoryview:
    """:func:`limited_blocks`, joined into one buffer."""
    out = np.empty(len(pcm) // 2, dtype="<i2")
    start = 0
    for block in limited_blocks(pcm, sample_rate, gain_db, ceiling_dbfs):
        out[start : start + len(block)] = block
        start += len(block)
    return memoryview(out.data).cast("B")  # the array's own bytes: no second copy of an hour of audio


@dataclass(frozen=True)
class Finish:
    """How to finish an edition: the gain and the sample-peak ceiling, and the loudness they give."""

    gain_db: float
    ceiling_dbfs: float
    before: Measurement
    after: Measurement
    #: The gain that would reach the aim exactly, between two steps: where the next search of a
    #: similar edition starts.
    solution_db: float = 0.0

    def apply(self, pcm: bytes | memoryview, sample_rate: int) -> bytes | memoryview:  # noqa: D102
        if self.before.integrated_lufs <= ABSOLUTE_GATE_LUFS:  # silence: nothing to finish
            return pcm
        return gain_and_limit(pcm, sample_rate, self.gain_db, self.ceiling_dbfs)


def normalize(
    parts: Sequence[bytes | memoryview],
    sample_rate: int,
    target: Loudness,
    *,
    loss_lu: float = 0.0,
    headroom_db: float = HEADROOM_DB,
    guess: float | None = None,
    cache: Cache | None = None,
) -> Finish:
    """Measure, then find the gain and ceiling so that the *encoded* file lands on the target.

    ``parts`` are the stretches the encoder cuts the edition into (or the whole of it): the
    excerpt the gain is tuned on is taken in each from its own start, and measured part by part
    (kept in ``cache``), so an edit measures its own part again and nothing else; the gain, set
    in steps of :data:`GAIN_STEP_DB`, usually stays as it was. ``loss_lu`` and ``headroom_db``
    pre-compensate what the encoder will do; the caller measures the encoded file and calls again
    with corrected values if it missed. ``guess`` (an earlier build's :attr:`Finish.solution_db`)
    is where the search starts: it saves tries, and cannot change the answer.
    """
    ceiling = target.true_peak_dbtp - headroom_db
    excerpt = _Excerpt(parts, sample_rate, ceiling, cache)
    before_lufs = excerpt.loudness(None)
    before = Measurement(before_lufs, 0.0, 0.0)
    if before_lufs <= ABSOLUTE_GATE_LUFS:
        return Finish(0.0, ceiling, before, before)
    aim = target.integrated_lufs + loss_lu
    start = guess if guess is not None else (aim - before_lufs) / FIRST_SLOPE
    gain, reached, solution = search_gain(excerpt, aim, start, rough=guess is None)
    excerpt.keep([None, math.floor(solution / GAIN_STEP_DB), math.floor(solution / GAIN_STEP_DB) + 1])
    return Finish(gain, ceiling, before, Measurement(reached, 0.0, 0.0), solution)


#: LU gained per dB of gain, guessed before the first try: the limiter eats about two thirds of it
#: on Piper's speech, whose sentences each peak near 0 dBFS. Only the number of tries depends on it.
FIRST_SLOPE = 0.33

#: The gain is tuned on at most this much audio, in 2-second stretches spread over the edition:
#: loudness is an average, and five minutes of an hour's speech estimate it within a few tenths.
EXCERPT_SECONDS = 300.0

#: How far under a rough first guess the search also looks at first: the guess's slope is low,
#: so guesses overshoot (by up to about this much on the reference page and the samples).
ROUGH_SPREAD_DB = 4.0

#: The gain's step. Half a step is under 0.1 LU; a step keeps the gain, and so the encoding of
#: every paragraph, through most edits elsewhere.
GAIN_STEP_DB = 0.5


class _Excerpt:
    """The loudness of the excerpt the gain is tuned on, at a gain: every n-th 2-second piece
    (n >= 3) of each part, or all of a short edition, after :func:`limited_blocks`, the very
    samples the encoder will be given, a block at a time (flat memory, so that two tries can run
    at once on an hour).

    Each part's 400 ms blocks are measured on their own (parts are cut in silence, so nothing
    straddles them) and kept in the cache by the part's content, the gain and the ceiling; the
    loudness is then gated over all the blocks, whether measured now or found.
    """

    def __init__(
        self,
        parts: Sequence[bytes | memoryview],
        sample_rate: int,
        ceiling_dbfs: float,
        cache: Cache | None = None,
    ) -> None:
        size = int(sample_rate * 2.0) * 2
        pieces = sum(len(p) for p in parts) // size
        every = 1 if pieces <= 12 else int(max(3, -(-pieces * 2.0 // EXCERPT_SECONDS)))
        self.parts = [b"".join(bytes(p[i : i + size]) for i in range(0, len(p), size * every)) for p in parts]
        self.rate, self.ceiling, self.cache = sample_rate, ceiling_dbfs, cache
        params = repr((VERSION, sample_rate, ceiling_dbfs, every, GAIN_STEP_DB)).encode()
        self.ids = [hashlib.sha256(params + part).hexdigest() for part in self.parts]
        self.blocks: dict[tuple[int, int | None], np.ndarray] = {}
        self.measured: set[tuple[int, int | None]] = set()

    def _key(self, i: int, step: int | None) -> str:
        return hashlib.sha256(f"gain-blocks {self.ids[i]} {step}".encode()).hexdigest()

    def _part(self, i: int, step: int | None) -> np.ndarray:
        if (i, step) not in self.blocks:
            hit = self.cache.read(LOUDNESS, self._key(i, step)) if self.cache is not None else None
            if hit is not None:
                powers = np.frombuffer(hit[0], dtype="<f8")
            else:
                pcm = self.parts[i]
                if step is None:
                    chunks: Iterable[np.ndarray] = [np.frombuffer(pcm, dtype="<i2")]
                else:
                    chunks = limited_blocks(pcm, self.rate, step * GAIN_STEP_DB, self.ceiling)
                powers = _block_powers(chunks, self.rate)
                self.measured.add((i, step))
            self.blocks[i, step] = powers
        return self.blocks[i, step]

    def loudness(self, gain_db: float | None) -> float:
        """Integrated loudness at a gain on the step grid; None: as it is, with no limiter."""
        step = None if gain_db is None else round(gain_db / GAIN_STEP_DB)
        return _gated(np.concatenate([self._part(i, step) for i in range(len(self.parts))]))

    def keep(self, steps: Iterable[int | None]) -> None:
        """Cache the blocks measured at these steps (the unprocessed ones and the solution's two
        neighbours: where the next search of an edited edition looks)."""
        if self.cache is None:
            return
        for i, step in sorted(self.measured, key=repr):
            if step in steps:
                self.cache.write(LOUDNESS, self._key(i, step), self.blocks[i, step].astype("<f8").tobytes())


def search_gain(excerpt: _Excerpt, aim: float, guess: float, *, rough: bool = False) -> tuple[float, float, float]:
    """The gain on the :data:`GAIN_STEP_DB` grid that, after the limiter, comes closest to
    ``aim``, the loudness it gives, and the exact solution interpolated between the two steps.

    Two neighbouring grid gains are tried at a time, in two threads (numpy and the filter release
    the GIL), around a secant estimate, until two neighbours bracket the aim: the limiter eats more
    the harder it is pushed (Piper's speech peaks sit ~22 dB over its loudness), so the slope is
    learnt as it goes. The answer depends only on the loudness at grid points, so an edit that
    moves the loudness a little keeps the gain. A ``rough`` guess (no earlier build's) is tried
    with a gain :data:`ROUGH_SPREAD_DB` under it, which the solution usually lies between: the
    next two tries then bracket it.
    """
    step = GAIN_STEP_DB
    tried: dict[int, float] = {}
    k, slope = math.floor(guess / step), FIRST_SLOPE
    first = [k, k - round(ROUGH_SPREAD_DB / step)] if rough else [k, k + 1]
    with ThreadPoolExecutor(2, thread_name_prefix="gain") as pool:
        for _ in range(8):
            todo = [j for j in (first or (k, k + 1)) if j not in tried]
            first = []
            tried.update(zip(todo, pool.map(lambda j: excerpt.loudness(j * step), todo)))
            bracket = _bracket(tried, aim)
            if bracket is None:
                k, slope = _secant(tried, aim, slope)
                continue
            lo, hi = bracket
            if hi - lo == 1:
                best = lo if aim - tried[lo] <= tried[hi] - aim else hi
                solution = (lo + (aim - tried[lo]) / max(tried[hi] - tried[lo], 1e-9)) * step
                return best * step, tried[best], solution
            if lo > hi:  # not monotonic here: take the closest try
                break
            # bracketed: interpolate between the two closest tries
            estimate = lo + (hi - lo) * (aim - tried[lo]) / max(tried[hi] - tried[lo], 1e-9)
            k = min(max(math.floor(estimate), lo), hi - 1)
            if k in tried and k + 1 in tried:
                k = (lo + hi) // 2
    # No bracket (an aim out of the limiter's reach): a bound, so that the path taken, which
    # depends on the first guess, never shows in the output.
    best = min(tried, key=lambda j: abs(tried[j] - aim))
    bound = GAIN_BOUND_DB if tried[best] < aim else -GAIN_BOUND_DB
    return bound, excerpt.loudness(bound), bound


def _bracket(tried: dict[int, float], aim: float) -> tuple[int, int] | None:
    """The highest step tried at or under the aim and the lowest over it, if both exist."""
    below = [j for j, r in tried.items() if r <= aim]
    above = [j for j, r in tried.items() if r > aim]
    return (max(below), min(above)) if below and above else None


def _secant(tried: dict[int, float], aim: float, slope: float) -> tuple[int, float]:
    """The next step to try from the two tries closest to the aim, and the slope learnt from them."""
    step = GAIN_STEP_DB
    near = sorted(tried, key=lambda j: abs(tried[j] - aim))[:2]
    if abs(tried[near[0]] - tried[near[1]]) > 1e-6:
        slope = max((tried[near[0]] - tried[near[1]]) / ((near[0] - near[1]) * step), 0.05)
    move = (aim - tried[near[0]]) / slope / step  # toward the aim, at most 12 dB
    k = math.floor(near[0] + min(max(move, -48), 48))
    return min(max(k, round(-GAIN_BOUND_DB / step)), round(GAIN_BOUND_DB / step) - 1), slope


#: How far the gain may go either way.
GAIN_BOUND_DB = 40.0


def within(measured: Measurement, target: Loudness) -> bool:
    return (
        abs(measured.integrated_lufs - target.integrated_lufs) <= TOLERANCE_LU
        and measured.true_peak_dbtp <= target.true_peak_dbtp + PEAK_TOLERANCE_DB
    )
