"""A three-story edition from the samples (text, Markdown, HTML), checked as a podcast app would."""

import json
import shutil

import numpy as np
import pytest

from audio_edition import ffmpeg
from audio_edition.sound import loudness

from conftest import SAMPLES, invoke
from fakes import FakeEngine

EDITION = """
publication = "GlobalPost"
date = 2026-11-27
cover = "cover.png"
description = "Three stories from around the world."

[[story]]
path = "harbor-deal.txt"
url = "https://example.org/world/harbor-deal"

[[story]]
path = "river-talks.md"
url = "https://example.org/world/river-talks"

[[story]]
path = "solar-grid.html"
"""


def png(path, size=64):
    """A real PNG, written by ffmpeg."""
    ffmpeg.run(["-f", "lavfi", "-i", f"color=c=navy:s={size}x{size}", "-frames:v", "1", "-y", str(path)])
    return path


@pytest.fixture(scope="module")
def edition(tmp_path_factory, piper_cache):
    folder = tmp_path_factory.mktemp("edition")
    for name in ("harbor-deal.txt", "river-talks.md", "solar-grid.html"):
        shutil.copy(SAMPLES / name, folder / name)
    png(folder / "cover.png")
    (folder / "edition.toml").write_text(EDITION)
    out = folder / "out" / "today.mp3"
    result = invoke("build", str(folder / "edition.toml"), "-o", str(out), "--cache-dir", str(piper_cache))
    assert result.exit_code == 0, result.stderr
    return out, json.loads(out.with_suffix(".json").read_text())


def test_one_chapter_per_story_with_matching_chap_frames(edition):
    from mutagen.id3 import ID3

    out, m = edition
    # the intro is a chapter of its own, from the start of the file to the first story (issue #30)
    intro, *stories = m["chapters"]
    assert (intro["id"], intro["title"], intro["start_ms"]) == ("intro", m["title"], 0)
    assert intro["end_ms"] == stories[0]["start_ms"] > m["paragraphs"][0]["end_ms"]
    assert [c["title"] for c in stories] == ["Harbor Deal", "River Talks Resume", "Desert Solar Grid Opens"]
    chaps = sorted(ID3(str(out)).getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.element_id, c.start_time, c.end_time) for c in chaps] == [
        (c["id"], c["start_ms"], c["end_ms"]) for c in m["chapters"]
    ]
    assert [s["url"] for s in m["stories"]] == [
        "https://example.org/world/harbor-deal",
        "https://example.org/world/river-talks",
        "https://example.org/world/desert-solar-grid-opens",  # the page's own canonical URL
    ]
    assert [s["chapter"] for s in m["stories"]] == ["ch1", "ch2", "ch3"]


def test_intro_outro_and_default_title(edition):
    _, m = edition
    assert m["title"] == "GlobalPost — Friday, November 27, 2026"
    first, last = m["paragraphs"][0], m["paragraphs"][-1]
    assert (first["kind"], first["chapter"]) == ("intro", None)
    assert first["text"] == "This is GlobalPost for Friday, November 27. Three stories today."
    assert last["kind"] == "outro" and "Thanks for listening" in last["text"]


def test_each_chapter_starts_with_speech_found_by_silence_detection(edition):
    out, m = edition
    rate = 16000
    x = np.abs(np.frombuffer(ffmpeg.decode_pcm(out, sample_rate=rate), dtype="<i2").astype(np.int32))
    frame = rate // 200  # 5 ms
    rms = np.sqrt(np.mean(x[: len(x) // frame * frame].reshape(-1, frame).astype(np.float64) ** 2, axis=1))
    sound = rms > 32768 * 10 ** (-45 / 20)
    for chapter in m["chapters"][1:]:  # the intro's chapter starts the file
        start = chapter["start_ms"] // 5
        before = start - 300 // 5  # the chapter pause lies before it
        onset = before + int(np.argmax(sound[before:]))
        assert not sound[before : start - 100 // 5].any(), chapter["title"]
        assert abs(onset * 5 - chapter["start_ms"]) <= 100, (chapter["title"], onset * 5, chapter["start_ms"])


def test_loudness_measured_by_ffmpeg(edition):
    out, _ = edition
    m = loudness.measure(None, 0, path=str(out))
    assert abs(m.integrated_lufs - -16) <= 1
    assert m.true_peak_dbtp <= -1


def test_eyed3_and_mutagen_read_title_chapters_cover_transcript(edition):
    import eyed3
    from mutagen.id3 import ID3

    out, m = edition
    titles = [c["title"] for c in m["chapters"]]
    times = [(c["start_ms"], c["end_ms"]) for c in m["chapters"]]

    tag = eyed3.load(str(out)).tag
    assert tag.version[:2] == (2, 4)
    assert tag.title == m["title"]
    chapters = sorted(tag.chapters, key=lambda c: c.times.start)
    assert [c.title for c in chapters] == titles
    assert [(c.times.start, c.times.end) for c in chapters] == times
    toc = list(tag.table_of_contents)[0]
    assert toc.toplevel and toc.ordered and [c.decode() for c in toc.child_ids] == ["intro", "ch1", "ch2", "ch3"]
    assert tag.images[0].mime_type == "image/png" and tag.images[0].image_data.startswith(b"\x89PNG")
    lyrics = tag.lyrics[0].text
    for p in m["paragraphs"]:
        assert p["text"] in lyrics

    tags = ID3(str(out))
    assert str(tags["TIT2"]) == m["title"]
    assert sorted(str(c.sub_frames["TIT2"]) for c in tags.getall("CHAP")) == sorted(titles)
    assert tags.getall("APIC")[0].data.startswith(b"\x89PNG")
    assert tags.getall("USLT")[0].text == lyrics
    assert str(tags.getall("COMM")[0]) == "Three stories from around the world."
    assert tags.getall("PCST")[0].value == 1


def test_vtt_parses_and_matches_the_manifest(edition):
    import webvtt

    out, m = edition

    def ms(stamp):
        h, mi, s = stamp.split(":")
        return round((int(h) * 3600 + int(mi) * 60 + float(s)) * 1000)

    cues = list(webvtt.read(str(out.with_suffix(".vtt"))))
    sentences = [s for p in m["paragraphs"] for s in p["sentences"]]
    firsts = [c for c in cues if c.identifier.count(".") == 1]  # a sentence's first cue: p3.s2
    assert [(c.identifier, ms(c.start)) for c in firsts] == [(s["id"], s["start_ms"]) for s in sentences]
    ends = {s["id"]: s["end_ms"] for s in sentences}
    last = {c.identifier.rsplit(".", 1)[0] if c.identifier.count(".") == 2 else c.identifier: ms(c.end) for c in cues}
    assert last == ends
    chapters = json.loads(out.with_name("today.chapters.json").read_text())["chapters"]
    assert [c["startTime"] for c in chapters] == [c["start_ms"] / 1000 for c in m["chapters"]]
    assert "url" not in chapters[0] and chapters[1]["url"] == "https://example.org/world/harbor-deal"


def test_check_passes_then_fails_on_a_clipped_file_and_a_tampered_manifest(edition, tmp_path):
    out, m = edition
    ok = invoke("check", str(out), "--json")
    assert ok.exit_code == 0, ok.stdout
    assert json.loads(ok.stdout)["ok"] is True

    # Clipped: the same audio, four times louder, hard-clipped, re-encoded; manifest copied beside it.
    clipped = tmp_path / "clipped.mp3"
    x = np.frombuffer(ffmpeg.decode_pcm(out, sample_rate=44100), dtype="<i2").astype(np.int32) * 4
    pcm = np.clip(x, -32768, 32767).astype("<i2").tobytes()
    ffmpeg.run(
        ["-f", "s16le", "-ar", "44100", "-ac", "1", "-i", "pipe:0", "-b:a", "64k", "-y", str(clipped)], input=pcm
    )
    clipped.with_suffix(".json").write_text(json.dumps(m))
    result = invoke("check", str(clipped), "--json")
    assert result.exit_code == 1
    failed = {c["name"] for c in json.loads(result.stdout)["checks"] if not c["ok"]}
    assert "clipping" in failed and "loudness" in failed

    # Tampered: a chapter moved in the manifest only.
    copy = tmp_path / "copy.mp3"
    shutil.copy(out, copy)
    tampered = json.loads(json.dumps(m))
    tampered["chapters"][1]["start_ms"] += 1500
    copy.with_suffix(".json").write_text(json.dumps(tampered))
    result = invoke("check", str(copy))
    assert result.exit_code == 1
    assert "FAIL  manifest agrees with the MP3: CHAP frames differ" in result.stdout


def test_check_flags_a_truncated_chunk(edition, tmp_path):
    out, m = edition
    copy = tmp_path / "t.mp3"
    shutil.copy(out, copy)
    bad = json.loads(json.dumps(m))
    longest = max(bad["chunks"], key=lambda c: c["chars"])
    longest["end_ms"] = longest["start_ms"] + 300  # as if the engine stopped after a word
    copy.with_suffix(".json").write_text(json.dumps(bad))
    result = invoke("check", str(copy), "--json")
    assert result.exit_code == 1
    chunks = next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "chunk durations")
    assert [o[0] for o in chunks["values"]["outliers"]] == [longest["id"]]


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda m: m["paragraphs"][0]["sentences"][0].pop("start_ms"), "at paragraphs/0/sentences/0: 'start_ms'"),
        (lambda m: m["audio"].update(duration_ms="long"), "at audio/duration_ms: 'long' is not of type 'integer'"),
        (lambda m: m["chunks"][0].update(fell_back="no"), "at chunks/0/fell_back: 'no' is not of type 'boolean'"),
    ],
)
def test_check_reads_the_manifest_by_its_json_schema(edition, tmp_path, break_it, message):
    """A manifest that breaks the shipped JSON Schema is one line naming where, exit 3."""
    out, m = edition
    copy = tmp_path / "s.mp3"
    shutil.copy(out, copy)
    bad = json.loads(json.dumps(m))
    break_it(bad)
    copy.with_suffix(".json").write_text(json.dumps(bad))
    result = invoke("check", str(copy))
    assert result.exit_code == 3
    assert f"s.json: not a valid audio-edition/manifest@1 manifest, {message}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_framing_options_with_the_fake_engine(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(f"Story {name.upper()}\n\nThe body of story {name}.\n")
    chime = tmp_path / "chime.wav"
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=880:duration=0.5", "-y", str(chime)])
    jingle = tmp_path / "jingle.wav"
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-y", str(jingle)])
    out = tmp_path / "e.mp3"
    result = invoke(
        "build", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(out), "--engine", "fake",
        "--cache-dir", str(tmp_path / "c"), "--publication", "The World Today", "--date", "2026-11-27",
        "--intro", "Welcome to {publication}, {weekday} {month} {day}, {year}: {count_number} stories.",
        "--no-outro", "--transition", "Next", "--transition-audio", str(chime), "--jingle", str(jingle),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    m = json.loads(out.with_suffix(".json").read_text())
    kinds = [p["kind"] for p in m["paragraphs"]]
    assert kinds == ["intro", "title", "paragraph", "transition", "title", "paragraph"]
    assert m["paragraphs"][0]["text"] == "Welcome to The World Today, Friday November 27, 2026: 2 stories."
    # The jingle plays before the intro, faded in: quiet at first, loud after the fade.
    x = np.abs(np.frombuffer(ffmpeg.decode_pcm(out, sample_rate=8000), dtype="<i2").astype(np.int32))
    assert x[:160].max() < x[8000:12000].max() / 4
    assert m["paragraphs"][0]["start_ms"] > 2000
    # The chime sits between the transition and the second story.
    t_end, b_start = m["paragraphs"][3]["end_ms"], m["paragraphs"][4]["start_ms"]
    middle = x[int((t_end + 100) * 8) : int((b_start - 100) * 8)]
    assert middle.max() > 1000


@pytest.mark.parametrize(
    "content, message",
    [
        ('publication = "X"\n', "list the stories"),
        ('colour = "red"\n[[story]]\npath = "a.txt"\n', "unknown key(s) colour"),
        ("[[story]]\nurl = 'x'\n", "story #1 needs a path"),
        ('date = "27/11/2026"\n[[story]]\npath = "a.txt"\n', "is not like 2026-11-27"),
    ],
)
def test_bad_edition_files(tmp_path, content, message):
    f = tmp_path / "e.toml"
    f.write_text(content)
    result = invoke("build", str(f), "-o", str(tmp_path / "e.mp3"), "--engine", "fake")
    assert result.exit_code == 2 and message in result.stderr


def test_command_line_beats_the_edition_file(tmp_path):
    (tmp_path / "a.txt").write_text("Story A\n\nBody.\n")
    (tmp_path / "e.toml").write_text('publication = "From File"\ndate = 2026-11-01\n[[story]]\npath = "a.txt"\n')
    out = tmp_path / "e.mp3"
    args = ["build", str(tmp_path / "e.toml"), "-o", str(out), "--engine", "fake", "--cache-dir", str(tmp_path / "c")]
    assert invoke(*args).exit_code == 0
    m = json.loads(out.with_suffix(".json").read_text())
    assert (m["publication"], m["date"]) == ("From File", "2026-11-01")
    assert invoke(*args, "--publication", "From CLI").exit_code == 0
    m = json.loads(out.with_suffix(".json").read_text())
    assert (m["publication"], m["date"]) == ("From CLI", "2026-11-01")


@pytest.mark.parametrize(
    "entry",
    [
        '[[story]]\npath = "../secret/credentials"\n',
        '[[story]]\npath = "{outside}"\n',
        'jingle = "../secret/jingle.mp3"\n[[story]]\npath = "a.txt"\n',
        'transition_audio = "{outside}"\n[[story]]\npath = "a.txt"\n',
        'cover = "../secret/cover.png"\n[[story]]\npath = "a.txt"\n',
    ],
)
def test_an_edition_file_cannot_reach_outside_its_folder(tmp_path, entry):
    """A pipeline that takes edition files from a CMS must not publish whatever file they name."""
    from conftest import invoke

    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "credentials").write_text("Password hunter2 for the production database, do not share.")
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "a.txt").write_text("Harbor talks\n\nOfficials met again on Tuesday and said the talks had gone well.\n")
    (desk / "ed.toml").write_text(entry.replace("{outside}", str(secret / "credentials")))
    out = invoke("build", str(desk / "ed.toml"), "-o", str(tmp_path / "out" / "e.mp3"), "--engine", "fake")
    assert out.exit_code == 2 and "outside the edition file's folder" in out.stderr and "\n" not in out.stderr.strip()
    assert not (tmp_path / "out" / "e.mp3").exists()
    if "credentials" in entry or "{outside}" in entry and "transition" not in entry:
        allowed = invoke("lint", str(desk / "ed.toml"), "--allow-outside", "--engine", "fake", "--json")
        assert allowed.exit_code == 0 and "hunter2" in allowed.stdout


@pytest.mark.parametrize(
    "entry, message",
    [
        ("[[story]]\npath = 123\n", "needs a path (a string)"),
        ('cover = 5\n[[story]]\npath = "a.txt"\n', "cover must be a string"),
        ('date = 5\n[[story]]\npath = "a.txt"\n', "date must be a string or a date"),
        ('title = 5\n[[story]]\npath = "a.txt"\n', "title must be a string"),
        ('title = true\n[[story]]\npath = "a.txt"\n', "title must be a string"),
        ('[[story]]\npath = "a.txt"\nurl = 7\n', "url must be a string"),
    ],
)
def test_edition_values_of_the_wrong_type_are_one_line_errors(tmp_path, entry, message):
    from conftest import invoke

    (tmp_path / "a.txt").write_text("Harbor talks\n\nOfficials met again on Tuesday.\n")
    (tmp_path / "ed.toml").write_text(entry)
    out = invoke("build", str(tmp_path / "ed.toml"), "-o", str(tmp_path / "e.mp3"), "--engine", "fake")
    assert out.exit_code == 2 and message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_the_library_builds_an_edition_file_as_the_cli_does(edition, piper_cache):
    """What a CMS calls from Python: ``build(["today.toml"], out)``, not the TOML read as a story."""
    from procs import outputs

    from audio_edition import BuildSettings, build

    out, _ = edition
    mine = out.parent.parent / "library" / "today.mp3"
    result = build([str(out.parent.parent / "edition.toml")], mine, BuildSettings(cache_dir=piper_cache))
    assert result.chunks > 10 and result.synthesized == 0  # the CLI's clips: the same sentences
    assert outputs(mine) == outputs(out)


def test_each_story_and_the_framing_speak_in_the_voice_the_edition_gives_them(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"Story {name.upper()}\n\nThe body of story {name}.\n")
    edition_file = tmp_path / "e.toml"
    edition_file.write_text(
        'voice = "house"\nanchor_voice = "anchor"\n'
        '[[story]]\npath = "a.txt"\nvoice = "desk-one"\n'
        '[[story]]\npath = "b.txt"\n'
        '[[story]]\npath = "c.txt"\nvoice = "desk-two"\n'
    )
    out, cache = tmp_path / "e.mp3", tmp_path / "c"
    args = ["build", str(edition_file), "-o", str(out), "--engine", "fake", "--cache-dir", str(cache)]
    assert invoke(*args).exit_code == 0
    said = {text: voice for voice, text in FakeEngine.voiced}
    assert said["The body of story a."] == "desk-one"
    assert said["The body of story b."] == "house"  # no voice of its own: the edition's
    assert said["The body of story c."] == "desk-two"
    framing = [text for text in said if "Today's Edition" in text or "stories today" in text or "listening" in text]
    assert len(framing) >= 3 and {said[text] for text in framing} == {"anchor"}

    # A story's new voice re-voices that story alone (the voice is part of each clip's key).
    FakeEngine.voiced.clear()
    edition_file.write_text(edition_file.read_text().replace('"desk-two"', '"desk-three"'))
    assert invoke(*args).exit_code == 0
    assert sorted(FakeEngine.voiced) == [("desk-three", "Story C."), ("desk-three", "The body of story c.")]
    # --voice on the command line beats the edition's voice, not a story's own (those are cached).
    FakeEngine.voiced.clear()
    assert invoke(*args, "--voice", "cli").exit_code == 0
    assert sorted(FakeEngine.voiced) == [("cli", "Story B."), ("cli", "The body of story b.")]


@pytest.mark.parametrize(
    "entry, message",
    [
        ('[[story]]\npath = "a.txt"\nvoice = 3\n', "story #1's voice must be a string"),
        ('[[story]]\npath = "a.txt"\ncolour = "red"\n', "story #1 has unknown key(s) colour"),
        ('voice = ""\n[[story]]\npath = "a.txt"\n', "voice must name a voice"),
        ('[[story]]\npath = "a.txt"\nvoice = "../../voices/x.onnx"\n', "outside the edition file's folder"),
    ],
)
def test_bad_voices_in_an_edition_file(tmp_path, entry, message):
    (tmp_path / "a.txt").write_text("A story.\n")
    (tmp_path / "e.toml").write_text(entry)
    result = invoke("build", str(tmp_path / "e.toml"), "-o", str(tmp_path / "e.mp3"), "--engine", "fake")
    assert result.exit_code == 2 and message in result.stderr


def test_an_edition_file_is_read_once_however_many_stages_resolve_it(tmp_path, monkeypatch):
    """The CLI, lint and build each resolve their inputs: the file is read by the first only,
    and a story whose name ends in .toml is a story, not another edition to expand."""
    from audio_edition import edition
    from audio_edition.settings import BuildSettings

    (tmp_path / "notes.toml").write_text("Port deal\n\nThe port signed a deal with the dock workers on Monday.\n")
    (tmp_path / "today.toml").write_text('title = "Today"\n\n[[story]]\npath = "notes.toml"\n')
    reads = []
    real = edition.load
    monkeypatch.setattr(edition, "load", lambda *a, **k: reads.append(a) or real(*a, **k))
    stories, settings = edition.resolve([str(tmp_path / "today.toml")], BuildSettings())
    again, same = edition.resolve(stories, settings)
    assert again == stories == [str(tmp_path / "notes.toml")] and same is settings
    assert len(reads) == 1
