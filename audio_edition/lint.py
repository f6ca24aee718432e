"""Lint before spending: what a build would say, without synthesizing anything."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .environment import Environment
from .pipeline import Prepared, estimated_ms, prepare
from .settings import BuildSettings, base_language
from .text import normalize
from .voice import clips, engines

#: A name is worth a look (and a lexicon entry) when it is this rare in the language
#: (wordfreq's Zipf scale: 3 is once per million words). Haiti, Nigeria and Government are not.
RARE_ZIPF = 3.0
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")


def proper_nouns(sentence: str) -> list[str]:
    """Capitalized words past a sentence's first word, acronyms, and any capitalized word with accents."""
    names = []
    for i, match in enumerate(_WORD.finditer(sentence)):
        raw = re.sub(r"['’]s$", "", match.group(0))
        dotted = re.fullmatch(r"(?:[A-Z]\.){2,}", raw)  # U.N., U.S.
        word = raw.rstrip(".'’-")
        if dotted:
            names.append(raw)
        elif word and (re.fullmatch(r"[A-Z]{2,}s?", word) or (word[0].isupper() and (i > 0 or not word.isascii()))):
            names.append(word)
    return names


def rare(word: str, language: str) -> bool:
    """Whether the voice may not know a word: rare in the language's word list (wordfreq), and no
    acronym the speech steps spell out (those are said letter by letter)."""
    from wordfreq import zipf_frequency

    if re.fullmatch(r"(?:[A-Z]\.?){2,}s?", word):
        return False
    lang = base_language(language)
    parts = [p for p in re.split(r"[-’']", word) if p]
    return any(zipf_frequency(p, lang) < RARE_ZIPF for p in parts)


@dataclass
class LintReport:
    title: str
    text: str
    #: Every line of every input, kept or dropped, with what decided and why.
    blocks: list[dict[str, Any]]
    dropped: list[dict[str, str]]
    #: Every engine request: its id, the sentence as written and what the engine is sent.
    chunks: list[dict[str, str]]
    normalizations: list[dict[str, str]]
    unknown_names: list[dict[str, Any]]
    estimated_duration_ms: int
    requests: int
    cached: int
    chapters: list[str] = field(default_factory=list)
    #: Each input as read: its name, format, and the encoding used and why.
    inputs: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _language(cleaned: Any, stated: str) -> dict[str, Any]:
    """The language the story's spoken lines read as, beside the one stated (--lang)."""
    from .text.prose import UNDETERMINED, language_of

    found = language_of([v.text for v in cleaned.verdicts if v.kept])
    matches = found is None or found == base_language(stated)
    if found == UNDETERMINED:
        logging.getLogger("audio_edition").warning(
            "the story is not in %s, nor in any language this tool knows the common words of: "
            "give --lang and a voice in its language",
            stated,
        )
    elif not matches:
        logging.getLogger("audio_edition").warning(
            "the story reads as %s, but the voice's language is %s: give --lang %s and a voice in it",
            found,
            stated,
            found,
        )
    return {"stated": stated, "found": found, "matches": matches}


def lint(inputs: Sequence[str], settings: BuildSettings, *, stdin=None, env: Environment | None = None) -> LintReport:
    """What a build of ``inputs`` (stories, or an edition file) would say, without voicing it.
    ``env``: the user folders (environment.py); default, this process's."""
    from .edition import resolve

    env = env or Environment.from_process()
    inputs, settings = resolve(inputs, env.apply(settings))
    engine = engines.create(settings.engine)
    prep = prepare(inputs, settings, engine=engine, stdin=stdin or env.stdin, env=env)
    names, changes = _speech(prep)
    chunks = prep.plan.chunks
    written = {s.id: s.text for s in prep.plan.sentences}
    return LintReport(
        title=prep.document.title,
        text="\n\n".join(par.text for par in prep.document.paragraphs),
        blocks=_blocks(prep),
        dropped=[{"rule": d.rule, "text": d.text} for d in prep.dropped],
        chunks=[{"id": c.id, "text": written[c.sentence], "spoken": c.speech} for c in chunks],
        normalizations=changes,
        unknown_names=[{"name": n, "count": c} for n, c in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))],
        estimated_duration_ms=estimated_ms(chunks, settings, engine),
        requests=len(chunks),
        cached=_cached(prep, settings, engine),
        chapters=[c.title for c in prep.document.chapters],
        inputs=[
            {
                "source": story.source,
                "format": story.format,
                **(story.charset.as_json() if story.charset else {}),
                "language": _language(done, settings.metadata.language),
            }
            for story, done in zip(prep.stories, prep.cleaned)
        ],  # fmt: skip
    )


def _speech(prep: Prepared) -> tuple[Counter[str], list[dict[str, Any]]]:
    """The rare names the lexicon does not cover, and every change the build's own speech steps
    make to each sentence, with its written and spoken spans."""
    speech, lang = prep.speech, prep.speech.language
    names: Counter[str] = Counter()
    changes: list[dict[str, Any]] = []
    for sentence in prep.plan.sentences:
        names.update(n for n in proper_nouns(sentence.text) if not speech.words.covers(n, lang) and rare(n, lang))
        for step, before, after in speech.trace(sentence.text):
            change: dict[str, Any] = {"step": step, "before": before, "after": after}
            if step != "lexicon":
                change["spans"] = [{"written": w, "spoken": s} for w, s in normalize.spans(before, after)]
            changes.append(change)
    return names, changes


def _blocks(prep: Prepared) -> list[dict[str, Any]]:
    """Every line of every input, kept or dropped, with what decided and why."""
    return [
        {"story": i, "text": v.text, "kept": v.kept, "by": v.by, "reason": v.reason}
        | ({"stopwords": round(v.stopwords, 2)} if v.stopwords is not None else {})
        for i, done in enumerate(prep.cleaned)
        for v in done.verdicts
    ]


def _cached(prep: Prepared, settings: BuildSettings, engine: engines.Engine) -> int:
    """How many of the build's chunks the clip cache holds already (one batch read)."""
    cache = clips.ClipCache(str(settings.cache_dir))
    chunks = prep.plan.chunks
    keys = clips.chunk_keys(chunks, clips.voiced_engines(chunks, engine, settings.engine))
    found = cache.get_many(keys)  # one round trip on object stores
    return sum(1 for key in keys if key in found)
