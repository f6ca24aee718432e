import pytest

from audio_edition.text import paragraphs
from audio_edition.text.ingest import Block, Story


def story(*blocks, title=None):
    return Story(source="t", format="text", blocks=tuple(Block(*b) for b in blocks), title=title)


@pytest.mark.parametrize(
    "story_, expected_title, first_kept",
    [
        (story(("paragraph", "Body text."), title="Stepping Up"), "Stepping Up", "Body text."),
        (story(("paragraph", "Stepping Up"), ("paragraph", "Body."), title="Stepping Up"), "Stepping Up", "Body."),
        (Story("t", "markdown", (Block("heading", "Big News", 1), Block("paragraph", "Body."))), "Big News", "Body."),
        # in text the cleaning stage finds the headline; none found is none
        (story(("paragraph", "Big News"), ("paragraph", "Body.")), None, "Big News"),
        (story(("paragraph", "This is a sentence."), ("paragraph", "Body.")), None, "This is a sentence."),
    ],
)
def test_headline_is_the_story_title_or_a_top_markdown_heading(story_, expected_title, first_kept):
    title, rest = paragraphs.headline(story_)
    assert title == expected_title
    assert rest[0].text == first_kept


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Officials signed a deal on Tuesday. It runs for ten years.", "Officials signed a deal on Tuesday"),
        (
            "Kenya and the United States signed a defense agreement this week that will see",
            "Kenya and the United States signed a defense…",
        ),
    ],
)
def test_a_story_with_no_headline_is_named_by_its_opening_words(text, expected):
    assert paragraphs.opening_words((Block("paragraph", text),)) == expected
    doc = paragraphs.build_document([(None, (Block("paragraph", text),), story(("paragraph", text)))] * 2, title="Ed")
    assert [c.title for c in doc.chapters] == [expected, expected]  # never "Story 2"
    assert all(p.kind != "title" for p in doc.paragraphs)  # and nothing is spoken as a title


def test_sections_start_chapters_and_ids_are_stable():
    s = story(("paragraph", "Intro."), ("heading", "Part Two", 2), ("paragraph", "More."), ("heading", "End", 2))
    doc = paragraphs.build_document([("Title", s.blocks, s)])
    assert [c.title for c in doc.chapters] == ["Title", "Part Two", "End"]
    assert [(p.id, p.chapter, p.kind) for p in doc.paragraphs] == [
        ("p1", "ch1", "title"),
        ("p2", "ch1", "paragraph"),
        ("p3", "ch2", "heading"),
        ("p4", "ch2", "paragraph"),
        ("p5", "ch3", "heading"),
    ]


def test_a_heading_right_after_the_headline_joins_the_first_chapter():
    s = story(("heading", "Background", 2), ("paragraph", "Body."))
    doc = paragraphs.build_document([("Title", s.blocks, s)])
    assert [c.title for c in doc.chapters] == ["Title"]
    untitled = paragraphs.build_document([(None, s.blocks, s)])
    assert [c.title for c in untitled.chapters] == ["Background"]


def test_edition_has_one_chapter_per_story():
    a = story(("paragraph", "A body."), ("heading", "Inner", 2), ("paragraph", "More."))
    b = story(("paragraph", "B body."))
    doc = paragraphs.build_document([("Story A", a.blocks, a), ("Story B", b.blocks, b)], title="Edition")
    assert doc.title == "Edition"
    assert [c.title for c in doc.chapters] == ["Story A", "Story B"]
