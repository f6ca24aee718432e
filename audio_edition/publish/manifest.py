"""The manifest: the JSON contract that the player, the feed, the sidecars and ``check`` read.

Schema ``audio-edition/manifest@1``: typed here as dataclasses (:class:`Manifest` and its parts,
``from_dict``/``to_dict`` as Piper's config does), described for other tools by
``data/manifest.schema.json`` (JSON Schema), which :func:`load` validates against, and documented
in docs/architecture.md. Times are positions in the MP3, in milliseconds.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

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


class _Record:
    """``from_dict``/``to_dict`` for the manifest's dataclasses: fields in order, the nested ones
    (``NESTED``: field -> type, a list of them) made from their own dicts."""

    NESTED: ClassVar[dict[str, Any]] = {}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        values = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name not in data:
                continue  # the field's default (a manifest from before the field existed)
            value = data[f.name]
            kind = cls.NESTED.get(f.name)
            if kind is not None:
                value = [kind.from_dict(v) for v in value] if isinstance(value, list) else kind.from_dict(value)
            values[f.name] = value
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        out = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, list):
                value = [v.to_dict() if isinstance(v, _Record) else v for v in value]
            elif isinstance(value, _Record):
                value = value.to_dict()
            out[f.name] = value
        return out


@dataclass
class Word(_Record):
    """A written word (the sentence's text split at white space) and when it is said."""

    text: str
    start_ms: int
    end_ms: int


@dataclass
class Sentence(_Record):
    """A sentence as written and its span; its words' times came from the engine ("engine") or
    were estimated from the clip ("estimated")."""

    NESTED: ClassVar[dict[str, Any]] = {"words": Word}
    id: str
    text: str
    start_ms: int
    end_ms: int
    timing: str = "estimated"
    words: list[Word] = field(default_factory=list)


@dataclass
class Paragraph(_Record):
    """A paragraph (``kind``: title, heading, paragraph, item, quote, intro, transition, outro) and
    its sentences; the intro, transitions and outro belong to no chapter (``chapter`` None)."""

    NESTED: ClassVar[dict[str, Any]] = {"sentences": Sentence}
    id: str
    chapter: str | None
    kind: str
    text: str
    start_ms: int
    end_ms: int
    sentences: list[Sentence]


@dataclass
class Chapter(_Record):
    """A chapter: from its first paragraph's start to the next chapter's (the last to the end)."""

    id: str
    title: str
    url: str | None
    start_ms: int
    end_ms: int = 0


@dataclass
class StorySpan(_Record):
    """A story of the edition (``index``: its place among the inputs) and its span."""

    index: int
    title: str
    url: str | None
    chapter: str
    start_ms: int
    end_ms: int


@dataclass
class ChunkSpan(_Record):
    """An engine request, its span, and who voiced it (``voice``: its own, if it has one)."""

    id: str
    sentence: str
    chars: int
    start_ms: int
    end_ms: int
    engine: str
    fell_back: bool
    voice: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if self.voice is None:
            del out["voice"]  # an edition's per-story (or anchor) voice only
        return out


@dataclass
class AudioInfo(_Record):
    """The MP3 as written: its size and checksum once it is tagged."""

    file: str
    duration_ms: int
    sample_rate: int
    channels: int
    bitrate_kbps: int
    bytes: int | None = None
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in super().to_dict().items() if v is not None or k not in ("bytes", "sha256")}


@dataclass
class Manifest(_Record):
    """An edition: what was said, when, by which engine, in which file."""

    NESTED: ClassVar[dict[str, Any]] = {
        "audio": AudioInfo, "chapters": Chapter, "stories": StorySpan, "paragraphs": Paragraph, "chunks": ChunkSpan,
    }  # fmt: skip
    schema: str
    title: str
    publication: str
    author: str
    date: str | None
    language: str
    description: str | None
    url: str | None
    engine: dict[str, Any]
    audio: AudioInfo
    chapters: list[Chapter]
    stories: list[StorySpan]
    paragraphs: list[Paragraph]
    chunks: list[ChunkSpan]

    @property
    def sentences(self) -> Iterator[Sentence]:
        """Every sentence, in order."""
        return (s for p in self.paragraphs for s in p.sentences)


def build_manifest(
    *,
    doc: Document,
    plan: Plan,
    assembled: Assembled,
    results: Sequence[ClipResult],
    metadata: Metadata,
    engine: dict[str, Any],
    audio: AudioInfo,
) -> Manifest:
    """Roll chunk spans up into sentences, paragraphs and chapters."""
    paragraphs = _paragraphs(doc, _sentences(plan, assembled.spans))
    chapters = _chapters(doc, paragraphs, audio.duration_ms)
    return Manifest(
        schema=SCHEMA,
        title=doc.title,
        publication=metadata.publication,
        author=metadata.author or metadata.publication,
        date=metadata.date.isoformat() if metadata.date else None,
        language=metadata.language,
        description=metadata.description,
        url=metadata.url,
        engine=engine,
        audio=audio,
        chapters=chapters,
        stories=_stories(doc, chapters),
        paragraphs=paragraphs,
        chunks=_chunks(plan, assembled.spans, results),
    )


def _sentences(plan: Plan, spans: dict[str, Span]) -> dict[str, list[Sentence]]:
    """Each paragraph's sentences, timed from their chunks, with their words."""
    by_sentence: dict[str, list[str]] = {}
    for chunk in plan.chunks:
        by_sentence.setdefault(chunk.sentence, []).append(chunk.id)
    speech_of = {c.id: c.speech for c in plan.chunks}
    sentences_of: dict[str, list[Sentence]] = {}
    for s in plan.sentences:
        ids = by_sentence[s.id]
        sentences_of.setdefault(s.paragraph, []).append(
            Sentence(
                s.id,
                s.text,
                spans[ids[0]].start_ms,
                spans[ids[-1]].end_ms,
                "estimated" if any(spans[i].estimated for i in ids) else "engine",
                _words(s.text, [speech_of[i] for i in ids], [spans[i] for i in ids]),
            )
        )
    return sentences_of


def _paragraphs(doc: Document, sentences_of: dict[str, list[Sentence]]) -> list[Paragraph]:
    """The paragraphs with something spoken in them, timed from their sentences."""
    return [
        # intro, transitions and outro belong to no chapter
        Paragraph(p.id, p.chapter or None, p.kind, p.text, sentences[0].start_ms, sentences[-1].end_ms, sentences)
        for p in doc.paragraphs
        if (sentences := sentences_of.get(p.id))  # else nothing speakable in it
    ]


def _chapters(doc: Document, paragraphs: list[Paragraph], duration: int) -> list[Chapter]:
    """Each chapter from its first paragraph's start to the next chapter's (the last to the end)."""
    chapters = []
    for ch in doc.chapters:
        first = next((p for p in paragraphs if p.chapter == ch.id), None)
        if first is not None:
            chapters.append(Chapter(ch.id, ch.title, ch.url, first.start_ms))
    intro = next((p for p in paragraphs if p.kind == "intro"), None)
    if intro is not None and chapters and intro.start_ms < chapters[0].start_ms:
        # An edition's intro (and the lead-in and jingle before it) is a chapter of its own: it lay
        # in none, and a player's chapter list began past it.
        chapters.insert(0, Chapter("intro", doc.title, None, 0))
    for this, following in zip(chapters, [*chapters[1:], None]):
        this.end_ms = following.start_ms if following else duration
    return chapters


def _stories(doc: Document, chapters: list[Chapter]) -> list[StorySpan]:
    """Each story, from its first chapter's start to its last one's end."""
    stories: list[StorySpan] = []
    for ch in doc.chapters:
        spoken = next((c for c in chapters if c.id == ch.id), None)
        if spoken is None:
            continue
        if stories and stories[-1].index == ch.story:
            stories[-1].end_ms = spoken.end_ms
            continue
        stories.append(StorySpan(ch.story, ch.title, ch.url, ch.id, spoken.start_ms, spoken.end_ms))
    return stories


def _chunks(plan: Plan, spans: dict[str, Span], results: Sequence[ClipResult]) -> list[ChunkSpan]:
    """The engine requests: their spans, their engine, and their own voice if they have one."""
    engine_of = {r.chunk.id: r for r in results}
    return [
        ChunkSpan(c.id, c.sentence, len(c.speech), spans[c.id].start_ms, spans[c.id].end_ms,
                  engine_of[c.id].engine, engine_of[c.id].fell_back, c.voice)
        for c in plan.chunks
    ]  # fmt: skip


def _words(text: str, speech: Sequence[str], spans: Sequence[Span]) -> list[Word]:
    """Each written word of a sentence with its time, from its chunks' spoken words."""
    spoken = [w for piece in speech for w in timing.spoken_words(piece)]
    times = [t for span in spans for t in span.words]
    written = alignment.written_words(text)
    return [
        Word(word, start, end)
        for word, (start, end) in zip(written, alignment.written_times(written, spoken, times), strict=True)
    ]


def transcript(manifest: Manifest) -> str:
    """The spoken text, one paragraph a line: for USLT and the feed."""
    return "\n\n".join(p.text for p in manifest.paragraphs)


def dumps(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@functools.cache
def json_schema() -> dict[str, Any]:
    """The manifest's JSON Schema (``data/manifest.schema.json``), shipped for other tools too."""
    from importlib import resources

    return json.loads(resources.files("audio_edition").joinpath("data/manifest.schema.json").read_text("utf-8"))


def problems(data: Any) -> list[str]:
    """Where ``data`` breaks the manifest's JSON Schema: "at paragraphs/2/sentences: ..." (at most three)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(json_schema())
    found = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"at {'/'.join(map(str, e.absolute_path)) or 'the top'}: {e.message}" for e in found[:3]]


def load(path: Path) -> Manifest:
    """Read a manifest, refusing anything that is not one: one line naming the first problem."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no manifest there (build writes it next to the MP3)") from None
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{path}: is not a JSON manifest") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(f"{path}: is not an {SCHEMA} manifest")
    wrong = problems(data)
    if wrong:
        raise InputError(f"{path}: not a valid {SCHEMA} manifest, {wrong[0]}")
    return Manifest.from_dict(data)


def manifest_path(mp3: Path) -> Path:
    return Path(mp3).with_suffix(".json")
