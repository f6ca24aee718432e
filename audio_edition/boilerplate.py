"""Stage 2, cleaning: drop page chrome. The rules are data (TOML); this module only applies them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ._compat import read_toml, tomllib
from .errors import InputError, UsageError
from .ingest import Block

SCOPES = ("line", "inline")


@dataclass(frozen=True)
class Rule:
    """A boilerplate rule: a named, case-insensitive regular expression."""

    name: str
    pattern: re.Pattern
    scope: str = "line"
    #: What the line costs the stretch of prose around it (characters); ``None``: as any chrome.
    #: Section labels ("Related", "Comments") cost much: the story rarely goes on past them.
    cost: int | None = None


@dataclass(frozen=True)
class Dropped:
    """What a rule removed, for ``lint``."""

    rule: str
    text: str


def _parse_rules(data: dict, origin: str) -> list[Rule]:
    rules = []
    for i, raw in enumerate(data.get("rule", [])):
        try:
            name, pattern = raw["name"], raw["pattern"]
        except (KeyError, TypeError):
            raise UsageError(f"{origin}: rule #{i + 1} needs a name and a pattern") from None
        scope = raw.get("scope", "line")
        if scope not in SCOPES:
            raise UsageError(f"{origin}: rule {name!r} has scope {scope!r}; use one of {', '.join(SCOPES)}")
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise UsageError(f"{origin}: rule {name!r} is not a valid regular expression ({exc})") from None
        cost = raw.get("cost")
        if cost is not None and (not isinstance(cost, int) or isinstance(cost, bool) or cost < 0):
            raise UsageError(f"{origin}: rule {name!r} has cost {cost!r}; use a whole number of characters")
        rules.append(Rule(name, compiled, scope, cost))
    return rules


def builtin_rules() -> list[Rule]:
    text = resources.files("audio_edition").joinpath("data/boilerplate.toml").read_text("utf-8")
    return _parse_rules(tomllib.loads(text), "built-in rules")


def load_rules(files: tuple[Path, ...] = (), *, builtin: bool = True) -> list[Rule]:
    """The built-in rules (unless ``builtin`` is false) followed by those of each file."""
    rules = builtin_rules() if builtin else []
    for path in files:
        rules.extend(_parse_rules(read_toml(path, f"--rules {path}"), str(path)))
    return rules


def clean_line(line: str, rules: list[Rule], dropped: list[Dropped]) -> str:
    """Apply inline rules, then drop the line if a line rule matches all of it."""
    for rule in rules:
        if rule.scope == "inline":
            new = rule.pattern.sub("", line)
            if new != line:
                dropped.append(Dropped(rule.name, line[len(new) :] if line.startswith(new) else line))
                line = new
    stripped = line.strip()
    for rule in rules:
        if rule.scope == "line" and rule.pattern.fullmatch(stripped):
            dropped.append(Dropped(rule.name, stripped))
            return ""
    return stripped


def strip_boilerplate(blocks: tuple[Block, ...], rules: list[Rule]) -> tuple[tuple[Block, ...], list[Dropped]]:
    """Drop matching lines; join what is left of each block into one line."""
    dropped: list[Dropped] = []
    kept = []
    for block in blocks:
        lines = [clean_line(line, rules, dropped) for line in block.text.split("\n")]
        text = " ".join(line for line in lines if line)
        if text:
            kept.append(Block(block.kind, text, block.level))
    if not kept:
        raise InputError("nothing left to read once the boilerplate was removed (see `audio-edition lint`)")
    return tuple(kept), dropped
