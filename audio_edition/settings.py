"""Settings for a build, as documented frozen dataclasses (Piper's voice.py style)."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: What a language setting may look like (BCP 47's shape; Python's ``en_US`` too).
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def base_language(tag: str) -> str:
    """A language tag without its region or script, lower-case: ``en-GB``, ``en_US`` -> ``en``."""
    return tag.lower().replace("_", "-").split("-")[0]


@dataclass(frozen=True)
class Option:
    """The command-line option that sets a field: cli.py makes a click option of it, and a field's
    value of what the option got. Declared here, beside the field, so that an option is one line."""

    #: Its names (``"--speed"``); the first long one, as ``snake_case``, is its key in a config file.
    decls: tuple[str, ...]
    help: str
    #: The environment variable that sets it too.
    envvar: str | None = None
    #: Only these values (as typed: a number field converts them).
    choices: tuple[str, ...] = ()
    #: The lowest and highest number allowed (``None``: no bound).
    bounds: tuple[float | None, float | None] | None = None
    #: A flag, which gives the field this value when given (``--no-loudness``: False).
    flag: bool = False
    sets: Any = True
    #: Repeatable: the field gets all of them (a tuple, or a frozenset).
    multiple: bool = False
    metavar: str | None = None
    #: A file: ``"file"``, or ``"existing"`` for one that must be there.
    path: str | None = None
    #: A value click has no type for: ``"date"`` (YYYY-MM-DD).
    kind: str | None = None
    #: Other fields the option sets too, as paths from :class:`BuildSettings` (``--lang``).
    also: tuple[str, ...] = ()
    show_default: bool = True
    required: bool = False


def out_of_bounds(settings: Any) -> str | None:
    """The first field of ``settings`` (a settings dataclass, its sections included) outside its
    option's bounds or choices, as "--speed 9.0: at most 2.0"; None if all are within. A worker
    holds a task's options to what the command line would allow (an engine per odd speed filled
    its memory)."""
    import dataclasses

    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if (found := out_of_bounds(value)) is not None:
                return found
            continue
        for option in f.metadata.get("options", ()):
            if value is not None and (problem := _outside(option, value)):
                return problem
    return None


def _outside(option: Option, value: Any) -> str | None:
    name = option.decls[0]
    if option.choices and str(value) not in option.choices:
        return f"{name} {value!r}: one of {', '.join(option.choices)}"
    if option.bounds and isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = option.bounds
        if (low is not None and value < low) or (high is not None and value > high) or value != value:
            return f"{name} {value!r}: between {low} and {high}"
    return None


def options(*declared: Option) -> dict[str, Any]:
    """A field's ``metadata``: the options that set it (a later one wins: ``--no-intro``)."""
    return {"options": declared}


def _ms(decl: str, what: str, most: int) -> dict[str, Any]:
    return options(Option((decl,), f"Silence between {what}, ms.", bounds=(0, most)))


@dataclass(frozen=True)
class Pauses:
    """Silence inserted between clips, in milliseconds."""

    #: Between two pieces of one long sentence that had to be split for the engine.
    clause_ms: int = 150
    #: Between sentences of one paragraph.
    sentence_ms: int = field(default=350, metadata=_ms("--sentence-pause", "sentences", 10000))
    #: Between paragraphs.
    paragraph_ms: int = field(default=800, metadata=_ms("--paragraph-pause", "paragraphs", 10000))
    #: Between two items of a list: a short pause each, as a reader would make.
    item_ms: int = 450
    #: Between chapters (sections or stories).
    chapter_ms: int = field(default=1400, metadata=_ms("--chapter-pause", "chapters", 20000))
    #: Before the first clip.
    lead_ms: int = 250
    #: After the last clip: short, so the last sentence ends where the file does.
    tail_ms: int = 50


@dataclass(frozen=True)
class Encoding:
    """The MP3 written: constant bitrate so that chapter seeking is exact."""

    bitrate_kbps: int = field(default=64, metadata=options(Option(
        ("--bitrate",), "MP3 bitrate, kbps (CBR).", envvar="AUDIO_EDITION_BITRATE",
        choices=("32", "48", "64", "96", "128", "160", "192"))))  # fmt: skip
    sample_rate: int = 44100
    channels: int = 1


@dataclass(frozen=True)
class Loudness:
    """Two-pass EBU R128 normalization targets (podcast norm)."""

    enabled: bool = field(default=True, metadata=options(Option(
        ("--no-loudness",), "Skip loudness normalization.", flag=True, sets=False)))  # fmt: skip
    integrated_lufs: float = field(default=-16.0, metadata=options(Option(
        ("--target-lufs",), "Integrated loudness of the edition (EBU R128).", bounds=(-40, -5))))  # fmt: skip
    true_peak_dbtp: float = field(default=-1.5, metadata=options(Option(
        ("--true-peak",), "True-peak ceiling, dBTP.", bounds=(-9, 0))))  # fmt: skip


@dataclass(frozen=True)
class Metadata:
    """What the tags, manifest and feed say about the edition."""

    title: str | None = field(default=None, metadata=options(Option(
        ("--title",), "Title. Default: the headline (or, for editions, publication and date).")))  # fmt: skip
    publication: str = field(default="Today's Edition", metadata=options(Option(
        ("--publication",), "Publication (album tag, feed).", envvar="AUDIO_EDITION_PUBLICATION")))  # fmt: skip
    author: str | None = field(default=None, metadata=options(Option(
        ("--author",), "Author. Default: the publication.", envvar="AUDIO_EDITION_AUTHOR")))  # fmt: skip
    #: ``None``: the story's own date (HTML metadata), else today.
    date: _dt.date | None = field(default=None, metadata=options(Option(
        ("--date",), "Edition date, YYYY-MM-DD. Default: today.", kind="date")))  # fmt: skip
    #: A language tag (BCP 47): ``en``, ``en-GB``, ``pt_BR``; on the command line, gTTS's too.
    language: str = field(default="en", metadata=options(Option(
        ("--lang",), "Language (gTTS; also the tags' language).", envvar="AUDIO_EDITION_LANG",
        also=("engine.gtts.lang",))))  # fmt: skip
    description: str | None = field(default=None, metadata=options(Option(
        ("--description",), "Description (COMM tag, feed).")))  # fmt: skip
    url: str | None = field(default=None, metadata=options(Option(("--url",), "The story's URL (WOAS tag, feed).")))
    cover: Path | None = field(default=None, metadata=options(Option(
        ("--cover",), "Cover art, JPEG or PNG.", path="existing")))  # fmt: skip

    def __post_init__(self) -> None:
        if not isinstance(self.language, str) or not LANGUAGE_TAG.fullmatch(self.language):
            from .errors import UsageError

            raise UsageError(f"language {self.language!r} is not a language tag like en or en-GB")


@dataclass(frozen=True)
class Program:
    """What frames the stories of an edition: spoken intro and outro, transitions, a jingle.

    Templates may use {publication}, {title}, {weekday}, {month}, {day}, {year}, {count} ("Three")
    and {count_number} ("3").
    """

    #: Spoken intro template; ``None`` is :data:`DEFAULT_INTRO` for editions of several stories
    #: and nothing for a single story; ``""`` is no intro.
    intro: str | None = field(default=None, metadata=options(
        Option(("--intro",), "Spoken intro template, e.g. \"This is {publication} for {weekday}.\" Default for "
               "editions of several stories: a line naming the publication, date and count."),
        Option(("--no-intro",), "No spoken intro.", flag=True, sets="")))  # fmt: skip
    #: Spoken outro template, with the same rules (:data:`DEFAULT_OUTRO`).
    outro: str | None = field(default=None, metadata=options(
        Option(("--outro",), "Spoken outro template (same fields as --intro)."),
        Option(("--no-outro",), "No spoken outro.", flag=True, sets="")))  # fmt: skip
    #: Spoken between stories (e.g. "Next."); ``None``: nothing but the chapter pause.
    transition: str | None = field(default=None, metadata=options(Option(
        ("--transition",), 'Spoken between stories, e.g. "Next."')))  # fmt: skip
    #: Audio between stories instead of (or besides) the spoken transition.
    transition_audio: Path | None = field(default=None, metadata=options(Option(
        ("--transition-audio",), "A short sound between stories.", path="existing")))  # fmt: skip
    #: Audio at the very start and end (faded in and out).
    jingle: Path | None = field(default=None, metadata=options(Option(
        ("--jingle",), "Audio at the start and the end, faded in and out.", path="existing")))  # fmt: skip
    #: Fade of the jingle, ms.
    jingle_fade_ms: int = 600
    #: Each story's URL, by input position (an edition file's ``url`` entries).
    story_urls: tuple[str | None, ...] = ()
    #: Each story's own voice, by input position (``None``: the build's voice), and the anchor
    #: voice of the intro, transitions and outro (an edition file's ``voice`` entries).
    story_voices: tuple[str | None, ...] = ()
    anchor_voice: str | None = None


DEFAULT_INTRO = "This is {publication} for {weekday}, {month} {day}. {count} stories today."
DEFAULT_OUTRO = "That was {publication} for {weekday}, {month} {day}. Thanks for listening."


@dataclass(frozen=True)
class TextOptions:
    """How input text is read and cleaned."""

    #: ``text``, ``markdown``, ``html`` or ``None`` to detect from extension or content.
    format: str | None = field(default=None, metadata=options(Option(
        ("--format",), "Input format. Default: from the extension, else the content.", envvar="AUDIO_EDITION_FORMAT",
        choices=("text", "markdown", "html"))))  # fmt: skip
    #: Speak everything: no boilerplate rules, no classifier, no template (player chrome,
    #: subscription pitches, menus and all).
    keep_boilerplate: bool = field(default=False, metadata=options(Option(
        ("--keep-boilerplate",), "Speak the page as it is: no rules, no classifier, no template (player, menus, "
        "pitches and all).", flag=True)))  # fmt: skip
    #: A line containing one of these texts (case-insensitive) is always spoken ...
    keep_lines: tuple[str, ...] = field(default=(), metadata=options(Option(
        ("--keep",), "Always speak a line that contains TEXT (case-insensitive); repeatable.", multiple=True,
        metavar="TEXT")))  # fmt: skip
    #: ... and one containing one of these never is (``drop`` wins over ``keep``).
    drop_lines: tuple[str, ...] = field(default=(), metadata=options(Option(
        ("--drop",), "Never speak a line that contains TEXT; repeatable. Wins over --keep.", multiple=True,
        metavar="TEXT")))  # fmt: skip
    #: Learn each publication's template (lines its pages share) in the cache folder, and drop it.
    learn_template: bool = field(default=True, metadata=options(Option(
        ("--no-template",), "Do not learn or drop the lines a publication's pages share (kept in the cache folder).",
        flag=True, sets=False)))  # fmt: skip
    #: Extra boilerplate rules files (TOML), on top of the built-in ones.
    rules_files: tuple[Path, ...] = field(default=(), metadata=options(Option(
        ("--rules",), "Extra boilerplate rules (TOML); repeatable.", multiple=True, path="file")))  # fmt: skip
    #: Pronunciation lexicon (TOML).
    lexicon: Path | None = field(default=None, metadata=options(Option(
        ("--lexicon",), "Pronunciation lexicon (TOML).", envvar="AUDIO_EDITION_LEXICON", path="file")))  # fmt: skip
    #: Speech-normalization steps to switch off, by name.
    disabled_steps: frozenset[str] = field(default=frozenset(), metadata=options(Option(
        ("--no-normalize",), "Switch off a speech-normalization step (e.g. currency); repeatable.", multiple=True,
        metavar="STEP")))  # fmt: skip


@dataclass(frozen=True)
class GttsOptions:
    """What only the online engine (gTTS) needs: its language, accent and request budget."""

    #: gTTS's language code (``en``, ``pt-BR``); on the command line, ``--lang`` (:class:`Metadata`).
    lang: str = "en"
    #: The accent, as the Google domain asked (``com``, ``co.uk``, ``com.au``).
    tld: str = field(default="com", metadata=options(Option(
        ("--tld",), "gTTS accent: com, co.uk, com.au, co.in, ...")))  # fmt: skip
    #: gTTS's slow reading.
    slow: bool = field(default=False, metadata=options(Option(("--slow",), "gTTS: its slow reading.", flag=True)))
    #: Requests per second (shared by a whole fleet through Redis), attempts per chunk,
    #: requests in flight at once, seconds to wait for one answer.
    requests_per_second: float = field(default=2.0, metadata=options(Option(
        ("--requests-per-second",), "gTTS: request budget.", envvar="AUDIO_EDITION_REQUESTS_PER_SECOND",
        bounds=(0.05, None))))  # fmt: skip
    max_attempts: int = field(default=5, metadata=options(Option(
        ("--max-attempts",), "gTTS: attempts per chunk (429, 5xx, timeouts and empty answers are retried with "
        "backoff).", bounds=(1, 20))))  # fmt: skip
    concurrency: int = field(default=2, metadata=options(Option(
        ("--concurrency",), "gTTS: requests in flight at once.", bounds=(1, 16))))  # fmt: skip
    timeout_s: float = field(default=10.0, metadata=options(Option(
        ("--timeout",), "gTTS: seconds to wait for one answer.", bounds=(0.1, None))))  # fmt: skip


@dataclass(frozen=True)
class EngineOptions:
    """Which engine speaks, and how."""

    name: str = field(default="piper", metadata=options(Option(
        ("--engine",), "TTS engine (see `audio-edition engines`).", envvar="AUDIO_EDITION_ENGINE")))  # fmt: skip
    #: The engine's voice; ``None`` is its default. Piper: the path of an ``.onnx`` voice (default
    #: the bundled en_US one). Kokoro: a voice name (``af_heart``) or a blend
    #: (``af_heart:0.7,am_michael:0.3``). gTTS: an accent, as a Google domain (``co.uk``), for --tld.
    voice: str | Path | None = field(default=None, metadata=options(Option(
        ("--voice",), "Piper: a voice file (.onnx; default the bundled en_US one). Kokoro: a voice (default "
        "af_heart) or a blend, af_heart:0.7,am_michael:0.3. gTTS: an accent (co.uk).", envvar="AUDIO_EDITION_VOICE")))  # fmt: skip
    #: Speaking rate: 1.0 normal, 1.25 a quarter faster (Piper: length scale 1/speed).
    speed: float = field(default=1.0, metadata=options(Option(
        ("--speed",), "Speaking rate; 1.25 is a quarter faster.", envvar="AUDIO_EDITION_SPEED",
        bounds=(0.25, 4.0))))  # fmt: skip
    #: Engine that voices a chunk the main engine failed on (``None``: fail the build).
    fallback: str | None = field(default=None, metadata=options(Option(
        ("--fallback",), "Voice a chunk with this engine when the main one fails on it.",
        choices=("piper", "kokoro"))))  # fmt: skip
    #: The online engine's own settings.
    gtts: GttsOptions = field(default_factory=GttsOptions)
    #: Piper: onnxruntime threads per voice, the same everywhere, as a sentence voiced with another
    #: count can differ by a bit (it is part of the clip key). One, as worker processes use the
    #: cores best (docs/benchmarks.md, "Measurements behind the design"); a lone sentence gets a second core
    #: from its two halves decoded at once (engines/piper.py).
    threads: int = 1
    #: The user data folder, where Kokoro's model and voices are, and the user cache folder, where
    #: Piper's prepared voices go; ``None``: the Environment's (environment.py), which the entry
    #: points fill in.
    data_dir: Path | None = None
    local_cache: Path | None = None


#: The Celery queue, for builds (:class:`Fleet`) and workers (:class:`Worker`) alike.
QUEUE = Option(("--queue",), "Celery queue of the workers.", envvar="AUDIO_EDITION_QUEUE")


@dataclass(frozen=True)
class Fleet:
    """A Celery worker fleet that voices the chunks (``audio-edition worker``); see fleet.py."""

    #: Broker URL, ``redis://host:6379/0``; ``None``: voice locally.
    broker: str | None = field(default=None, metadata=options(Option(
        ("--broker",), "Celery broker, redis://HOST:6379/0: voice the chunks on the workers (`audio-edition "
        "worker`).", envvar="AUDIO_EDITION_BROKER", metavar="URL")))  # fmt: skip
    #: Queue the workers consume.
    queue: str = field(default="audio-edition", metadata=options(QUEUE))
    #: Give up when no chunk has come back for this many seconds (workers down or all busy).
    timeout_s: float = field(default=600.0, metadata=options(Option(
        ("--fleet-timeout",), "With --broker: give up when no chunk has come back for this many seconds.",
        envvar="AUDIO_EDITION_FLEET_TIMEOUT", bounds=(1, None))))  # fmt: skip


@dataclass(frozen=True)
class Worker:
    """One ``audio-edition worker``: where it takes chunks from, and what it will do for them.

    A task is only a message on the queue, and anyone who can write to the broker can write one:
    the worker writes into the caches it was started with and loads the voices it was given, and
    refuses a task that names anything else.
    """

    broker: str = field(metadata=options(Option(
        ("--broker",), "Celery broker, redis://HOST:6379/0 (also the result backend and the gTTS budget).",
        envvar="AUDIO_EDITION_BROKER", metavar="URL", required=True)))  # fmt: skip
    queue: str = field(default=Fleet.queue, metadata=options(QUEUE))
    #: Worker processes, each with its own voice; ``None`` is the number of cores.
    concurrency: int | None = field(default=None, metadata=options(Option(
        ("-c", "--concurrency"), "Worker processes, each with its own voice. Default: the number of cores.",
        envvar="AUDIO_EDITION_WORKER_CONCURRENCY", bounds=(1, None))))  # fmt: skip
    #: Seconds before a chunk a dead worker took is given to another (fleet.py says why 30).
    visibility_timeout_s: float = field(default=30.0, metadata=options(Option(
        ("--visibility-timeout",), "Seconds before a chunk taken by a worker that died is given to another.",
        bounds=(1, None))))  # fmt: skip
    #: Clip caches builds may name (folders or URLs); empty is the user cache dir alone.
    caches: tuple[str, ...] = field(default=(), metadata=options(Option(
        ("--cache-dir",), "A clip cache builds may name (repeatable); tasks naming another are refused. Default: "
        "the user cache dir.", envvar="AUDIO_EDITION_CACHE_DIR", metavar="DIR|URL", multiple=True)))  # fmt: skip
    #: Piper voices (``.onnx``) builds may ask for, besides the bundled one.
    voices: tuple[Path, ...] = field(default=(), metadata=options(Option(
        ("--voice",), "A Piper voice (.onnx) builds may ask for, besides the bundled one (repeatable).",
        multiple=True, path="existing")))  # fmt: skip
    #: Celery node name; ``None`` is Celery's ``celery@HOST``.
    hostname: str | None = field(default=None, metadata=options(Option(
        ("-n", "--hostname"), "Celery node name. Default: celery@HOST.")))  # fmt: skip


@dataclass(frozen=True)
class BuildSettings:
    """Everything a build needs besides its inputs and output path."""

    engine: EngineOptions = field(default_factory=EngineOptions)
    pauses: Pauses = field(default_factory=Pauses)
    encoding: Encoding = field(default_factory=Encoding)
    loudness: Loudness = field(default_factory=Loudness)
    text: TextOptions = field(default_factory=TextOptions)
    metadata: Metadata = field(default_factory=Metadata)
    program: Program = field(default_factory=Program)
    #: Clip cache: a folder or an fsspec URL (``s3://bucket/prefix``); ``None`` is the user cache dir.
    cache_dir: Path | str | None = field(default=None, metadata=options(Option(
        ("--cache-dir",), "Clip cache: a folder, or an fsspec URL such as s3://bucket/prefix. Default: the user "
        "cache dir.", envvar="AUDIO_EDITION_CACHE_DIR", metavar="DIR|URL")))  # fmt: skip
    #: Parallel synthesis workers; ``None`` is the number of cores.
    jobs: int | None = field(default=None, metadata=options(Option(
        ("--jobs", "-j"), "Parallel synthesis workers. Default: the number of cores.", envvar="AUDIO_EDITION_JOBS",
        bounds=(1, None))))  # fmt: skip
    #: The longest edition a build makes, in minutes: a pasted archive instead of a story stops
    #: with one line, before hours of synthesis.
    max_duration_min: float = field(default=240.0, metadata=options(Option(
        ("--max-duration",), "Refuse a text that would make a longer edition (a pasted archive, not a story).",
        bounds=(1, None), metavar="MINUTES")))  # fmt: skip
    #: Voice the chunks on a Celery fleet instead of this machine.
    fleet: Fleet = field(default_factory=Fleet)
    #: Also write the player page and its embed snippet beside the MP3 (``OUT.html``,
    #: ``OUT.embed.html``), in the same all-or-nothing step as the MP3 and its sidecars.
    player: bool = field(default=False, metadata=options(Option(
        ("--player",), "Also write the player page and embed snippet.", flag=True)))  # fmt: skip
    #: An edition file may name stories, cover, jingle and sounds outside its own folder (a CMS
    #: that writes edition files should leave this off: a path there could publish any file).
    allow_outside: bool = field(default=False, metadata=options(Option(
        ("--allow-outside",), "Let an edition file name stories, cover, jingle and sounds outside its own folder.",
        flag=True)))  # fmt: skip


def _section(f: Any) -> type | None:
    """The settings class a field holds (``BuildSettings.engine``: EngineOptions), or None."""
    import dataclasses

    factory = f.default_factory
    return factory if isinstance(factory, type) and dataclasses.is_dataclass(factory) else None


def declared(cls: type = BuildSettings, prefix: str = "") -> list[tuple[str, Any, Option]]:
    """Every option the settings declare, as (field path, field, option), in field order: the
    path runs from :class:`BuildSettings` (``engine.gtts.tld``)."""
    import dataclasses

    found: list[tuple[str, Any, Option]] = []
    for f in dataclasses.fields(cls):
        if (section := _section(f)) is not None:
            found.extend(declared(section, f"{prefix}{f.name}."))
        found.extend((f"{prefix}{f.name}", f, option) for option in f.metadata.get("options", ()))
    return found


def from_paths(values: dict[str, Any], cls: type = BuildSettings, prefix: str = "") -> Any:
    """Settings with the fields named by path (``{"engine.speed": 1.2}``) set, the others their defaults."""
    import dataclasses

    given: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        path = f"{prefix}{f.name}"
        if (section := _section(f)) is not None:
            given[f.name] = from_paths(values, section, f"{path}.")
        elif path in values:
            given[f.name] = values[path]
    return cls(**given)


@dataclass(frozen=True)
class Limits:
    """What ``check`` holds a built edition to: the one place of its limits (the command's options
    take their defaults from here)."""

    target_lufs: float = -16.0
    lufs_tolerance: float = 1.0
    max_true_peak_dbtp: float = -1.0
    max_silence_s: float = 2.0
    #: A chunk is an outlier when its ms per character is below ``low`` or above ``high`` times the median.
    outlier_low: float = 0.4
    outlier_high: float = 2.5
