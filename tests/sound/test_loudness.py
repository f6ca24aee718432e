"""Loudness finishing: the in-process meter against ffmpeg's ebur128 and pyloudnorm, and the limiter."""

import numpy as np
import pytest

from audio_edition.sound import loudness


def speechlike(seconds=20.0, rate=22050, seed=1):
    """Syllable-rate bursts of harmonics with pauses: a crest factor like speech's."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    voice = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) / k for k, f in enumerate((140, 280, 420, 1900, 3100), 1))
    envelope = np.clip(np.sin(2 * np.pi * 3.1 * t), 0, None) ** 2 * (np.sin(2 * np.pi * 0.23 * t) > -0.6)
    x = voice * envelope
    return (x / np.abs(x).max() * 0.9 * 32767).astype("<i2").tobytes()


@pytest.mark.parametrize("rate", [22050, 24000, 44100])
def test_k_weighting_is_pyloudnorms_design(rate):
    pyloudnorm = pytest.importorskip("pyloudnorm")
    theirs = list(pyloudnorm.Meter(rate)._filters.values())
    for (b, a), f in zip(loudness.k_weighting(rate), theirs):
        gain = f.passband_gain
        np.testing.assert_allclose(b, np.asarray(f.b) * gain / f.a[0], rtol=1e-12)
        np.testing.assert_allclose(a, np.asarray(f.a) / f.a[0], rtol=1e-12)


def test_the_compiled_filter_is_scipys_lfilter():
    from scipy.signal import lfilter

    x = np.frombuffer(speechlike(2.0), dtype="<i2").astype(np.float64)
    for b, a in loudness.k_weighting(22050):
        ours, state = loudness._lfilter()(b, a, x[:5000], np.zeros(2))
        theirs, their_state = lfilter(b, a, x[:5000], zi=np.zeros(2))
        np.testing.assert_allclose(ours, theirs)
        np.testing.assert_allclose(state, their_state)


@pytest.mark.parametrize("rate", [22050, 44100])
def test_integrated_loudness_agrees_with_ffmpeg(rate):
    pcm = speechlike(rate=rate)
    ours = loudness.integrated_loudness(pcm, rate)
    theirs = loudness.measure(pcm, rate).integrated_lufs
    assert abs(ours - theirs) < 0.2
    quieter = (np.frombuffer(pcm, dtype="<i2") // 4).astype("<i2").tobytes()  # -12 dB
    assert loudness.integrated_loudness(quieter, rate) == pytest.approx(ours - 12.04, abs=0.1)


def test_silence_has_no_loudness():
    assert loudness.integrated_loudness(bytes(44100 * 2 * 3), 44100) == -120.0


def test_limiter_holds_the_ceiling_and_leaves_quiet_passages_alone():
    rate = 22050
    x = np.frombuffer(speechlike(rate=rate), dtype="<i2").astype(np.int32)
    x[1000:1003] = 32767  # a click
    out = np.frombuffer(loudness.gain_and_limit(x.astype("<i2").tobytes(), rate, 6.0, -6.0), dtype="<i2")
    ceiling = 32767 * 10 ** (-6 / 20)
    assert np.abs(out).max() <= ceiling + 1
    gained = x * 10 ** (6 / 20)
    quiet = np.abs(gained) < ceiling / 4
    far = np.convolve(~quiet, np.ones(2 * int(rate * 0.01) + 1), mode="same") == 0  # 10 ms from any peak
    np.testing.assert_allclose(out[far], np.rint(gained[far]), atol=1)


def test_sliding_extremes_match_a_naive_window():
    rng = np.random.default_rng(3)
    x = rng.normal(size=1001)
    for width in (1, 3, 7, 133):
        half = width // 2
        padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
        naive = np.array([padded[i : i + width].max() for i in range(len(x))])
        np.testing.assert_array_equal(loudness.sliding(x, width, np.maximum), naive)
        np.testing.assert_array_equal(loudness.sliding(x, width, np.minimum), -loudness.sliding(-x, width, np.maximum))
