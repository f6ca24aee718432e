"""Editions: the edition file (TOML) and the spoken framing (intro, outro) of a day's stories.

An edition file lists the stories with the edition's metadata, so a pipeline need not build a long
command line. Paths are relative to the file::

    publication = "GlobalPost"
    date = 2026-11-27
    cover = "cover.jpg"
    intro = "This is {publication} for {weekday}, {month} {day}. {count} stories today."
    outro = "That was {publication}. Thanks for listening."
    jingle = "jingle.mp3"
    keep = ["Correction:"]          # lines the editor always wants spoken ...
    drop = ["Our tip line is open"]  # ... and never
    engine = "kokoro"
    voice = "af_heart"               # every story's, unless it names its own
    anchor_voice = "am_michael"      # the intro, transitions and outro

    [[story]]
    path = "stepping-up.txt"
    url = "https://example.org/world/stepping-up"
    voice = "bf_emma"                # a desk voice for this story

    [[story]]
    path = "river-talks.md"

A voice is what ``--voice`` takes for the engine: a Piper ``.onnx`` file (relative to the edition
file), a Kokoro voice or blend, a gTTS accent.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from num2words import num2words

from ._compat import read_toml
from .errors import UsageError
from .settings import DEFAULT_INTRO, DEFAULT_OUTRO, LANGUAGE_TAG, BuildSettings, Metadata, Program

#: Edition-file keys and the settings they fill: (section, field, is a path).
KEYS: dict[str, tuple[str, str, bool]] = {
    "title": ("metadata", "title", False),
    "publication": ("metadata", "publication", False),
    "author": ("metadata", "author", False),
    "date": ("metadata", "date", False),
    "language": ("metadata", "language", False),
    "description": ("metadata", "description", False),
    "url": ("metadata", "url", False),
    "cover": ("metadata", "cover", True),
    "intro": ("program", "intro", False),
    "outro": ("program", "outro", False),
    "transition": ("program", "transition", False),
    "transition_audio": ("program", "transition_audio", True),
    "jingle": ("program", "jingle", True),
    "engine": ("engine", "name", False),
    "voice": ("engine", "voice", False),
    "anchor_voice": ("program", "anchor_voice", False),
    # lines the editor forces in or out, on top of --keep/--drop
    "keep": ("text", "keep_lines", False),
    "drop": ("text", "drop_lines", False),
}


@dataclass(frozen=True)
class EditionFile:
    path: Path
    stories: tuple[str, ...]
    urls: tuple[str | None, ...]
    #: Each story's own voice (``None``: the edition's).
    voices: tuple[str | None, ...]
    #: Option name -> value, with paths resolved against the file's folder.
    values: dict[str, Any]


def is_edition_file(path: str) -> bool:
    return path.lower().endswith(".toml")


#: The type each edition-file value must have (TOML's): a wrong one is a one-line error, not a
#: build that succeeds and a player or feed that fails later.
TYPES: dict[str, tuple[type, ...]] = {
    "date": (str, _dt.date),
    "keep": (str, list),
    "drop": (str, list),
}


def _inside(base: Path, value: str, what: str, origin: Path, allow_outside: bool) -> Path:
    """A path from the edition file, relative to its folder, and inside it unless allowed: a CMS
    that writes edition files must not be able to have a build read and publish any local file."""
    target = (base / value).resolve()
    if not allow_outside and not target.is_relative_to(base.resolve()):
        raise UsageError(
            f"{origin}: {what} {value!r} is outside the edition file's folder (use --allow-outside to allow it)"
        )
    return target


def load(path: Path, *, allow_outside: bool = False) -> EditionFile:
    """Read an edition file. Its paths are relative to its folder and must stay inside it,
    unless ``allow_outside`` (``--allow-outside``)."""
    path = Path(path)
    data = read_toml(path, str(path))
    stories = data.pop("story", None)
    if not isinstance(stories, list) or not stories:
        raise UsageError(f"{path}: list the stories as [[story]] tables with a path each")
    unknown = set(data) - set(KEYS)
    if unknown:
        raise UsageError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(KEYS)}")
    inputs, urls, voices = [], [], []
    for i, story in enumerate(stories, 1):
        if not isinstance(story, dict) or not isinstance(story.get("path"), str) or not story["path"].strip():
            raise UsageError(f"{path}: story #{i} needs a path (a string)")
        unknown = set(story) - STORY_KEYS
        if unknown:
            raise UsageError(
                f"{path}: story #{i} has unknown key(s) {', '.join(sorted(unknown))}; known: path, url, voice"
            )
        for key in ("url", "voice"):
            if story.get(key) is not None and (not isinstance(story[key], str) or not story[key].strip()):
                raise UsageError(f"{path}: story #{i}'s {key} must be a string")
        inputs.append(str(_inside(path.parent, story["path"], f"story #{i}'s path", path, allow_outside)))
        urls.append(story.get("url"))
        voices.append(_voice(path, story.get("voice"), f"story #{i}'s voice", allow_outside))
    values = {key: _value(path, key, value, allow_outside) for key, value in data.items()}
    return EditionFile(path, tuple(inputs), tuple(urls), tuple(voices), values)


#: What a [[story]] table may say.
STORY_KEYS = frozenset({"path", "url", "voice"})


def _voice(path: Path, value: str | None, what: str, allow_outside: bool) -> str | None:
    """A voice as the engine takes it: a Piper voice file is relative to the edition file."""
    if value is None or not value.lower().endswith(".onnx"):
        return value
    return str(_inside(path.parent, value, what, path, allow_outside))


def _check_type(path: Path, key: str, value: Any) -> None:
    wanted = TYPES.get(key, (str,))
    if not isinstance(value, wanted) or isinstance(value, bool):
        kinds = " or ".join("a date" if t is _dt.date else "a list" if t is list else "a string" for t in wanted)
        raise UsageError(f"{path}: {key} must be {kinds}, not {value!r}")


def _value(path: Path, key: str, value: Any, allow_outside: bool) -> Any:
    """One top-level value of the edition file ``path``, checked and made what its setting takes."""
    _check_type(path, key, value)
    if KEYS[key][2] and value:
        return _inside(path.parent, value, key, path, allow_outside)
    if key in ("voice", "anchor_voice"):
        if not value.strip():
            raise UsageError(f"{path}: {key} must name a voice")
        return _voice(path, value, key, allow_outside)
    if key in ("keep", "drop"):
        lines = [value] if isinstance(value, str) else value
        if not all(isinstance(v, str) and v.strip() for v in lines):
            raise UsageError(f'{path}: {key} must be a list of lines\' texts, e.g. {key} = ["Copy link"]')
        return tuple(lines)
    if key == "language" and not LANGUAGE_TAG.fullmatch(value):
        raise UsageError(f"{path}: language {value!r} is not a language tag like en or en-GB")
    if key == "date" and isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"{path}: date {value!r} is not like 2026-11-27") from None
    return value


class Stories(list[str]):
    """Inputs already resolved (:func:`resolve`): resolving them again changes nothing, so the CLI,
    ``lint`` and ``build`` resolve an edition file once, and a story is never taken for one."""


def resolve(
    inputs: Sequence[str], settings: BuildSettings, *, keep: frozenset[str] = frozenset()
) -> tuple[Stories, BuildSettings]:
    """The stories to read and the settings to read them with: a lone edition file (``.toml``)
    expands to its stories, and its values apply over ``settings``, except the fields named in
    ``keep`` by path (``metadata.language``: what a command line set). Anything else is returned
    as it is."""
    if isinstance(inputs, Stories) or not (len(inputs) == 1 and is_edition_file(str(inputs[0]))):
        return Stories(inputs), settings
    loaded = load(Path(inputs[0]), allow_outside=settings.allow_outside)
    return Stories(loaded.stories), apply(settings, loaded, keep=keep)


def apply(settings: BuildSettings, edition: EditionFile, keep: frozenset[str] = frozenset()) -> BuildSettings:
    """Settings with the edition file's values, except the fields named in ``keep`` (by path, set on
    the command line)."""
    sections: dict[str, dict[str, Any]] = {
        "metadata": {},
        "program": {"story_urls": edition.urls, "story_voices": edition.voices},
        "text": {},
        "engine": {},
    }
    for key, value in edition.values.items():
        section, name, _ = KEYS[key]
        if section == "text":  # the editor's lines add to the command line's
            value = (*getattr(settings.text, name), *value)
        elif f"{section}.{name}" in keep:
            continue
        sections[section][name] = value
    return dataclasses.replace(
        settings,
        engine=dataclasses.replace(settings.engine, **sections["engine"]),
        metadata=dataclasses.replace(settings.metadata, **sections["metadata"]),
        program=dataclasses.replace(settings.program, **sections["program"]),
        text=dataclasses.replace(settings.text, **sections["text"]),
    )


def render(template: str, metadata: Metadata, *, title: str, count: int) -> str:
    d = metadata.date or _dt.date.today()
    fields = {
        "publication": metadata.publication,
        "title": title,
        "weekday": d.strftime("%A"),
        "month": d.strftime("%B"),
        "day": d.day,
        "year": d.year,
        "count": num2words(count).capitalize(),
        "count_number": count,
    }
    return _fill(template, fields)


#: The widest a template field may be padded ("{title:<40}"): a template is no way to fill memory.
MAX_FIELD_WIDTH = 80
_SPEC = re.compile(r"[<>^]?(\d{1,2})?")


def _fill(template: str, fields: dict[str, object]) -> str:
    """The template with its named fields filled: no attribute or index access, no conversions,
    and no format spec beyond an alignment and a width of at most :data:`MAX_FIELD_WIDTH` (it is
    an editor's file, not code: "{weekday.upper}" or "{count:>1000000000}" is refused)."""
    import string

    allowed = f"one of {{{'}, {'.join(fields)}}}"
    out = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise UsageError(f"template {template!r}: {exc}") from None
    for literal, name, spec, conversion in parsed:
        out.append(literal)
        if name is None:
            continue
        if name not in fields or conversion:
            raise UsageError(f"template {template!r}: {{{name}}} is not {allowed}")
        width = _SPEC.fullmatch(spec or "")
        if width is None or int(width.group(1) or 0) > MAX_FIELD_WIDTH:
            raise UsageError(f"template {template!r}: {{{name}:{spec}}}: only an alignment and a width up to 80")
        out.append(format(fields[name], spec or ""))
    return "".join(out)


def framing(program: Program, metadata: Metadata, *, title: str, count: int) -> tuple[str | None, str | None]:
    """The intro and outro to speak: defaults for editions of several stories, none for one."""
    intro = program.intro if program.intro is not None else (DEFAULT_INTRO if count > 1 else "")
    outro = program.outro if program.outro is not None else (DEFAULT_OUTRO if count > 1 else "")
    return (
        render(intro, metadata, title=title, count=count) if intro else None,
        render(outro, metadata, title=title, count=count) if outro else None,
    )
