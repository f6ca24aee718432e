"""Settings for a build, as documented frozen dataclasses (Piper's voice.py style)."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

#: What a language setting may look like (BCP 47's shape; Python's ``en_US`` too).
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def base_language(tag: str) -> str:
    """A language tag without its region or script, lower-case: ``en-GB``, ``en_US`` -> ``en``."""
    return tag.lower().replace("_", "-").split("-")[0]


@dataclass(frozen=True)
class Pauses:
    """Silence inserted between clips, in milliseconds."""

    #: Between two pieces of one long sentence that had to be split for the engine.
    clause_ms: int = 150
    #: Between sentences of one paragraph.
    sentence_ms: int = 350
    #: Between paragraphs.
    paragraph_ms: int = 800
    #: Between two items of a list: a short pause each, as a reader would make.
    item_ms: int = 450
    #: Between chapters (sections or stories).
    chapter_ms: int = 1400
    #: Before the first clip.
    lead_ms: int = 250
    #: After the last clip: short, so the last sentence ends where the file does.
    tail_ms: int = 50


@dataclass(frozen=True)
class Encoding:
    """The MP3 written: constant bitrate so that chapter seeking is exact."""

    bitrate_kbps: int = 64
    sample_rate: int = 44100
    channels: int = 1


@dataclass(frozen=True)
class Loudness:
    """Two-pass EBU R128 normalization targets (podcast norm)."""

    enabled: bool = True
    integrated_lufs: float = -16.0
    true_peak_dbtp: float = -1.5


@dataclass(frozen=True)
class Metadata:
    """What the tags, manifest and feed say about the edition."""

    title: str | None = None
    publication: str = "Today's Edition"
    author: str | None = None
    #: ``None``: the story's own date (HTML metadata), else today.
    date: _dt.date | None = None
    #: A language tag (BCP 47): ``en``, ``en-GB``, ``pt_BR``.
    language: str = "en"
    description: str | None = None
    url: str | None = None
    cover: Path | None = None

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
    intro: str | None = None
    #: Spoken outro template, with the same rules (:data:`DEFAULT_OUTRO`).
    outro: str | None = None
    #: Spoken between stories (e.g. "Next."); ``None``: nothing but the chapter pause.
    transition: str | None = None
    #: Audio between stories instead of (or besides) the spoken transition.
    transition_audio: Path | None = None
    #: Audio at the very start and end (faded in and out).
    jingle: Path | None = None
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
    format: str | None = None
    #: Speak everything: no boilerplate rules, no classifier, no template (player chrome,
    #: subscription pitches, menus and all).
    keep_boilerplate: bool = False
    #: A line containing one of these texts (case-insensitive) is always spoken ...
    keep_lines: tuple[str, ...] = ()
    #: ... and one containing one of these never is (``drop`` wins over ``keep``).
    drop_lines: tuple[str, ...] = ()
    #: Learn each publication's template (lines its pages share) in the cache folder, and drop it.
    learn_template: bool = True
    #: Extra boilerplate rules files (TOML), on top of the built-in ones.
    rules_files: tuple[Path, ...] = ()
    #: Pronunciation lexicon (TOML).
    lexicon: Path | None = None
    #: Speech-normalization steps to switch off, by name.
    disabled_steps: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GttsOptions:
    """What only the online engine (gTTS) needs: its language, accent and request budget."""

    #: gTTS's language code (``en``, ``pt-BR``).
    lang: str = "en"
    #: The accent, as the Google domain asked (``com``, ``co.uk``, ``com.au``).
    tld: str = "com"
    #: gTTS's slow reading.
    slow: bool = False
    #: Requests per second (shared by a whole fleet through Redis), attempts per chunk,
    #: requests in flight at once, seconds to wait for one answer.
    requests_per_second: float = 2.0
    max_attempts: int = 5
    concurrency: int = 2
    timeout_s: float = 10.0


@dataclass(frozen=True)
class EngineOptions:
    """Which engine speaks, and how."""

    name: str = "piper"
    #: The engine's voice; ``None`` is its default. Piper: the path of an ``.onnx`` voice (default
    #: the bundled en_US one). Kokoro: a voice name (``af_heart``) or a blend
    #: (``af_heart:0.7,am_michael:0.3``). gTTS: an accent, as a Google domain (``co.uk``), for --tld.
    voice: str | Path | None = None
    #: Speaking rate: 1.0 normal, 1.25 a quarter faster (Piper: length scale 1/speed).
    speed: float = 1.0
    #: Engine that voices a chunk the main engine failed on (``None``: fail the build).
    fallback: str | None = None
    #: The online engine's own settings.
    gtts: GttsOptions = field(default_factory=GttsOptions)
    #: Piper and Kokoro: onnxruntime threads per voice, the same everywhere: onnxruntime splits some
    #: convolutions by thread count, so a sentence voiced with another count can differ by a bit
    #: or two, which would break byte-identical builds across ``--jobs``, machines and the fleet
    #: (it is part of the clip key). One: worker processes use the cores best (measured: two
    #: processes of two threads took 10-20 % more CPU than two of one); a lone sentence (an edit)
    #: gets its second core from its two halves decoded at once instead (engines/piper.py).
    threads: int = 1


@dataclass(frozen=True)
class Fleet:
    """A Celery worker fleet that voices the chunks (``audio-edition worker``); see fleet.py."""

    #: Broker URL, ``redis://host:6379/0``; ``None``: voice locally.
    broker: str | None = None
    #: Queue the workers consume.
    queue: str = "audio-edition"
    #: Give up when no chunk has come back for this many seconds (workers down or all busy).
    timeout_s: float = 600.0


@dataclass(frozen=True)
class Worker:
    """One ``audio-edition worker``: where it takes chunks from, and what it will do for them.

    A task is only a message on the queue, and anyone who can write to the broker can write one:
    the worker writes into the caches it was started with and loads the voices it was given, and
    refuses a task that names anything else.
    """

    broker: str
    queue: str = Fleet.queue
    #: Worker processes, each with its own voice; ``None`` is the number of cores.
    concurrency: int | None = None
    #: Seconds before a chunk a dead worker took is given to another (fleet.py says why 30).
    visibility_timeout_s: float = 30.0
    #: Clip caches builds may name (folders or URLs); empty is the user cache dir alone.
    caches: tuple[str, ...] = ()
    #: Piper voices (``.onnx``) builds may ask for, besides the bundled one.
    voices: tuple[Path, ...] = ()
    #: Celery node name; ``None`` is Celery's ``celery@HOST``.
    hostname: str | None = None


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
    cache_dir: Path | str | None = None
    #: Parallel synthesis workers; ``None`` is the number of cores.
    jobs: int | None = None
    #: The longest edition a build makes, in minutes: a pasted archive instead of a story stops
    #: with one line, before hours of synthesis.
    max_duration_min: float = 240.0
    #: Voice the chunks on a Celery fleet instead of this machine.
    fleet: Fleet = field(default_factory=Fleet)
    #: Also write the player page and its embed snippet beside the MP3 (``OUT.html``,
    #: ``OUT.embed.html``), in the same all-or-nothing step as the MP3 and its sidecars.
    player: bool = False
    #: An edition file may name stories, cover, jingle and sounds outside its own folder (a CMS
    #: that writes edition files should leave this off: a path there could publish any file).
    allow_outside: bool = False
