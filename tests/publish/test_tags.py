import json

import pytest

from audio_edition.publish.tags import iso639_2, write_tags
from audio_edition.settings import Encoding, Loudness
from audio_edition.sound.encode import encode_mp3

from fakes import manifest, tone

MANIFEST = {
    "title": "Stepping Up",
    "author": "GlobalPost",
    "publication": "GlobalPost",
    "date": "2026-11-27",
    "language": "en",
    "description": "A & B <c>",
    "url": "https://example.org/story",
    "audio": {"duration_ms": 4000},
    "chapters": [
        {"id": "ch1", "title": "Part one", "start_ms": 250, "end_ms": 2000, "url": None},
        {"id": "ch2", "title": "Part two — Moïse", "start_ms": 2000, "end_ms": 4000, "url": "https://example.org/2"},
    ],
}


@pytest.fixture
def mp3(tmp_path):
    out = tmp_path / "t.mp3"
    encode_mp3(tone("x" * 330, 16000), 16000, out, Encoding(), Loudness(enabled=False))
    return out


def test_tags_read_back_with_mutagen(mp3, tmp_path):
    from mutagen.id3 import ID3

    cover = tmp_path / "c.png"
    cover.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    write_tags(mp3, manifest(**MANIFEST), transcript="Para one.\n\nPara two.", cover=cover)
    tags = ID3(str(mp3))
    assert tags.version[:2] == (2, 4)
    assert str(tags["TIT2"]) == "Stepping Up"
    assert str(tags["TPE1"]) == "GlobalPost"
    assert str(tags["TALB"]) == "GlobalPost"
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TLAN"]) == "eng"
    assert str(tags["TLEN"]) == "4000"
    assert tags.getall("USLT")[0].text == "Para one.\n\nPara two."
    assert tags.getall("COMM")[0].text == ["A & B <c>"]
    assert tags.getall("APIC")[0].mime == "image/png"
    assert tags["WOAS"].url == "https://example.org/story"
    toc = tags.getall("CTOC")[0]
    assert toc.child_element_ids == ["ch1", "ch2"]
    assert str(toc.sub_frames["TIT2"]) == "Stepping Up"
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.element_id, c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        ("ch1", 250, 2000, "Part one"),
        ("ch2", 2000, 4000, "Part two — Moïse"),
    ]
    assert chaps[1].sub_frames.getall("WXXX")[0].url == "https://example.org/2"


def test_retagging_replaces_not_appends(mp3):
    from mutagen.id3 import ID3

    write_tags(mp3, manifest(**MANIFEST), transcript="one")
    write_tags(mp3, manifest(**{**MANIFEST, "title": "Second"}), transcript="two")
    tags = ID3(str(mp3))
    assert tags.getall("TIT2")[0].text == ["Second"]
    assert len(tags.getall("USLT")) == 1 and len(tags.getall("CHAP")) == 2


def test_cover_must_be_an_image(mp3, tmp_path):
    from audio_edition.errors import InputError

    bad = tmp_path / "c.jpg"
    bad.write_text("not an image")
    with pytest.raises(InputError, match="not a JPEG or PNG"):
        write_tags(mp3, manifest(**MANIFEST), transcript="x", cover=bad)


@pytest.mark.parametrize(
    "code, expected",
    [
        ("en", "eng"),
        ("fr-CA", "fra"),
        ("en_US", "eng"),
        ("PT_br", "por"),
        ("yue", "yue"),
        ("xx", "und"),
        ("ro", "ron"),
        ("cs", "ces"),
        ("zu", "zul"),
    ],  # fmt: skip
)
def test_language_codes(code, expected):
    assert iso639_2(code) == expected


def test_chapters_are_stored_in_time_order_and_eyed3_reads_the_file_without_a_warning(mp3, caplog):
    """libavformat (ffprobe, every ffmpeg-based player) lists chapters in stored order; eyeD3 reads
    a v2.3 TDAT of the 1st-9th as a bad year, and the LAME CRC of a mono frame at the stereo place."""
    import logging
    import shutil
    import subprocess

    import eyed3

    chapters = [
        {"id": "ch1", "title": "A long first chapter title, longer than the others", "start_ms": 250, "end_ms": 1000,
         "url": None},
        {"id": "ch2", "title": "Mid", "start_ms": 1000, "end_ms": 2500, "url": None},
        {"id": "ch3", "title": "The last one, of middling length", "start_ms": 2500, "end_ms": 4000, "url": None},
    ]  # fmt: skip
    write_tags(mp3, manifest(**{**MANIFEST, "date": "2026-12-01", "chapters": chapters}), transcript="x")
    with caplog.at_level(logging.WARNING, logger="eyed3"):
        loaded = eyed3.load(str(mp3))
        tag = loaded.tag
        assert str(tag.getBestDate()) == "2026-12-01"
        assert [c.element_id for c in tag.chapters] == [b"ch1", b"ch2", b"ch3"]
        assert loaded.info.lame_tag["encoder_delay"] == 576
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    if shutil.which("ffprobe") is None:
        pytest.skip("no ffprobe (apt-get install ffmpeg)")
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
        capture_output=True,
        text=True,
        check=True,
    )
    read = json.loads(probe.stdout)["chapters"]
    assert [c["tags"]["title"] for c in read] == [c["title"] for c in chapters]
    assert [round(float(c["start_time"]) * 1000) for c in read] == [250, 1000, 2500]


NODE_READER = """
import { parseFile } from 'music-metadata';
import NodeID3 from 'node-id3';
const file = process.argv[2];
const mm = await parseFile(file);
const tags = NodeID3.read(file);
console.log(JSON.stringify({
  music_metadata: (mm.format.chapters || []).map(c => [c.title, Math.round(c.start * 1000)]),
  node_id3: (tags.chapter || []).map(c => [c.tags && c.tags.title, c.startTimeMs]),
}));
"""


def test_node_readers_list_chapters_in_time_order(tmp_path_factory, tmp_path):
    """node-id3 (which lists chapters in stored order) and music-metadata, from the npm registry."""
    import shutil
    import subprocess

    from audio_edition import BuildSettings, build
    from audio_edition.settings import EngineOptions

    from conftest import SAMPLES

    if not (shutil.which("npm") and shutil.which("node")):
        pytest.skip("no npm (apt-get install npm)")
    folder = tmp_path_factory.mktemp("node-readers")
    install = subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "node-id3@0.2", "music-metadata@11"],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if install.returncode != 0:
        pytest.skip(f"npm could not install the readers: {install.stderr.strip()[-200:]}")
    (folder / "read.mjs").write_text(NODE_READER)
    result = build([str(SAMPLES / "river-talks.md")], tmp_path / "e.mp3",
                   BuildSettings(engine=EngineOptions(name="fake"), cache_dir=tmp_path / "c"))  # fmt: skip
    expected = [[c.title, c.start_ms] for c in result.manifest.chapters]
    assert len(expected) == 3 and [s for _, s in expected] == sorted(s for _, s in expected)
    out = subprocess.run(["node", "read.mjs", str(result.mp3)], cwd=folder, capture_output=True, text=True, check=True)
    read = json.loads(out.stdout)
    assert read["node_id3"] == expected
    assert [title for title, _ in read["music_metadata"]] == [title for title, _ in expected]


def test_exiftool_reads_the_date_without_a_warning(mp3):
    import shutil
    import subprocess

    if shutil.which("exiftool") is None:
        pytest.skip("no exiftool (apt-get install libimage-exiftool-perl)")
    # A real transcript: exiftool misreads a last v2.4 frame of 128 bytes or more with no room after it.
    transcript = "A paragraph of the story, as the transcript holds it. " * 12
    write_tags(mp3, manifest(**{**MANIFEST, "date": "2026-12-01"}), transcript=transcript)
    out = subprocess.run(["exiftool", "-j", "-G1", "-a", str(mp3)], capture_output=True, text=True, check=True)
    read = json.loads(out.stdout)[0]
    assert not [k for k in read if "Warning" in k], read
    assert read["ID3v2_4:RecordingTime"] == "2026:12:01"


def test_url_frames_end_without_a_nul_as_eyed3_reads_them(mp3):
    """mutagen ended WOAS and WXXX with a NUL; eyeD3 returned 'https://...\\x00'."""
    import eyed3

    write_tags(mp3, manifest(**MANIFEST), transcript="Para one.")
    tag = eyed3.load(str(mp3)).tag
    assert tag.audio_source_url in (b"https://example.org/story", "https://example.org/story")
    assert [u.url for u in tag.user_url_frames] == ["https://example.org/story"]
    chapter = next(c for c in tag.chapters if c.element_id == b"ch2")
    assert chapter.user_url == "https://example.org/2"
