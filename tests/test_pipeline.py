"""The spine, end to end, with the real Piper voice, real ffmpeg and mutagen reading back."""

import json
import re

import numpy as np
import pytest

from audio_edition import BuildSettings, build, ffmpeg

from conftest import REFERENCE, SAMPLES

CHROME = ["listen to today", "0:00", "subscribe today", "32.95", "free two-week trial", "copy link", "globalpost"]


def story_paragraphs_of_reference() -> list[str]:
    """The story as a reader sees it: the blocks between the player readout and the pitch."""
    blocks = [b.strip() for b in REFERENCE.read_text("utf-8").split("\n\n") if b.strip()]
    start = next(i for i, b in enumerate(blocks) if b.startswith("0:00")) + 1
    end = next(i for i, b in enumerate(blocks) if b.startswith("Subscribe today"))
    return blocks[start:end]


def decoded(mp3, rate=8000):
    return np.frombuffer(ffmpeg.decode_pcm(mp3, sample_rate=rate), dtype="<i2").astype(np.float32), rate


def test_reference_mp3_is_cbr_mono_44k(reference_build):
    from mutagen.mp3 import MP3, BitrateMode

    info = MP3(str(reference_build.mp3)).info
    assert (info.sample_rate, info.channels, info.bitrate_mode) == (44100, 1, BitrateMode.CBR)
    probed = ffmpeg.probe(reference_build.mp3)
    assert (probed["codec"], probed["sample_rate"], probed["channels"], probed["bitrate_kbps"]) == ("mp3", 44100, 1, 64)


def test_reference_tags_read_back(reference_build):
    from mutagen.id3 import ID3

    tags = ID3(str(reference_build.mp3))
    assert str(tags["TIT2"]) == "Stepping Up"
    toc = tags.getall("CTOC")[0]
    chaps = tags.getall("CHAP")
    assert toc.child_element_ids == [c.element_id for c in chaps] == ["ch1"]
    transcript = tags.getall("USLT")[0].text
    for paragraph in story_paragraphs_of_reference():
        assert paragraph in transcript
    for chrome in CHROME:
        assert chrome not in transcript.lower()


def test_reference_manifest_timings_are_real(reference_build):
    import jsonschema

    from audio_edition.publish import manifest

    m = json.loads(reference_build.manifest_path.read_text())
    assert m["schema"] == "audio-edition/manifest@1"
    jsonschema.validate(m, manifest.json_schema())  # the file shipped with the package describes it
    assert manifest.Manifest.from_dict(m).to_dict() == m  # the types hold every field, in order
    assert m["title"] == "Stepping Up"
    assert [p["text"] for p in m["paragraphs"] if p["kind"] == "paragraph"] == story_paragraphs_of_reference()

    samples, rate = decoded(reference_build.mp3)
    duration_ms = len(samples) / rate * 1000
    assert abs(m["audio"]["duration_ms"] - duration_ms) <= 100
    ends = [s["end_ms"] for p in m["paragraphs"] for s in p["sentences"]]
    starts = [s["start_ms"] for p in m["paragraphs"] for s in p["sentences"]]
    assert all(a < b for a, b in zip(starts, ends))
    assert all(e <= s for e, s in zip(ends, starts[1:]))
    assert abs(max(ends) - duration_ms) <= 100
    assert m["chapters"][-1]["end_ms"] == m["audio"]["duration_ms"]

    # Sound starts where the manifest says each sentence starts: quiet just before, speech just after.
    def rms(a_ms, b_ms):
        seg = samples[int(a_ms * rate / 1000) : int(b_ms * rate / 1000)]
        return float(np.sqrt(np.mean(seg**2))) if len(seg) else 0.0

    for start in starts:
        assert rms(start - 150, start - 20) < 0.1 * rms(start, start + 300)

    data = reference_build.mp3.read_bytes()
    assert m["audio"]["bytes"] == len(data)
    import hashlib

    assert m["audio"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_sidecars_agree_with_manifest(reference_build):
    import webvtt

    m = reference_build.manifest.to_dict()
    sentences = [s for p in m["paragraphs"] for s in p["sentences"]]
    cues = list(webvtt.read(str(reference_build.sidecars["vtt"])))

    def ms(stamp):
        h, m, s = stamp.split(":")
        return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)

    # Each sentence's cues (p1.s1, p1.s1.2 ...) tile its time and say its words, two lines of 42 at most.
    for s in sentences:
        own = [c for c in cues if c.identifier == s["id"] or c.identifier.startswith(s["id"] + ".")]
        assert own[0].identifier == s["id"]
        assert (ms(own[0].start), ms(own[-1].end)) == (s["start_ms"], s["end_ms"])
        assert all(ms(a.end) == ms(b.start) for a, b in zip(own, own[1:]))
        assert " ".join(c.text.replace("\n", " ") for c in own) == " ".join(s["text"].split())
        assert all(len(c.lines) <= 2 and all(len(line) <= 42 for line in c.text.split("\n")) for c in own)
        # each word's start, as a karaoke timestamp inside its cue, in order
        stamps = [ms(t) for c in own for t in re.findall(r"<(\d\d:\d\d:\d\d\.\d{3})>", c.raw_text)]
        assert stamps == sorted(stamps) and set(stamps) <= {w["start_ms"] for w in s["words"]}
        assert len(stamps) >= len({w["start_ms"] for w in s["words"]}) - len(own)
    assert len(cues) >= len(sentences)
    chapters = json.loads(reference_build.sidecars["chapters"].read_text())
    assert chapters["version"] == "1.2.0"
    assert [c["title"] for c in chapters["chapters"]] == [c["title"] for c in m["chapters"]]


def test_sections_become_chapters(tmp_path, piper_cache):
    from mutagen.id3 import ID3

    result = build([str(SAMPLES / "river-talks.md")], tmp_path / "r.mp3", BuildSettings(cache_dir=piper_cache))
    m = result.manifest.to_dict()
    assert [c["title"] for c in m["chapters"]] == ["River Talks Resume", "What is at stake", "What comes next"]
    chaps = sorted(ID3(str(result.mp3)).getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.end_time) for c in chaps] == [(c["start_ms"], c["end_ms"]) for c in m["chapters"]]


def test_rerun_and_one_paragraph_edit_with_real_piper(tmp_path):
    story = tmp_path / "s.txt"
    story.write_text("Short Story\n\nThe first paragraph stays.\n\nThe second one will change. It has two sentences.\n")
    settings = BuildSettings(cache_dir=tmp_path / "cache")
    first = build([str(story)], tmp_path / "a.mp3", settings)
    assert (first.synthesized, first.cached) == (4, 0)
    again = build([str(story)], tmp_path / "a.mp3", settings)
    assert (again.synthesized, again.cached) == (0, 4)
    assert again.mp3.read_bytes() == first.mp3.read_bytes()
    story.write_text("Short Story\n\nThe first paragraph stays.\n\nThe second one has changed. It has two sentences.\n")
    edited = build([str(story)], tmp_path / "a.mp3", settings)
    assert (edited.synthesized, edited.cached) == (1, 3)


def test_failed_build_leaves_nothing_at_output(tmp_path):
    from audio_edition.errors import EngineError
    from audio_edition.settings import EngineOptions

    from fakes import FakeEngine

    FakeEngine.fail_on = {"explodes"}
    story = tmp_path / "s.txt"
    story.write_text("Title\n\nThis one is fine.\n\nThis one explodes.\n")
    out = tmp_path / "out" / "e.mp3"
    with pytest.raises(EngineError):
        build([str(story)], out, BuildSettings(engine=EngineOptions(name="fake"), cache_dir=tmp_path / "c"))
    assert list((tmp_path / "out").iterdir()) == []


def test_speed_changes_piper_duration(tmp_path, piper_cache):
    from audio_edition.settings import EngineOptions

    story = tmp_path / "s.txt"
    story.write_text("A sentence long enough to measure how fast the voice reads it aloud today.\n")
    normal = build([str(story)], tmp_path / "n.mp3", BuildSettings(cache_dir=piper_cache))
    fast = build(
        [str(story)], tmp_path / "f.mp3", BuildSettings(cache_dir=piper_cache, engine=EngineOptions(speed=1.5))
    )
    assert fast.duration_ms < 0.8 * normal.duration_ms


def test_title_override_and_metadata(tmp_path, piper_cache):
    import datetime

    from mutagen.id3 import ID3

    from audio_edition.settings import Metadata

    story = tmp_path / "s.txt"
    story.write_text("Headline Here\n\nOne short paragraph.\n")
    meta = Metadata(title="Custom", publication="GlobalPost", author="Desk", date=datetime.date(2026, 11, 27))
    r = build([str(story)], tmp_path / "t.mp3", BuildSettings(cache_dir=piper_cache, metadata=meta))
    tags = ID3(str(r.mp3))
    assert (str(tags["TIT2"]), str(tags["TPE1"]), str(tags["TALB"])) == ("Custom", "Desk", "GlobalPost")
    assert str(tags["TDRC"]) == "2026-11-27"


def test_a_text_far_longer_than_an_edition_stops_in_one_line(tmp_path):
    """A pasted archive instead of a story: refused before hours of synthesis (--max-duration)."""
    from conftest import invoke

    story = tmp_path / "long.txt"
    paragraphs = [
        f"Paragraph {i} tells how the harbour talks went on, day after day, with no end in sight." for i in range(400)
    ]
    story.write_text("Long day\n\n" + "\n\n".join(paragraphs))
    out = invoke("build", str(story), "-o", str(tmp_path / "o" / "e.mp3"), "--engine", "fake", "--max-duration", "5")
    assert out.exit_code == 3 and "longer than --max-duration 5 minutes" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()
    assert invoke("lint", str(story), "--engine", "fake", "--max-duration", "60").exit_code == 0


def test_a_text_not_in_the_voices_script_is_warned_about(tmp_path):
    """An English voice spells Arabic out letter by letter, and `check` cannot tell: say so."""
    from conftest import invoke

    story = tmp_path / "ar.txt"
    story.write_text("العنوان\n\nهذه قصة قصيرة مكتوبة باللغة العربية عن الميناء والمحادثات التي جرت يوم الثلاثاء.\n")
    out = invoke("lint", str(story), "--engine", "fake")
    assert out.exit_code == 0 and "not in the Latin alphabet" in out.stderr and "'en'" in out.stderr
    english = tmp_path / "en.txt"
    english.write_text("Harbor talks\n\nOfficials met again on Tuesday and said the talks had gone well, for once.\n")
    assert "Latin alphabet" not in invoke("lint", str(english), "--engine", "fake").stderr


def test_the_environment_given_is_where_a_build_keeps_its_things(tmp_path):
    """build(env=...) puts its clips and the publication's template in the Environment's cache
    folder, not the process's (a service building for several desks keeps them apart)."""
    import os

    from audio_edition import EngineOptions, Environment
    from audio_edition.environment import default_cache_dir
    from audio_edition.lint import lint

    desk = Environment(cache_dir=tmp_path / "desk-cache", data_dir=tmp_path / "desk-data")
    process = default_cache_dir()
    before = set(os.listdir(process)) if process.exists() else set()
    settings = BuildSettings(engine=EngineOptions(name="fake"))
    page = SAMPLES / "solar-grid.html"
    result = build([str(page)], tmp_path / "e.mp3", settings, env=desk)
    assert result.synthesized > 0
    assert any((desk.cache_dir / "clips-v1").rglob("*.json"))  # its clips
    assert any((desk.cache_dir / "templates").iterdir())  # and what it learnt of the publication
    assert (set(os.listdir(process)) if process.exists() else set()) == before
    assert lint([str(page)], settings, env=desk).cached == result.chunks  # lint reads the same cache


def test_a_sample_builds_a_manifest_its_schema_and_types_hold_and_karaoke_captions(tmp_path, piper_cache):
    """What the reference-page tests check, on a sample the project wrote (CI has no ../shared)."""
    import jsonschema
    import webvtt

    from audio_edition.publish import manifest

    result = build([str(SAMPLES / "harbor-deal.txt")], tmp_path / "h.mp3", BuildSettings(cache_dir=piper_cache))
    m = json.loads(result.manifest_path.read_text())
    jsonschema.validate(m, manifest.json_schema())
    assert manifest.Manifest.from_dict(m).to_dict() == m
    sentences = [s for p in m["paragraphs"] for s in p["sentences"]]
    assert {s["timing"] for s in sentences} == {"engine"}
    cues = list(webvtt.read(str(result.sidecars["vtt"])))
    for s in sentences:
        assert [w["text"] for w in s["words"]] == s["text"].split()
        own = [c for c in cues if c.identifier == s["id"] or c.identifier.startswith(s["id"] + ".")]
        stamps = [t for c in own for t in re.findall(r"<(\d\d:\d\d:\d\d\.\d{3})>", c.raw_text)]
        assert stamps == sorted(stamps) and len(stamps) >= len({w["start_ms"] for w in s["words"]}) - len(own)
    segments = json.loads(result.sidecars["transcript"].read_text())["segments"]
    assert [x["body"] for x in segments] == [w["text"] for s in sentences for w in s["words"]]
