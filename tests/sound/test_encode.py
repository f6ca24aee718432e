import numpy as np
import pytest

from audio_edition import ffmpeg
from audio_edition.settings import Encoding, Loudness
from audio_edition.sound import loudness
from audio_edition.sound.encode import encode_mp3

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


def _edition(texts, rate=22050):
    """A few paragraphs of the fake engine's tones, assembled with cuts on the MP3 frame grid."""
    from audio_edition.settings import Pauses
    from audio_edition.sound import audio
    from audio_edition.sound.encode import frame_grid
    from audio_edition.text.chunks import Chunk
    from audio_edition.voice.clips import ClipResult
    from audio_edition.voice.engines import Clip

    results = [
        ClipResult(Chunk(f"c{i}", f"p{i}", f"s{i}", "ch1", t), Clip(tone(t, rate), rate), "fake", False)
        for i, t in enumerate(texts)
    ]
    return audio.assemble(results, Pauses(), grid=frame_grid(Encoding()))


TEXTS = [  # paragraphs of 2 to 6 seconds (the fake engine speaks 12 ms per character)
    "First paragraph of the test, which goes on for a while. " * 3,
    "A second one, a little longer than the first, as paragraphs go. " * 4,
    "Third, a short one. " * 8,
    "The end, in a sentence or two. " * 5,
]


def test_stretches_encoded_apart_decode_to_exactly_the_edition(tmp_path):
    """Each stretch is its own ffmpeg; joined frame by frame, the file decodes sample-aligned to
    the PCM, with the length of the PCM, like one encode of the whole."""
    from mutagen.mp3 import MP3, BitrateMode

    from audio_edition.sound.encode import stretches

    edition = _edition(TEXTS)
    assert len(stretches(edition.pcm, 22050, Encoding(), edition.cuts)) == len(TEXTS)
    apart, whole = tmp_path / "apart.mp3", tmp_path / "whole.mp3"
    done = encode_mp3(edition.pcm, 22050, apart, Encoding(), Loudness(enabled=False), cuts=edition.cuts, jobs=2)
    assert done.encoded == len(TEXTS)
    encode_mp3(edition.pcm, 22050, whole, Encoding(), Loudness(enabled=False))
    original = np.frombuffer(edition.pcm, dtype="<i2").astype(np.float64)
    for path in (apart, whole):
        decoded = np.frombuffer(ffmpeg.decode_pcm(path, sample_rate=22050), dtype="<i2").astype(np.float64)
        assert len(decoded) == len(original)
        for name, span in edition.spans.items():  # every tone where the manifest says, not a frame off
            a, b = int(span.start_ms * 22.05) + 200, int(span.end_ms * 22.05) - 200
            assert np.corrcoef(decoded[a:b], original[a:b])[0, 1] > 0.98, (path.name, name)
            shifted = np.corrcoef(decoded[a + 1152 : b + 1152], original[a:b])[0, 1]
            assert shifted < 0.9  # the check can tell a frame's shift
    info = MP3(str(apart)).info
    assert (info.bitrate_mode, info.sample_rate) == (BitrateMode.CBR, 44100)
    assert abs(info.length - MP3(str(whole)).info.length) < 0.001


@pytest.mark.parametrize("finishing", [False, True], ids=["plain", "loudness"])
def test_an_edit_encodes_its_own_stretch_only_and_equals_a_cold_encode(tmp_path, finishing):
    """The stretches around an edit come from the cache; the file is the one a cold encode makes.
    With loudness finishing that holds while the gain keeps its step, which a small edit usually
    leaves it on (when it moves, every stretch is made again, and the file is still the same)."""
    from audio_edition.voice.clips import ClipCache

    target = Loudness(enabled=finishing)
    cache = ClipCache(tmp_path / "cache")
    texts = [f"{t} Part {i}." for i, t in enumerate(TEXTS * 2)]  # no two stretches alike
    first = _edition(texts)
    before = encode_mp3(first.pcm, 22050, tmp_path / "a.mp3", Encoding(), target, cuts=first.cuts, cache=cache)
    edited = _edition([texts[0], texts[1].replace("little", "good deal", 1), *texts[2:]])
    warm = encode_mp3(edited.pcm, 22050, tmp_path / "b.mp3", Encoding(), target, cuts=edited.cuts, cache=cache)
    fresh = ClipCache(tmp_path / "new")
    cold = encode_mp3(edited.pcm, 22050, tmp_path / "c.mp3", Encoding(), target, cuts=edited.cuts, cache=fresh)
    same_gain = not finishing or warm.finish.gain_db == before.finish.gain_db
    assert (warm.encoded, warm.reused) == ((1, len(texts) - 1) if same_gain else (len(texts), 0))
    assert (cold.encoded, cold.reused) == (len(texts), 0)
    assert (tmp_path / "b.mp3").read_bytes() == (tmp_path / "c.mp3").read_bytes()
    assert warm.measured == cold.measured


def test_loudness_of_the_stretches_adds_up_to_the_files(tmp_path):
    """Measured stretch by stretch (and cached so), the loudness is what ffmpeg finds in the file."""
    edition = _edition(TEXTS * 3)
    out = tmp_path / "m.mp3"
    done = encode_mp3(edition.pcm, 22050, out, Encoding(), Loudness(), cuts=edition.cuts, jobs=2)
    whole = loudness.measure(None, 0, path=str(out))
    assert abs(done.measured.integrated_lufs - whole.integrated_lufs) <= 0.1
    assert abs(done.measured.true_peak_dbtp - whole.true_peak_dbtp) <= 0.1
    assert abs(done.measured.lra - whole.lra) <= 1.0  # from each stretch's own 3 s windows


def test_the_gain_search_finds_the_closest_step():
    """Against a brute-force scan of the same limiter over the step grid."""
    quiet = (np.frombuffer(_edition(TEXTS * 2).pcm, dtype="<i2") // 16).astype("<i2")  # 24 dB down
    limiter = loudness._Excerpt([quiet.tobytes()], 22050, -4.5)
    grid = {j: limiter.loudness(j * loudness.GAIN_STEP_DB) for j in range(0, 61)}
    aims = [0.3 * grid[12] + 0.7 * grid[13], grid[30] - 0.01, grid[45] + 0.02]
    for aim, guess in zip(aims, (25.0, 2.0, 15.0)):
        best = min(grid, key=lambda j: abs(grid[j] - aim))
        for rough in (False, True):  # a guess from an earlier build, or a rough one
            gain, reached, _ = loudness.search_gain(limiter, aim, guess, rough=rough)
            assert gain == best * loudness.GAIN_STEP_DB
            assert reached == pytest.approx(grid[best])


def test_an_aim_out_of_the_limiters_reach_gets_the_same_gain_from_any_first_guess():
    """The path the search takes depends on its first guess; its answer must not."""
    limiter = loudness._Excerpt([_edition(TEXTS[:2]).pcm], 22050, -4.5)
    answers = {loudness.search_gain(limiter, 0.0, guess)[0] for guess in (0.0, 20.0)}  # 0 LUFS: out of reach
    assert answers == {loudness.GAIN_BOUND_DB}


def test_the_next_gain_search_starts_where_the_last_ended(tmp_path, monkeypatch):
    """The same edition again: one round of two tries, around the last solution, and the same gain."""
    from audio_edition.voice.clips import ClipCache

    tries = []
    real = loudness._Excerpt.loudness
    monkeypatch.setattr(loudness._Excerpt, "loudness", lambda self, gain: tries.append(gain) or real(self, gain))
    # The fake engine's tones lose ~0.5 LU in the encoder, which may call for a second pass: not
    # what this test is about.
    monkeypatch.setattr(loudness, "TOLERANCE_LU", 1.0)
    cache = ClipCache(tmp_path / "cache")
    edition = _edition(TEXTS)
    first = encode_mp3(edition.pcm, 22050, tmp_path / "a.mp3", Encoding(), Loudness(), cuts=edition.cuts, cache=cache)
    tries.clear()
    again = encode_mp3(edition.pcm, 22050, tmp_path / "b.mp3", Encoding(), Loudness(), cuts=edition.cuts, cache=cache)
    step = loudness.GAIN_STEP_DB
    start = (first.finish.solution_db // step) * step
    assert sorted(tries, key=repr) == sorted([None, start, start + step], key=repr)  # None: unprocessed
    assert again.finish.gain_db == first.finish.gain_db


def test_an_edit_measures_the_loudness_of_its_own_stretch_only(tmp_path, monkeypatch):
    """The other stretches' loudness blocks come from the cache: an edit measures one part, at
    the unprocessed level and at the two steps around the last solution."""
    from audio_edition.voice.clips import ClipCache

    cache = ClipCache(tmp_path / "cache")
    texts = [f"{t} Part {i}." for i, t in enumerate(TEXTS * 2)]
    first = _edition(texts)
    encode_mp3(first.pcm, 22050, tmp_path / "a.mp3", Encoding(), Loudness(), cuts=first.cuts, cache=cache)
    measured = []
    real = loudness._block_powers
    monkeypatch.setattr(loudness, "_block_powers", lambda chunks, rate: measured.append(1) or real(chunks, rate))
    edited = _edition([texts[0], texts[1].replace("little", "good deal", 1), *texts[2:]])
    encode_mp3(edited.pcm, 22050, tmp_path / "b.mp3", Encoding(), Loudness(), cuts=edited.cuts, cache=cache)
    assert len(measured) == 3


def test_an_older_ffmpeg_measures_in_a_run_of_its_own(tmp_path, monkeypatch):
    """Without loopback decoders (ffmpeg < 7.1) each stretch is measured by a second ffmpeg: the
    same MP3, and the same loudness within what the two decodes' alignment changes."""
    edition = _edition(TEXTS * 2)
    one = encode_mp3(edition.pcm, 22050, tmp_path / "a.mp3", Encoding(), Loudness(), cuts=edition.cuts, jobs=2)
    monkeypatch.setattr(ffmpeg, "has_loopback_decoders", lambda: False)
    two = encode_mp3(edition.pcm, 22050, tmp_path / "b.mp3", Encoding(), Loudness(), cuts=edition.cuts, jobs=2)
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()
    assert abs(one.measured.integrated_lufs - two.measured.integrated_lufs) <= 0.1
    assert abs(one.measured.true_peak_dbtp - two.measured.true_peak_dbtp) <= 0.1


def test_stretches_encoded_early_at_a_gain_the_search_does_not_find_are_not_used(tmp_path):
    """An edit's stretches are encoded at the last build's gain while the gain is searched; when
    the search ends elsewhere, they are made again at its gain: the file a cold encode makes."""
    import json

    from audio_edition.cache import GAINS
    from audio_edition.sound.encode import _gain_memory_key
    from audio_edition.voice.clips import ClipCache

    cache = ClipCache(tmp_path / "cache")
    edition = _edition(TEXTS)
    first = encode_mp3(edition.pcm, 22050, tmp_path / "a.mp3", Encoding(), Loudness(), cuts=edition.cuts, cache=cache)
    key = _gain_memory_key(Loudness(), Encoding(), 22050)
    editions = json.loads(cache.read(GAINS, key)[0])
    assert editions[0]["gain_db"] == first.finish.gain_db
    editions[0]["gain_db"] += 3.0  # a gain this edition will not get
    cache.write(GAINS, key, json.dumps(editions).encode())
    again = encode_mp3(edition.pcm, 22050, tmp_path / "b.mp3", Encoding(), Loudness(), cuts=edition.cuts, cache=cache)
    assert again.finish.gain_db == first.finish.gain_db
    assert (tmp_path / "b.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()


def test_each_edition_starts_from_its_own_last_gain(tmp_path, monkeypatch):
    """A story built in between neither lends its gain to the next build of another (which is
    not encoded at it while the search runs) nor makes it forget its own."""
    from audio_edition.sound import encode
    from audio_edition.voice.clips import ClipCache

    monkeypatch.setattr(loudness, "TOLERANCE_LU", 1.0)  # the fake tones' encoder loss: see above
    renders = []  # the gain each render of the stretches is made at
    real = encode._render
    monkeypatch.setattr(encode, "_render", lambda *a: renders.append(a[5].gain_db) or real(*a))
    cache = ClipCache(tmp_path / "cache")

    def build(edition, name, scale=1):
        pcm = (np.frombuffer(edition.pcm, dtype="<i2") // scale).astype("<i2").tobytes()
        return encode_mp3(pcm, 22050, tmp_path / name, Encoding(), Loudness(), cuts=edition.cuts, cache=cache)

    story_a = build(_edition(TEXTS), "a.mp3")
    renders.clear()
    story_b = build(_edition([t.upper() for t in TEXTS]), "b.mp3", scale=4)  # 12 dB quieter: another gain
    assert story_b.finish.gain_db != story_a.finish.gain_db
    assert renders == [story_b.finish.gain_db]  # encoded once, at its own gain
    renders.clear()
    tries = []
    real_loudness = loudness._Excerpt.loudness
    monkeypatch.setattr(
        loudness._Excerpt, "loudness", lambda self, gain: tries.append(gain) or real_loudness(self, gain)
    )
    edited = build(_edition([TEXTS[0], TEXTS[1].replace("little", "good deal"), *TEXTS[2:]]), "a2.mp3")
    start = (story_a.finish.solution_db // loudness.GAIN_STEP_DB) * loudness.GAIN_STEP_DB
    assert sorted(tries, key=repr) == sorted([None, start, start + loudness.GAIN_STEP_DB], key=repr)  # from A's
    assert renders[0] == story_a.finish.gain_db  # encoded at A's gain while the search ran
    assert (edited.encoded, edited.reused) == (1, len(TEXTS) - 1)


def test_readers_take_the_length_from_the_lame_tag(tmp_path, speechlike):
    """mutagen honours the encoder delay and padding (behind a LAME version string), so its length
    is the decoded audio's, within 5 ms; the tag's CRC covers the frame up to the CRC field."""
    from mutagen.mp3 import MP3

    from audio_edition.sound.encode import _crc16

    out = tmp_path / "a.mp3"
    encode_mp3(speechlike, 22050, out, Encoding(), Loudness(enabled=False))
    info = MP3(str(out)).info
    decoded = len(ffmpeg.decode_pcm(out, sample_rate=44100)) / 2 / 44100
    assert info.encoder_info.startswith("LAME ")  # the frames' own LAME (4.1 alpha here), which readers honour
    assert abs(info.length - decoded) < 0.005
    assert abs(decoded - len(speechlike) / 2 / 22050) < 0.005  # and the decoded audio is the PCM's length
    head = out.read_bytes()[:1000]
    at = head.find(b"Info")
    assert int.from_bytes(head[at + 154 : at + 156], "big") == _crc16(head[: at + 154])


def test_the_manifest_and_the_tags_say_the_decoded_duration(tmp_path):
    from mutagen.id3 import ID3

    from audio_edition import BuildSettings, build
    from audio_edition.settings import EngineOptions

    from conftest import SAMPLES

    result = build([str(SAMPLES / "harbor-deal.txt")], tmp_path / "e.mp3",
                   BuildSettings(engine=EngineOptions(name="fake"), cache_dir=tmp_path / "c"))  # fmt: skip
    decoded_ms = len(ffmpeg.decode_pcm(result.mp3, sample_rate=44100)) / 2 / 44.1
    assert abs(result.duration_ms - decoded_ms) <= 5
    assert abs(int(str(ID3(str(result.mp3))["TLEN"])) - decoded_ms) <= 5


def test_edited_render_metadata_is_not_believed(tmp_path):
    """Loudness blocks and remembered gains decide the file: an edited one is corrupt, not a fact."""
    import json

    from audio_edition.cache import GAINS, STRETCHES
    from audio_edition.voice.clips import ClipCache

    cache = ClipCache(tmp_path / "cache")
    edition = _edition(TEXTS)
    encode_mp3(edition.pcm, 22050, tmp_path / "a.mp3", Encoding(), Loudness(), cuts=edition.cuts, cache=cache)
    edited = 0
    for path in (tmp_path / "cache" / STRETCHES.folder).glob("*.json"):
        meta = json.loads(path.read_text())  # a stretch's loudness blocks, as if it were 10 dB louder
        meta["m"] = [v + 10 for v in meta["m"]]
        meta["s"] = [v + 10 for v in meta["s"]]
        path.write_text(json.dumps(meta))
        edited += 1
    for path in (tmp_path / "cache" / GAINS.folder).glob(f"*{GAINS.suffix}"):
        editions = json.loads(path.read_text())  # the remembered gain, 3 dB off
        editions[0]["gain_db"] += 3
        path.write_text(json.dumps(editions))
        edited += 1
    assert edited >= 2
    again = encode_mp3(edition.pcm, 22050, tmp_path / "b.mp3", Encoding(), Loudness(), cuts=edition.cuts, cache=cache)
    assert (tmp_path / "b.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()
    assert abs(again.measured.integrated_lufs - Loudness().integrated_lufs) < 1.0


def test_the_info_header_describes_a_cbr_stream_by_the_encoder_of_its_frames(tmp_path):
    """Its method, bitrate, lowpass and quality bytes were zero (mpg123 said "vbr", mediainfo
    "-V 10 -q 0") and it named LAME 3.100 over frames that LAME 4.1 alpha wrote."""
    import re
    import shutil
    import subprocess

    from mutagen.mp3 import MP3, BitrateMode

    from audio_edition.settings import Encoding, Loudness
    from audio_edition.sound.encode import encode_mp3

    from fakes import tone

    out = tmp_path / "cbr.mp3"
    encode_mp3(tone("x" * 400, 16000), 16000, out, Encoding(), Loudness(enabled=False))
    data = out.read_bytes()
    frames_say = re.search(rb"LAME(\d+\.\d+)", data[data.find(b"Info") + 200 :]).group(1)
    info = MP3(str(out)).info
    assert info.bitrate_mode == BitrateMode.CBR and info.encoder_settings == "-b 64"
    assert data[data.find(b"Info") + 120 :].startswith(b"LAME" + frames_say)
    if shutil.which("mpg123"):
        said = subprocess.run(["mpg123", "-v", "-t", "-n1", str(out)], capture_output=True, text=True).stderr
        assert "cbr64" in said, said
    if shutil.which("mediainfo"):
        said = subprocess.run(["mediainfo", str(out)], capture_output=True, text=True).stdout
        assert re.search(r"Bit rate mode\s*: Constant", said) and "-b 64" in said, said
