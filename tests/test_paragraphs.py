import pytest

from audio_edition import paragraphs
from audio_edition.ingest import Block, Story


def story(*blocks, title=None):
    return Story(source="t", format="text", blocks=tuple(Block(*b) for b in blocks), title=title)


@pytest.mark.parametrize(
    "blocks, expected_title, first_kept",
    [
        ((("paragraph", "Stepping Up"), ("paragraph", "Body text.")), "Stepping Up", "Body text."),
        ((("heading", "Big News", 1), ("paragraph", "Body.")), "Big News", "Body."),
        ((("paragraph", "This is a sentence."), ("paragraph", "Body.")), None, "This is a sentence."),
        ((("paragraph", "Only one line"),), None, "Only one line"),
        ((("paragraph", "A question?"), ("paragraph", "Body.")), None, "A question?"),
    ],
)
def test_headline_detection(blocks, expected_title, first_kept):
    title, rest = paragraphs.headline(story(*blocks))
    assert title == expected_title
    assert rest[0].text == first_kept


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


def test_heading_right_after_headline_names_the_first_chapter():
    s = story(("heading", "Background", 2), ("paragraph", "Body."))
    doc = paragraphs.build_document([("Title", s.blocks, s)])
    assert [c.title for c in doc.chapters] == ["Background"]


def test_edition_has_one_chapter_per_story():
    a = story(("paragraph", "A body."), ("heading", "Inner", 2), ("paragraph", "More."))
    b = story(("paragraph", "B body."))
    doc = paragraphs.build_document([("Story A", a.blocks, a), ("Story B", b.blocks, b)], title="Edition")
    assert doc.title == "Edition"
    assert [c.title for c in doc.chapters] == ["Story A", "Story B"]
