"""Pronunciation lexicon: word -> respelling (any engine) or phonemes (Piper's ``[[ ... ]]`` input).

A TOML file, one table per language code, ``"*"`` for every language::

    ["*"]
    Kafue = "ka-FOO-ay"

    [en]
    Duale = "doo-AH-lay"
    "Moïse" = { say = "mo-EES", phonemes = "moˈiːs" }

Matching is whole-word and case-aware: a key with capitals ("Duale") matches that spelling and its
all-caps form; a lower-case key ("coup") also matches it capitalized at a sentence start.
The lexicon applies to the text sent to the engine, which is part of the clip-cache key: changing an
entry re-synthesizes exactly the sentences that use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._compat import read_toml
from ..errors import UsageError
from ..settings import base_language


@dataclass(frozen=True)
class Entry:
    word: str
    say: str | None = None
    phonemes: str | None = None


@dataclass(frozen=True)
class Lexicon:
    #: language code ("*" for all) -> word -> entry
    tables: dict[str, dict[str, Entry]]

    def entries(self, lang: str) -> dict[str, Entry]:
        """The entries for ``lang``: every language's, then its base language's (``en`` for
        ``en_US``), then its own."""
        base = base_language(lang)
        merged: dict[str, Entry] = {}
        for key in ("*", base, lang, lang.replace("_", "-")):
            merged.update(self.tables.get(key, {}))
        return merged

    def covers(self, word: str, lang: str) -> bool:
        entries = self.entries(lang)
        return any(re.fullmatch(_word_pattern(key), word) for key in entries)

    def step(self, lang: str, phonemes: bool) -> Callable[[str], str]:
        """The ``str -> str`` normalization step for one language and engine."""
        entries = self.entries(lang)
        if not entries:
            return lambda text: text
        keys = sorted(entries, key=len, reverse=True)  # the longest entry wins where two could match
        said = [
            f"[[ {entries[k].phonemes} ]]" if phonemes and entries[k].phonemes else entries[k].say or k for k in keys
        ]
        # One pass over the text: an entry's respelling is never read again by another entry (three
        # entries that expanded into each other made a short story last six hours).
        pattern = re.compile("|".join(f"(?P<e{i}>{_word_pattern(k)})" for i, k in enumerate(keys)))

        def apply(text: str) -> str:
            return pattern.sub(lambda m: said[int(str(m.lastgroup)[1:])], text)

        return apply


def _word_pattern(key: str) -> str:
    forms = {key, key.upper()}
    if key == key.lower():
        forms.add(key[:1].upper() + key[1:])
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return rf"(?<![\w-])(?:{alternatives})(?![\w-])"


EMPTY = Lexicon({})


def load(path: Path | None) -> Lexicon:
    if path is None:
        return EMPTY
    data = read_toml(path, f"--lexicon {path}")
    tables: dict[str, dict[str, Entry]] = {}
    for lang, table in data.items():
        if not isinstance(table, dict):
            raise UsageError(f"--lexicon {path}: {lang!r} must be a table of words, like [en]")
        entries = {}
        for word, value in table.items():
            if not word.strip():  # an empty key would match at every gap between words
                raise UsageError(f"--lexicon {path}: [{lang}] has an empty word; give each entry its word")
            if isinstance(value, dict) and not all(isinstance(value.get(k, ""), str) for k in ("say", "phonemes")):
                raise UsageError(f"--lexicon {path}: {word!r}: say and phonemes must be strings")
            if isinstance(value, str):
                entries[word] = Entry(word, say=value)
            elif isinstance(value, dict) and (value.get("say") or value.get("phonemes")):
                entries[word] = Entry(word, say=value.get("say"), phonemes=value.get("phonemes"))
            else:
                raise UsageError(f"--lexicon {path}: {word!r} needs a respelling or {{say = ..., phonemes = ...}}")
        tables[lang] = entries
    return Lexicon(tables)
