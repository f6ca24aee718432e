"""Lint before spending: what a build would say, without synthesizing anything."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import clips, engines, lexicon, normalize
from .pipeline import prepare
from .settings import BuildSettings

#: Capitalized words that are not names worth a lexicon entry.
NOT_NAMES: frozenset[str] = frozenset(
    [
        "I",
        "A",
        "An",
        "The",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Gen",
        "Sen",
        "Rep",
        "Gov",
        "St",
        "Prime",
        "Minister",
        "President",
        "Secretary",
        "Defense",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
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
        elif (
            word
            and word not in NOT_NAMES
            and (re.fullmatch(r"[A-Z]{2,}s?", word) or (word[0].isupper() and (i > 0 or not word.isascii())))
        ):
            names.append(word)
    return names


@dataclass
class LintReport:
    title: str
    text: str
    #: Every line of every input, kept or dropped, with what decided and why.
    blocks: list[dict[str, Any]]
    dropped: list[dict[str, str]]
    normalizations: list[dict[str, str]]
    unknown_names: list[dict[str, Any]]
    estimated_duration_ms: int
    requests: int
    cached: int
    chapters: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def lint(inputs: Sequence[str], settings: BuildSettings, *, stdin=None) -> LintReport:
    engine = engines.create(settings.engine)
    prep = prepare(inputs, settings, engine=engine, stdin=stdin)
    words = lexicon.load(settings.text.lexicon)
    lang = settings.metadata.language

    names: Counter[str] = Counter()
    changes = []
    for sentence in prep.plan.sentences:
        names.update(n for n in proper_nouns(sentence.text) if not words.covers(n, lang))
        for step, before, after in normalize.applied(
            sentence.text, settings.text.disabled_steps, settings.metadata.language
        ):
            changes.append({"step": step, "before": before, "after": after})

    cache = clips.ClipCache(settings.cache_dir or clips.default_cache_dir())
    identity = engine.identity()
    cached = sum(1 for c in prep.plan.chunks if cache.get(clips.clip_key(identity, c.speech)) is not None)

    chars = sum(len(c.speech) for c in prep.plan.chunks)
    speech_ms = chars / (engine.chars_per_second * settings.engine.speed) * 1000
    p = settings.pauses
    pause_ms = (
        p.lead_ms
        + p.tail_ms
        + max(0, len(prep.plan.sentences) - len(prep.document.paragraphs)) * p.sentence_ms
        + max(0, len(prep.document.paragraphs) - len(prep.document.chapters)) * p.paragraph_ms
        + max(0, len(prep.document.chapters) - 1) * p.chapter_ms
    )
    return LintReport(
        title=prep.document.title,
        text="\n\n".join(par.text for par in prep.document.paragraphs),
        blocks=[
            {"story": i, "text": v.text, "kept": v.kept, "by": v.by, "reason": v.reason}
            | ({"stopwords": round(v.stopwords, 2)} if v.stopwords is not None else {})
            for i, done in enumerate(prep.cleaned)
            for v in done.verdicts
        ],
        dropped=[{"rule": d.rule, "text": d.text} for d in prep.dropped],
        normalizations=changes,
        unknown_names=[{"name": n, "count": c} for n, c in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))],
        estimated_duration_ms=round(speech_ms + pause_ms),
        requests=len(prep.plan.chunks),
        cached=cached,
        chapters=[c.title for c in prep.document.chapters],
    )
