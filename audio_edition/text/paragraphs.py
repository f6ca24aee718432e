"""Stage 3, paragraphs: cleaned stories become chapters of paragraphs with stable ids."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..errors import InputError
from .ingest import Block, Story


@dataclass(frozen=True)
class Paragraph:
    """A paragraph as it will be spoken and shown. ``kind``: title, heading, paragraph, item, quote."""

    id: str
    chapter: str
    kind: str
    text: str


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    story: int
    url: str | None = None


@dataclass(frozen=True)
class Document:
    """What will be read: the edition title, its chapters and its paragraphs in order."""

    title: str
    chapters: tuple[Chapter, ...]
    paragraphs: tuple[Paragraph, ...]


def headline(story: Story) -> tuple[str | None, tuple[Block, ...]]:
    """The story's headline and the blocks that follow it.

    The cleaning stage found it for text and HTML (the page's own title, the line above the
    story); in Markdown it is a level-1 heading at the top. A story with none has ``None``:
    its chapter is named by its opening words (:func:`opening_words`), and nothing is spoken.
    """
    blocks = story.blocks
    if story.title:
        if blocks and blocks[0].text.strip() == story.title.strip():
            blocks = blocks[1:]
        return story.title, blocks
    if story.format == "markdown" and blocks and blocks[0].kind == "heading" and blocks[0].level <= 1:
        return blocks[0].text, blocks[1:]
    return None, blocks


def opening_words(blocks: tuple[Block, ...], words: int = 8) -> str:
    """A name for a story with no headline: the opening words of its first sentence."""
    text = next((b.text for b in blocks if b.text.strip()), "")
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    parts = sentence.split()
    name = " ".join(parts[:words]).rstrip(".,;:!?—–-")
    return f"{name}…" if len(parts) > words else name


#: Paragraph kinds that frame the stories and belong to no chapter.
FRAMING = ("intro", "transition", "outro")


def _section(
    chapters: list[Chapter], paragraphs: list[Paragraph], chapter: str, heading: str, story: int, url: str | None,
    *, named: bool,
) -> str:  # fmt: skip
    """A section heading starts a chapter; with no headline, the first one names the first."""
    if any(p.chapter == chapter and p.kind != "title" for p in paragraphs):
        chapters.append(Chapter(f"ch{len(chapters) + 1}", heading, story, url))
        return chapters[-1].id
    if not named:
        chapters[-1] = Chapter(chapter, heading, story, url)
    return chapter


def build_document(
    stories: list[tuple[str | None, tuple[Block, ...], Story]],
    *,
    title: str | None = None,
    speak_titles: bool = True,
    intro: str | None = None,
    outro: str | None = None,
    transition: str | None = None,
    urls: tuple[str | None, ...] = (),
) -> Document:
    """Chapters: one per story in an edition; in a single story, one per section heading.

    ``intro``, ``outro`` and ``transition`` are spoken texts that frame the stories; their
    paragraphs have the chapter ``""``: they belong to no chapter.
    """
    doc = _Builder(edition=len(stories) > 1, title=title, speak_titles=speak_titles)
    if intro:
        doc.add("", "intro", intro)
    for index, (story_title, blocks, story) in enumerate(stories):
        if index and transition:
            doc.add("", "transition", transition)
        url = (urls[index] if index < len(urls) else None) or story.url
        doc.story(index, story_title, blocks, url)
    if outro:
        doc.add("", "outro", outro)
    if not doc.paragraphs:
        raise InputError("nothing to read")
    doc_title = title or (stories[0][0] if not doc.edition else None) or doc.chapters[0].title
    return Document(doc_title, tuple(doc.chapters), tuple(doc.paragraphs))


@dataclasses.dataclass
class _Builder:
    """A document as :func:`build_document` adds to it: its chapters and paragraphs so far."""

    edition: bool
    title: str | None
    speak_titles: bool
    chapters: list[Chapter] = dataclasses.field(default_factory=list)
    paragraphs: list[Paragraph] = dataclasses.field(default_factory=list)

    def add(self, chapter: str, kind: str, text: str) -> None:
        self.paragraphs.append(Paragraph(f"p{len(self.paragraphs) + 1}", chapter, kind, text))

    def story(self, index: int, story_title: str | None, blocks: tuple[Block, ...], url: str | None) -> None:
        """A story's chapter (and, in a single story, one per section heading) and paragraphs."""
        name = story_title or (self.title if not self.edition else None) or opening_words(blocks)
        self.chapters.append(Chapter(f"ch{len(self.chapters) + 1}", name or f"Story {index + 1}", index, url))
        chapter = self.chapters[-1].id
        if self.speak_titles and story_title:
            self.add(chapter, "title", story_title)
        for block in blocks:
            if block.kind == "heading" and not self.edition:
                named = bool(story_title)
                chapter = _section(self.chapters, self.paragraphs, chapter, block.text, index, url, named=named)
            self.add(chapter, block.kind, block.text)
