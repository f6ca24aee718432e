import json

import pytest

from audio_edition.encode import encode_mp3
from audio_edition.settings import Encoding, Loudness
from audio_edition.tags import iso639_2, write_tags

from fakes import tone

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
    write_tags(mp3, json.loads(json.dumps(MANIFEST)), transcript="Para one.\n\nPara two.", cover=cover)
    tags = ID3(str(mp3))
    assert tags.version[:2] == (2, 3)
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

    write_tags(mp3, MANIFEST, transcript="one")
    write_tags(mp3, {**MANIFEST, "title": "Second"}, transcript="two")
    tags = ID3(str(mp3))
    assert tags.getall("TIT2")[0].text == ["Second"]
    assert len(tags.getall("USLT")) == 1 and len(tags.getall("CHAP")) == 2


def test_cover_must_be_an_image(mp3, tmp_path):
    from audio_edition.errors import InputError

    bad = tmp_path / "c.jpg"
    bad.write_text("not an image")
    with pytest.raises(InputError, match="not a JPEG or PNG"):
        write_tags(mp3, MANIFEST, transcript="x", cover=bad)


@pytest.mark.parametrize("code, expected", [("en", "eng"), ("fr-CA", "fra"), ("yue", "yue"), ("xx", "und")])
def test_language_codes(code, expected):
    assert iso639_2(code) == expected


def test_chapters_are_stored_in_time_order_and_the_date_is_v23s(mp3):
    """libavformat (ffprobe, every ffmpeg-based player) lists chapters in stored order; eyeD3 and
    exiftool know no TDRC in a v2.3 tag."""
    import shutil
    import subprocess

    import eyed3

    manifest = json.loads(json.dumps(MANIFEST))
    manifest["chapters"] = [
        {"id": "ch1", "title": "A long first chapter title, longer than the others", "start_ms": 250, "end_ms": 1000},
        {"id": "ch2", "title": "Mid", "start_ms": 1000, "end_ms": 2500},
        {"id": "ch3", "title": "The last one, of middling length", "start_ms": 2500, "end_ms": 4000},
    ]
    write_tags(mp3, manifest, transcript="x")
    tag = eyed3.load(str(mp3)).tag
    assert tag.version[:2] == (2, 3)
    assert str(tag.getBestDate()) == "2026-11-27"
    if shutil.which("ffprobe") is None:
        pytest.skip("no ffprobe (apt-get install ffmpeg)")
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
        capture_output=True,
        text=True,
        check=True,
    )
    chapters = json.loads(probe.stdout)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c["title"] for c in manifest["chapters"]]
    assert [round(float(c["start_time"]) * 1000) for c in chapters] == [250, 1000, 2500]
