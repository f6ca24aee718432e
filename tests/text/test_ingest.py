import io

import pytest

from audio_edition.errors import InputError
from audio_edition.text import ingest


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty"),
        (b"   \n\n ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\u00e9 au lait".encode("latin-1"), "is not UTF-8"),
    ],
)
def test_bad_bytes_give_one_line_errors(data, message):
    with pytest.raises(InputError) as err:
        ingest.decode(data, "story.txt")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_bom_and_crlf_are_accepted():
    assert ingest.decode(b"\xef\xbb\xbfTitle\r\n\r\nBody.", "x") == "Title\n\nBody."


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("a.md", "plain", "markdown"),
        ("a.html", "plain", "html"),
        ("a.txt", "<html><body><p>x</p></body></html>", "text"),
        ("-", "<!DOCTYPE html><html><p>x</p></html>", "html"),
        ("-", "# Title\n\nBody", "markdown"),
        ("-", "Title\n\nBody.", "text"),
        ("story", "<article><p>Body</p></article>", "html"),
    ],
)
def test_format_detection(name, text, expected):
    assert ingest.detect_format(name, text) == expected


def test_stdin_is_read_for_dash():
    story = ingest.read_story("-", stdin=io.BytesIO(b"Headline\n\nFirst paragraph here."))
    assert [b.text for b in story.blocks] == ["Headline", "First paragraph here."]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        ingest.read_story(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        ingest.read_story(str(tmp_path))


def test_markdown_blocks():
    md = (
        "# Title\n\nIntro with [a link](https://x.org) and *emphasis*.\n\n"
        "## Section\n\n- one\n- two\n\n> quoted words\n\n```\ncode()\n```\n\n![img](a.png)\n"
    )
    story = ingest.parse_markdown(md)
    assert [(b.kind, b.text, b.level) for b in story.blocks] == [
        ("heading", "Title", 1),
        ("paragraph", "Intro with a link and emphasis.", 0),
        ("heading", "Section", 2),
        ("item", "one", 0),
        ("item", "two", 0),
        ("quote", "quoted words", 0),
    ]


def test_html_page_is_read_as_its_visible_lines_with_votes_and_metadata():
    from conftest import SAMPLES

    story = ingest.read_story(str(SAMPLES / "solar-grid.html"))
    assert story.title == "Desert Solar Grid Opens"
    assert story.author == "Amira Haddad"
    assert str(story.date) == "2026-11-27"
    blocks = {b.text: b for b in story.blocks}
    # every visible line is there for the cleaning stage to judge; scripts and styles are not
    assert "Home World Subscribe" in blocks and not any("window.analytics" in t for t in blocks)
    assert blocks["Storage is the next test"].kind == "heading" and blocks["Storage is the next test"].level == 2
    assert blocks["We have the sun. What we need now is a way to keep it for the evening."].kind == "quote"
    assert [b.text for b in story.blocks if b.kind == "item"] == [
        "Battery tenders open in January.",
        "Two transmission lines are under construction.",
    ]
    # the extractors agree on the story's paragraphs and pass over the menu and the teaser
    assert (
        len(blocks["Grid operators warned that without batteries, much of the midday output will be wasted."].votes)
        == 3
    )
    assert blocks["Home World Subscribe"].votes == ()
    assert blocks["Wind farms expand along the coast"].votes == ()


def test_bom_marked_utf16_is_text():
    text = "Harbor talks\r\n\r\nOfficials met again on Tuesday.\r\n"
    assert ingest.decode(text.encode("utf-16"), "x") == "Harbor talks\n\nOfficials met again on Tuesday.\n"
    assert ingest.decode("\ufeffTitle".encode("utf-16-be"), "x") == "Title"
