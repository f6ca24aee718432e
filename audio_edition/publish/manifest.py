"""The manifest: the JSON contract that the player, the feed and ``check`` read.

Schema ``audio-edition/manifest@1`` is documented in docs/architecture.md. Times are positions in the MP3,
in milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..settings import Metadata
from ..text import alignment
from ..text.chunks import Plan
from ..text.paragraphs import Document
from ..voice import timing
from ..voice.clips import ClipResult

if TYPE_CHECKING:
    from ..sound.audio import Assembled, Span  # numpy: not needed to read a manifest

SCHEMA = "audio-edition/manifest@1"


def build_manifest(
    *,
    doc: Document,
    plan: Plan,
    assembled: Assembled,
    results: Sequence[ClipResult],
    metadata: Metadata,
    engine: dict[str, Any],
    audio: dict[str, Any],
) -> dict[str, Any]:
    """Roll chunk spans up into sentences, paragraphs and chapters."""
    paragraphs = _paragraphs(doc, _sentences(plan, assembled.spans))
    chapters = _chapters(doc, paragraphs, audio["duration_ms"])
    return {
        "schema": SCHEMA,
        "title": doc.title,
        "publication": metadata.publication,
        "author": metadata.author or metadata.publication,
        "date": metadata.date.isoformat() if metadata.date else None,
        "language": metadata.language,
        "description": metadata.description,
        "url": metadata.url,
        "engine": engine,
        "audio": audio,
        "chapters": chapters,
        "stories": _stories(doc, chapters),
        "paragraphs": paragraphs,
        "chunks": _chunks(plan, assembled.spans, results),
    }


def _sentences(plan: Plan, spans: dict[str, Span]) -> dict[str, list[dict[str, Any]]]:
    """Each paragraph's sentences, timed from their chunks, with their words."""
    by_sentence: dict[str, list[str]] = {}
    for chunk in plan.chunks:
        by_sentence.setdefault(chunk.sentence, []).append(chunk.id)
    speech_of = {c.id: c.speech for c in plan.chunks}
    sentences_of: dict[str, list[dict[str, Any]]] = {}
    for s in plan.sentences:
        ids = by_sentence[s.id]
        sentences_of.setdefault(s.paragraph, []).append(
            {
                "id": s.id,
                "text": s.text,
                "start_ms": spans[ids[0]].start_ms,
                "end_ms": spans[ids[-1]].end_ms,
                "timing": "estimated" if any(spans[i].estimated for i in ids) else "engine",
                "words": _words(s.text, [speech_of[i] for i in ids], [spans[i] for i in ids]),
            }
        )
    return sentences_of


def _paragraphs(doc: Document, sentences_of: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The paragraphs with something spoken in them, timed from their sentences."""
    paragraphs = []
    for p in doc.paragraphs:
        sentences = sentences_of.get(p.id)
        if not sentences:
            continue  # nothing speakable in it
        paragraphs.append(
            {
                "id": p.id,
                "chapter": p.chapter or None,  # intro, transitions and outro belong to no chapter
                "kind": p.kind,
                "text": p.text,
                "start_ms": sentences[0]["start_ms"],
                "end_ms": sentences[-1]["end_ms"],
                "sentences": sentences,
            }
        )
    return paragraphs


def _chapters(doc: Document, paragraphs: list[dict[str, Any]], duration: int) -> list[dict[str, Any]]:
    """Each chapter from its first paragraph's start to the next chapter's (the last to the end)."""
    chapters = []
    for ch in doc.chapters:
        first = next((p for p in paragraphs if p["chapter"] == ch.id), None)
        if first is not None:
            chapters.append({"id": ch.id, "title": ch.title, "url": ch.url, "start_ms": first["start_ms"]})
    intro = next((p for p in paragraphs if p["kind"] == "intro"), None)
    if intro is not None and chapters and intro["start_ms"] < chapters[0]["start_ms"]:
        # An edition's intro (and the lead-in and jingle before it) is a chapter of its own: it lay
        # in none, and a player's chapter list began past it.
        chapters.insert(0, {"id": "intro", "title": doc.title, "url": None, "start_ms": 0})
    for this, following in zip(chapters, [*chapters[1:], None]):
        this["end_ms"] = following["start_ms"] if following else duration
    return chapters


def _stories(doc: Document, chapters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each story, from its first chapter's start to its last one's end."""
    stories: list[dict[str, Any]] = []
    for ch in doc.chapters:
        spoken = next((c for c in chapters if c["id"] == ch.id), None)
        if spoken is None:
            continue
        if stories and stories[-1]["index"] == ch.story:
            stories[-1]["end_ms"] = spoken["end_ms"]
            continue
        stories.append(
            {"index": ch.story, "title": ch.title, "url": ch.url, "chapter": ch.id,
             "start_ms": spoken["start_ms"], "end_ms": spoken["end_ms"]}
        )  # fmt: skip
    return stories


def _chunks(plan: Plan, spans: dict[str, Span], results: Sequence[ClipResult]) -> list[dict[str, Any]]:
    """The engine requests: their spans, their engine, and their own voice if they have one."""
    engine_of = {r.chunk.id: r for r in results}
    return [
        {
            "id": c.id,
            "sentence": c.sentence,
            "chars": len(c.speech),
            "start_ms": spans[c.id].start_ms,
            "end_ms": spans[c.id].end_ms,
            "engine": engine_of[c.id].engine,
            "fell_back": engine_of[c.id].fell_back,
            **({"voice": c.voice} if c.voice else {}),  # an edition's per-story (or anchor) voice
        }
        for c in plan.chunks
    ]


def _words(text: str, speech: Sequence[str], spans: Sequence[Span]) -> list[dict[str, Any]]:
    """Each written word of a sentence with its time, from its chunks' spoken words."""
    spoken = [w for piece in speech for w in timing.spoken_words(piece)]
    times = [t for span in spans for t in span.words]
    written = alignment.written_words(text)
    return [
        {"text": word, "start_ms": start, "end_ms": end}
        for word, (start, end) in zip(written, alignment.written_times(written, spoken, times), strict=True)
    ]


def transcript(manifest: dict[str, Any]) -> str:
    """The spoken text, one paragraph a line: for USLT and the feed."""
    return "\n\n".join(p["text"] for p in manifest["paragraphs"])


def dumps(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def load(path: Path) -> dict[str, Any]:
    """Read a manifest, refusing anything that is not one."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no manifest there (build writes it next to the MP3)") from None
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{path}: is not a JSON manifest") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(f"{path}: is not an {SCHEMA} manifest")
    return data


def manifest_path(mp3: Path) -> Path:
    return Path(mp3).with_suffix(".json")
