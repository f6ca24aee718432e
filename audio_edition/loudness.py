"""Finishing: bring the whole edition to the loudness target with a true-peak ceiling.

While tuning, integrated loudness (ITU-R BS.1770) is computed here, streaming, with pyloudnorm's
K-weighting design and scipy's compiled filter: no subprocess, flat memory. The encoded file is
then checked by ffmpeg's ``ebur128`` filter, which also measures the true peak. The gain and a
look-ahead peak limiter are applied with numpy, block by block.

Why not ffmpeg's ``loudnorm``: Piper peak-normalizes every sentence, so its speech has a crest
factor near 16 dB. ``loudnorm`` then either stops short of the target (linear mode keeps the
peak ceiling) or misses it anyway in dynamic mode (measured: -17.3 LUFS for a -16 target), and it
is six times slower. A gain plus a limiter, measured again, lands within 0.5 LU.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import ffmpeg
from .errors import EncodingError
from .settings import Loudness

#: Part of the key of cached renders: change it when the same audio would be finished differently.
VERSION = 3
#: Limiter look-ahead: long enough to catch a plosive's rise, short enough not to pump.
LOOKAHEAD_MS = 3.0
#: Sample peaks are first held this far under the true-peak ceiling: inter-sample peaks and the
#: MP3 encoder's overshoot add up to about this much at 64 kbps (measured on Piper speech: +1.3 dB
#: typically, +3.4 dB on one plosive, which at 2.6 dB cost a second encode).
HEADROOM_DB = 3.0
#: The MP3 encoder loses about this much loudness on speech (measured: 0.4 LU at 64 kbps).
ENCODER_LOSS_LU = 0.4
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
    return -120.0 if m[-1] == "-inf" else float(m[-1])


EBUR128_FILTER = "ebur128=peak=true:framelog=quiet"


def parse_ebur128(stderr: str) -> Measurement:
    """Read the summary that ffmpeg's ``ebur128`` filter prints at the end."""
    summary = stderr[stderr.rfind("Summary:") :]
    return Measurement(_summary_value(summary, "I"), _summary_value(summary, "Peak"), _summary_value(summary, "LRA"))


def measure(pcm: bytes | None, sample_rate: int, *, path: str | None = None) -> Measurement:
    """Integrated loudness, true peak and loudness range (EBU R128) of PCM or of a file."""
    inp = ["-i", path] if path else ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0"]
    cmd = [ffmpeg.ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", *inp, "-af", EBUR128_FILTER, "-f", "null", "-"]
    proc = subprocess.run(cmd, input=pcm, capture_output=True, check=False)
    text = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise EncodingError("measuring loudness failed: " + (text.strip().splitlines() or ["?"])[-1])
    return parse_ebur128(text)


def preload() -> None:
    """Load the compiled filter ahead of need (the pipeline calls this during synthesis)."""
    _lfilter()


@functools.cache
def k_weighting(sample_rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """BS.1770's K-weighting as two biquads, (b, a) each: pyloudnorm's design (RBJ cookbook
    formulas, its default parameters), written out because ``import pyloudnorm`` pulls in
    scipy.signal: ~1 s of CPU taken from the voices while they synthesize."""
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

    ``import scipy.signal`` costs ~1 s of CPU (it imports most of SciPy); the compiled routine
    that its ``lfilter`` calls loads in under a millisecond, so it is loaded alone. If SciPy ever
    moves it, the public function is used instead (tests/test_loudness.py compares the two).
    """
    try:
        import importlib.machinery
        import importlib.util

        import scipy

        folder = Path(scipy.__file__).parent / "signal"
        path = next(
            folder / f"_sigtools{s}"
            for s in importlib.machinery.EXTENSION_SUFFIXES
            if (folder / f"_sigtools{s}").exists()
        )
        spec = importlib.util.spec_from_file_location("scipy.signal._sigtools", path)
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
    lfilter = _lfilter()
    stages = k_weighting(sample_rate)
    states = [np.zeros(2) for _ in stages]
    step = int(sample_rate * 0.1)
    samples = np.frombuffer(pcm, dtype="<i2")
    block = step * 100
    steps: list[np.ndarray] = []
    for start in range(0, len(samples), block):
        x = samples[start : start + block].astype(np.float64) / 32768.0
        for n, (b, a) in enumerate(stages):
            x, states[n] = lfilter(b, a, x, states[n])
        usable = len(x) // step * step
        steps.append(np.mean(x[:usable].reshape(-1, step) ** 2, axis=1))
    power = np.concatenate(steps) if steps else np.zeros(0)
    if len(power) < 4:
        return -120.0
    blocks = np.convolve(power, np.ones(4) / 4, mode="valid")  # 400 ms blocks, 100 ms hop
    loud = blocks[-0.691 + 10 * np.log10(np.maximum(blocks, 1e-20)) > -70]
    if loud.size == 0:
        return -120.0
    relative = -0.691 + 10 * np.log10(loud.mean()) - 10
    gated = loud[-0.691 + 10 * np.log10(loud) > relative]
    return float(-0.691 + 10 * np.log10(gated.mean()))


def _sliding(x: np.ndarray, width: int, reduce: np.ufunc) -> np.ndarray:
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
    envelope = _sliding(np.abs(x), width, np.maximum)
    gain = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-9))
    # min-then-mean over the same window: smooth, and never above the gain a sample needs
    gain = _mean(_sliding(gain, width, np.minimum), width)
    return x * gain


def limited_blocks(pcm: bytes, sample_rate: int, gain_db: float, ceiling_dbfs: float) -> Iterator[np.ndarray]:
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


def gain_and_limit(pcm: bytes, sample_rate: int, gain_db: float, ceiling_dbfs: float) -> memoryview:
    """:func:`limited_blocks`, joined into one buffer."""
    out = np.empty(len(pcm) // 2, dtype="<i2")
    start = 0
    for block in limited_blocks(pcm, sample_rate, gain_db, ceiling_dbfs):
        out[start : start + len(block)] = block
        start += len(block)
    return memoryview(out).cast("B")  # the array's own bytes: no second copy of an hour of audio


@dataclass(frozen=True)
class Finish:
    """How to finish an edition: the gain and the sample-peak ceiling, and the loudness they give."""

    gain_db: float
    ceiling_dbfs: float
    before: Measurement
    after: Measurement

    def blocks(self, pcm: bytes, sample_rate: int) -> Iterator[bytes | np.ndarray]:
        if self.before.integrated_lufs <= -70:  # silence: nothing to finish
            return iter([pcm])
        return limited_blocks(pcm, sample_rate, self.gain_db, self.ceiling_dbfs)


def normalize(
    pcm: bytes,
    sample_rate: int,
    target: Loudness,
    *,
    loss_lu: float = ENCODER_LOSS_LU,
    headroom_db: float = HEADROOM_DB,
) -> Finish:
    """Measure, then find the gain and ceiling so that the *encoded* file lands on the target.

    ``loss_lu`` and ``headroom_db`` pre-compensate what the encoder will do; the caller measures
    the encoded file and calls again with corrected values if it missed.
    """
    sample = _excerpt(pcm, sample_rate)
    before_lufs = integrated_loudness(sample, sample_rate)
    before = Measurement(before_lufs, 0.0, 0.0)
    ceiling = target.true_peak_dbtp - headroom_db
    if before_lufs <= -70:
        return Finish(0.0, ceiling, before, before)
    aim = target.integrated_lufs + loss_lu
    gain, reached = _search_gain(sample, sample_rate, aim, aim - before_lufs, ceiling)
    return Finish(gain, ceiling, before, Measurement(reached, 0.0, 0.0))


#: LU gained per dB of gain, guessed for the first step: the limiter eats about half of it on
#: Piper's speech (measured: 5 tries to converge with 1.0, 4 with 0.5-0.7).
FIRST_SLOPE = 0.6

#: The gain is tuned on at most this much audio, in 2-second stretches spread over the edition:
#: loudness is an average, and five minutes of an hour's speech estimate it within a few tenths.
EXCERPT_SECONDS = 300.0


def _excerpt(pcm: bytes, sample_rate: int, seconds: float = 2.0) -> bytes:
    """Every n-th 2-second stretch (n >= 3): enough speech to tune the gain on, a fraction of the work."""
    size = int(sample_rate * seconds) * 2
    stretches = len(pcm) // size
    if stretches <= 12:
        return pcm
    every = max(3, -(-stretches * seconds // EXCERPT_SECONDS))
    return b"".join(pcm[i : i + size] for i in range(0, len(pcm), int(size * every)))


def _search_gain(pcm: bytes, sample_rate: int, aim: float, gain: float, ceiling: float) -> tuple[float, float]:
    """The gain that, after the limiter, gives ``aim`` (and the loudness reached): secant steps,
    as the limiter eats more the harder it is pushed (Piper's speech peaks sit ~22 dB over its
    loudness)."""
    previous: tuple[float, float] | None = None
    result = aim
    for _ in range(6):
        result = integrated_loudness(gain_and_limit(pcm, sample_rate, gain, ceiling), sample_rate)
        if abs(result - aim) <= 0.1:
            break
        if previous is not None and abs(result - previous[1]) > 1e-3:
            slope = (result - previous[1]) / (gain - previous[0])
            step = (aim - result) / max(slope, 0.1)
        else:
            step = (aim - result) / FIRST_SLOPE
        previous = (gain, result)
        gain += min(step, 12.0)
    return gain, result


def within(measured: Measurement, target: Loudness) -> bool:
    return (
        abs(measured.integrated_lufs - target.integrated_lufs) <= TOLERANCE_LU
        and measured.true_peak_dbtp <= target.true_peak_dbtp + PEAK_TOLERANCE_DB
    )
