import numpy as np
import pytest

from audio_edition import ffmpeg, loudness
from audio_edition.encode import encode_mp3
from audio_edition.settings import Encoding, Loudness

from fakes import tone


@pytest.fixture(scope="module")
def speechlike():
    """Ten seconds of the fake engine's tones with pauses and sharp peaks, quiet overall."""
    parts = []
    for i in range(8):
        parts.append(np.frombuffer(tone(f"Sentence number {i} of the test." * 2, 22050), dtype="<i2") // 4)
        parts.append(np.zeros(22050 // 3, dtype="<i2"))
    x = np.concatenate(parts).astype(np.int32)
    x[::997] = 30000  # clicks: a crest factor like Piper's
    return x.astype("<i2").tobytes()


def test_cbr_mono_44k_mp3(tmp_path, speechlike):
    from mutagen.mp3 import MP3, BitrateMode

    out = tmp_path / "a.mp3"
    encode_mp3(speechlike, 22050, out, Encoding(bitrate_kbps=64), Loudness(enabled=False))
    info = MP3(str(out)).info
    assert (info.sample_rate, info.channels, round(info.bitrate / 1000)) == (44100, 1, 64)
    assert info.bitrate_mode == BitrateMode.CBR
    probed = ffmpeg.probe(out)
    assert (probed["sample_rate"], probed["channels"], probed["bitrate_kbps"]) == (44100, 1, 64)
    assert abs(info.length - len(speechlike) / 2 / 22050) < 0.06


def test_bitrate_option(tmp_path, speechlike):
    from mutagen.mp3 import MP3

    out = tmp_path / "b.mp3"
    encode_mp3(speechlike, 22050, out, Encoding(bitrate_kbps=128), Loudness(enabled=False))
    assert round(MP3(str(out)).info.bitrate / 1000) == 128


def test_loudness_lands_on_target_measured_by_ffmpeg(tmp_path, speechlike):
    before = loudness.measure(speechlike, 22050)
    assert before.integrated_lufs < -22  # far from the target to begin with
    out = tmp_path / "c.mp3"
    encode_mp3(speechlike, 22050, out, Encoding(), Loudness(integrated_lufs=-16.0, true_peak_dbtp=-1.5))
    after = loudness.measure(None, 0, path=str(out))
    assert abs(after.integrated_lufs - -16.0) <= 1.0
    assert after.true_peak_dbtp <= -1.0


def test_limiter_holds_the_ceiling():
    x = (np.sin(np.arange(44100) / 5) * 30000).astype("<i2").tobytes()
    y = np.frombuffer(loudness.gain_and_limit(x, 44100, 6.0, -6.0), dtype="<i2")
    assert np.abs(y.astype(np.int32)).max() <= 32767 * 10 ** (-6 / 20) + 1


def test_ffmpeg_failure_is_an_encoding_error(tmp_path):
    from audio_edition.errors import EncodingError

    with pytest.raises(EncodingError, match="decoding audio failed"):
        ffmpeg.decode_pcm(b"this is not audio at all", sample_rate=16000)


def test_odd_file_names_and_the_lame_header(tmp_path, speechlike):
    """The encoder writes through ffmpeg's tee muxer, whose syntax treats | [ ] : specially."""
    from mutagen.mp3 import MP3, BitrateMode

    out = tmp_path / "edition 2026-11-27 06:00 [a|b].mp3"
    encode_mp3(speechlike, 22050, out, Encoding(), Loudness())
    info = MP3(str(out)).info
    assert info.bitrate_mode == BitrateMode.CBR
    assert abs(info.length - len(speechlike) / 2 / 22050) < 0.06
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_loudness_targets_are_configurable(tmp_path, speechlike):
    out = tmp_path / "quiet.mp3"
    encode_mp3(speechlike, 22050, out, Encoding(), Loudness(integrated_lufs=-23.0, true_peak_dbtp=-3.0))
    m = loudness.measure(None, 0, path=str(out))
    assert abs(m.integrated_lufs - -23.0) <= 1.0
    assert m.true_peak_dbtp <= -3.0 + loudness.PEAK_TOLERANCE_DB
