"""Stage 4, chunks: paragraphs -> sentences (tokenizer) -> engine-sized chunks (pure packer).

As in gTTS: the tokenizer's rules are data, and the packer is a pure function of text and limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .paragraphs import Document
from .words import MAY_END, NEVER_ENDS, NO_END_BEFORE_FIGURE, SENTENCE_OPENERS

# NEVER_ENDS, MAY_END and SENTENCE_OPENERS: words.py (one table, shared with the speech steps).

# Starts only at the first mark of a run ("!!!"), so a run is scanned once: linear, not
# quadratic, in a line of 60,000 "!" (it took 38 s).
_BOUNDARY = re.compile(r"(?<![.!?])[.!?]+[\"'”’)\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9À-Ý])")
#: Where a long sentence may be split for an engine's size limit, best first.
CLAUSE_BREAKS: tuple[str, ...] = (r"[;:]\s", r"[,–—]\s", r"\s")


#: How much text either side of a boundary is read to judge it: the longest title or abbreviation
#: and the word after it fit in far less. Reading the whole paragraph before each boundary made
#: splitting quadratic (a line of 5,000 "Mr." took two seconds).
_CONTEXT = 64


def _ends_sentence(left: str, right: str) -> bool:
    match = re.search(r"(\S+)\.[\"'”’)\]]*$", left.rstrip())
    if not match:
        return True  # "!" or "?"
    word = match.group(1).lstrip("\"'“‘(").lower()
    if word in NEVER_ENDS or re.fullmatch(r"[a-z]", word):  # titles, initials ("John F. Kennedy")
        return False
    if word in NO_END_BEFORE_FIGURE and re.match(r"\d", right):  # "Fig. 3", "Vol. 2"
        return False
    if word in MAY_END:
        following = re.match(r"[\"“‘'(\[]?(\w+)", right)
        return bool(following and following.group(1).lower() in SENTENCE_OPENERS)
    return True


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, abbreviations and initials kept inside their sentence."""
    sentences, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.start() + len(m.group(0).rstrip())
        if _ends_sentence(text[max(0, end - _CONTEXT) : end], text[m.end() : m.end() + _CONTEXT]):
            sentences.append(text[start : m.end()].strip())
            start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def pack(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, at the best break found.

    Clause punctuation first, then spaces; a word is cut only when it alone exceeds the limit.
    """
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    for pattern in CLAUSE_BREAKS:
        cuts = [m.end() for m in re.finditer(pattern, text[: limit + 1]) if 0 < m.end() <= limit]
        if cuts:
            cut = cuts[-1]
            return [text[:cut].strip(), *pack(text[cut:], limit)]
    return [text[:limit], *pack(text[limit:], limit)]


@dataclass(frozen=True)
class Sentence:
    id: str
    paragraph: str
    text: str


@dataclass(frozen=True)
class Chunk:
    """One engine request: ``speech`` is the normalized text sent to the engine."""

    id: str
    paragraph: str
    sentence: str
    chapter: str
    speech: str
    #: The paragraph's kind (paragraph, item, quote, heading, title): list items get shorter pauses.
    kind: str = "paragraph"
    #: Which story (input) the chunk belongs to; -1 for the intro, transitions and outro.
    story: int = 0
    #: A voice of its own (an edition's per-story voice); ``None``: the build's.
    voice: str | None = None


@dataclass(frozen=True)
class Plan:
    """The document cut into sentences and chunks, in reading order."""

    sentences: tuple[Sentence, ...]
    chunks: tuple[Chunk, ...]


def plan(doc: Document, limit: int, normalize: Callable[[str], str] = lambda s: s) -> Plan:
    sentences: list[Sentence] = []
    chunks: list[Chunk] = []
    story_of = {c.id: c.story for c in doc.chapters}
    for para in doc.paragraphs:
        texts: Iterable[str] = [para.text] if para.kind in ("title", "heading") else split_sentences(para.text)
        for s_index, text in enumerate(texts, 1):
            sid = f"{para.id}.s{s_index}"
            speech = normalize(text)
            if para.kind in ("title", "heading", "item", "transition") and not re.search(r"[.!?]$", speech):
                speech += "."  # a falling tone, like a reader pausing after a heading
            pieces = [p for p in pack(speech, limit) if re.search(r"\w", p)]
            if not pieces:
                continue  # nothing speakable (an emoji, a bare URL)
            sentences.append(Sentence(sid, para.id, text))
            for c_index, piece in enumerate(pieces, 1):
                chunks.append(
                    Chunk(
                        f"{sid}.c{c_index}",
                        para.id,
                        sid,
                        para.chapter,
                        piece,
                        para.kind,
                        story_of.get(para.chapter, -1),
                    )
                )
    return Plan(tuple(sentences), tuple(chunks))
