"""The one module that knows the order of the stages:

text -> paragraphs -> chunks -> clips (cached) -> audio -> tagged MP3 + sidecars
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from . import edition
from .environment import Environment
from .errors import EncodingError, InputError, UsageError
from .languages import LANGUAGES
from .outputs import Outputs
from .publish import sidecars, tags
from .settings import BuildSettings, Metadata, base_language
from .text import boilerplate, chunks, ingest, lexicon, normalize, paragraphs, template
from .voice import clips, engines
from .voice.engines import Clip

if TYPE_CHECKING:
    from .publish import manifest
    from .sound import audio


@dataclass(frozen=True)
class Prepared:
    """Everything known before any audio exists: what ``lint`` shows and ``build`` speaks."""

    stories: tuple[ingest.Story, ...]
    document: paragraphs.Document
    plan: chunks.Plan
    #: Each story's cleaning: every line's verdict (``lint`` shows them), the headline found.
    cleaned: tuple[boilerplate.Cleaned, ...]
    metadata: Metadata
    #: What the engine is sent for each sentence, step by step.
    speech: Speech

    @property
    def dropped(self) -> list[boilerplate.Dropped]:
        return [d for c in self.cleaned for d in c.dropped]


@dataclass
class BuildResult:
    """What a build made; ``--json`` prints :meth:`as_json`."""

    mp3: Path
    manifest_path: Path
    sidecars: dict[str, Path]
    duration_ms: int
    chunks: int
    synthesized: int
    cached: int
    fell_back: int
    fallback_engine: str | None
    timings: dict[str, float] = field(default_factory=dict)
    manifest: manifest.Manifest | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "mp3": str(self.mp3),
            "manifest": str(self.manifest_path),
            "sidecars": {k: str(v) for k, v in self.sidecars.items()},
            "duration_ms": self.duration_ms,
            "chunks": {
                "total": self.chunks,
                "synthesized": self.synthesized,
                "cached": self.cached,
                "fell_back": self.fell_back,
            },
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }


class Progress(Protocol):
    """Hooks a front end implements (the CLI's bar): the build calls them as it goes."""

    def start(self, total: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def stage(self, name: str) -> None: ...
    def finish(self) -> None: ...


class NoProgress:
    """The default :class:`Progress`: shows nothing."""

    def start(self, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def stage(self, name: str) -> None:
        pass

    def finish(self) -> None:
        pass


def default_title(metadata: Metadata) -> str:
    """ "<publication> — <weekday, Month D, YYYY>", the title of a multi-story edition."""
    d = metadata.date or _dt.date.today()
    return f"{metadata.publication} — {d.strftime('%A, %B')} {d.day}, {d.year}"


@dataclass(frozen=True)
class Speech:
    """What the engine is sent for a sentence: the lexicon first (it sees the words as written),
    then the speech steps. Made once per run; ``lint`` reports the same steps the build runs."""

    words: lexicon.Lexicon
    language: str
    respell: Callable[[str], str]
    steps: tuple[normalize.NamedStep, ...]

    @classmethod
    def of(cls, settings: BuildSettings, engine: engines.Engine) -> Speech:
        words = lexicon.load(settings.text.lexicon)
        language = settings.metadata.language
        steps = normalize.named_steps(settings.text.disabled_steps, language)
        return cls(words, language, words.step(language, phonemes=engine.phoneme_input), tuple(steps))

    def __call__(self, text: str) -> str:
        return normalize.normalize(self.respell(text), [s.fn for s in self.steps])

    def trace(self, text: str) -> list[tuple[str, str, str]]:
        """(step, before, after) for the lexicon and each step that changed ``text``."""
        respelled = self.respell(text)
        first = [("lexicon", text, respelled)] if respelled != text else []
        return first + normalize.trace(respelled, self.steps)


#: The most stories one edition holds (a day's edition has tens): past it, the input is refused.
MAX_STORIES = 1000


def prepare(
    inputs: Sequence[str],
    settings: BuildSettings,
    *,
    engine: engines.Engine,
    stdin: IO[bytes] | None = None,
    env: Environment | None = None,
) -> Prepared:
    """Read, clean, structure and chunk the inputs. The engine only lends its limits: nothing is
    voiced. ``env``: where the user folders are (the template memory); default, this process's."""
    settings = (env or Environment.from_process()).apply(settings)
    if len(inputs) > MAX_STORIES:
        raise InputError(f"{len(inputs)} stories: an edition holds at most {MAX_STORIES}; split it")
    read = [ingest.read_story(path, format=settings.text.format, stdin=stdin) for path in inputs]
    _check_length(sum(len(b.text) for s in read for b in s.blocks), settings, engine, slack=4)
    parts, cleaned = _clean(read, settings)
    stories = [story for _, _, story in parts]
    meta = _metadata(settings.metadata, stories)
    doc = _document(parts, settings, meta)
    meta = dataclasses.replace(meta, title=doc.title)
    _check_length(sum(len(p.text) for p in doc.paragraphs), settings, engine)
    _check_script(" ".join(p.text for p in doc.paragraphs), settings.metadata.language)
    speech = Speech.of(settings, engine)
    plan = _voices(chunks.plan(doc, engine.max_chars, speech), settings)
    if not plan.chunks:  # emoji, a bare URL: nothing a voice can say
        raise InputError("nothing to read aloud: the text has no words an engine can say")
    _check_duration(estimated_ms(plan.chunks, settings, engine), settings)
    return Prepared(tuple(stories), doc, plan, tuple(cleaned), meta, speech)


Part = tuple[str | None, tuple[ingest.Block, ...], ingest.Story]


def _clean(stories: list[ingest.Story], settings: BuildSettings) -> tuple[list[Part], list[boilerplate.Cleaned]]:
    """Each story cleaned: its headline, its spoken blocks, and the story with the author found."""
    parts, cleaned = [], []
    for story, cleaning in zip(stories, _cleanings(stories, settings)):
        done = boilerplate.clean(story, cleaning)
        title, blocks = paragraphs.headline(dataclasses.replace(story, blocks=done.blocks, title=done.title))
        parts.append((title, blocks, dataclasses.replace(story, author=done.author)))
        cleaned.append(done)
    return parts, cleaned


def _metadata(meta: Metadata, stories: list[ingest.Story]) -> Metadata:
    """The edition's metadata: a single story lends its author, URL and date where none is given."""
    single = stories[0] if len(stories) == 1 else None
    return dataclasses.replace(
        meta,
        author=meta.author or (single.author if single else None),
        url=meta.url or (single.url if single else None),
        date=meta.date or (single.date if single else None) or _dt.date.today(),
    )


def _document(parts: list[Part], settings: BuildSettings, meta: Metadata) -> paragraphs.Document:
    """The edition as chapters and paragraphs, with its title and the intro and outro said."""
    title = (
        meta.title or (default_title(meta) if len(parts) > 1 else parts[0][0]) or paragraphs.opening_words(parts[0][1])
    )
    intro, outro = edition.framing(settings.program, meta, title=title, count=len(parts))
    return paragraphs.build_document(
        parts,
        title=title,
        intro=intro,
        outro=outro,
        transition=settings.program.transition,
        urls=settings.program.story_urls,
    )


def estimated_ms(spoken: Sequence[chunks.Chunk], settings: BuildSettings, engine: engines.Engine) -> int:
    """How long the chunks will sound: what the engine is sent (after the lexicon and the speech
    steps), at the voice's measured rate, with the build's own pauses between them."""
    from .sound.audio import pause_between  # the build's own pause policy

    chars = sum(len(c.speech) for c in spoken)
    speech_ms = chars / (engine.chars_per_second * settings.engine.speed) * 1000
    p = settings.pauses
    pause_ms = p.lead_ms + p.tail_ms + sum(pause_between(a, b, p) for a, b in zip(spoken, spoken[1:]))
    return round(speech_ms + pause_ms)


def _check_duration(ms: int, settings: BuildSettings) -> None:
    """Refuse, before any voice starts, an edition longer than --max-duration as it will be said."""
    if ms > settings.max_duration_min * 60_000:
        raise InputError(
            f"the edition would last about {_hours(ms / 60_000)} as it will be said, longer than --max-duration "
            f"{settings.max_duration_min:g} minutes; raise it if that is meant"
        )


def _voices(plan: chunks.Plan, settings: BuildSettings) -> chunks.Plan:
    """Each chunk's own voice, where the edition gives its story (or the framing) one."""
    program = settings.program

    def voice(chunk: chunks.Chunk) -> str | None:
        if chunk.story < 0:
            own = program.anchor_voice
        else:
            own = program.story_voices[chunk.story] if chunk.story < len(program.story_voices) else None
        return None if own is None or own == settings.engine.voice else own

    if program.anchor_voice is None and not any(program.story_voices):
        return plan
    return dataclasses.replace(plan, chunks=tuple(dataclasses.replace(c, voice=voice(c)) for c in plan.chunks))


def template_memory(folder: Path | str) -> template.Memory | None:
    """The publications' templates live beside the clips, in a local cache folder only."""
    if isinstance(folder, str) and "://" in folder:
        return None  # an fsspec cache (s3://...) is the fleet's; the templates stay local to a desk
    return template.Memory(Path(folder) / "templates")


def _check_length(chars: int, settings: BuildSettings, engine: engines.Engine, slack: float = 1) -> None:
    """Refuse a text far longer than an edition (--max-duration): once on the raw text, which may
    hold this much chrome (``slack``), before the cleaning; then on the story, before synthesis."""
    minutes = chars / engine.chars_per_second / settings.engine.speed / 60
    if minutes > settings.max_duration_min * slack:
        raise InputError(
            f"the text would make {'at least' if slack > 1 else 'about'} {_hours(minutes / slack)} of audio, "
            f"longer than --max-duration "
            f"{settings.max_duration_min:g} minutes; raise it if that is meant"
        )


def _check_script(text: str, language: str) -> None:
    """Warn when the story is not written in the voice's script: an English voice reads Arabic as
    spelled-out letters, and `check` cannot tell."""
    letters = [c for c in text if c.isalpha()]
    code = base_language(language)
    if code in LANGUAGES and LANGUAGES[code].latin and len(letters) >= 20:
        latin = sum(1 for c in letters if c < "\u0250")  # Basic Latin to Latin Extended-B
        if latin < 0.5 * len(letters):
            logging.getLogger("audio_edition").warning(
                "the text is mostly not in the Latin alphabet, but the voice's language is %r: it would be "
                "spelled out letter by letter; choose a voice in its language (--lang, --voice)",
                language,
            )


def _hours(minutes: float) -> str:
    return f"{minutes / 60:.1f} hours" if minutes >= 90 else f"{minutes:.0f} minutes"


def _memory(settings: BuildSettings) -> template.Memory | None:
    if not settings.text.learn_template or settings.text.keep_boilerplate:
        return None
    return template_memory(settings.cache_dir) if settings.cache_dir else None


def _cleanings(stories: Sequence[ingest.Story], settings: BuildSettings) -> list[boilerplate.Cleaning]:
    """How each story is cleaned: the rules, the editor's lines, the edition's and publication's repeats."""
    text = settings.text
    rules = tuple(boilerplate.load_rules(text.rules_files, builtin=not text.keep_boilerplate))
    base = boilerplate.Cleaning(
        rules=rules,
        classify=not text.keep_boilerplate,
        keep=text.keep_lines,
        drop=text.drop_lines,
        language=settings.metadata.language,
    )
    digests = [{template.digest(x) for x in boilerplate.page_lines(story.blocks)} for story in stories]
    everywhere = Counter(d for own in digests for d in own)  # once for the edition: linear in its stories
    memory = _memory(settings)
    out = []
    for own, story in zip(digests, stories):
        # A line on other stories of this edition is the edition's chrome (a pasted pitch).
        publication = boilerplate.publication(story)
        out.append(
            dataclasses.replace(
                base,
                elsewhere={d: everywhere[d] - 1 for d in own if everywhere[d] > 1},
                template=memory.template(publication, boilerplate.identity(story)) if memory and publication else None,
            )
        )
    return out


def remember(prep: Prepared, settings: BuildSettings) -> None:
    """Teach the publications' templates the pages just built (after a build, never by ``lint``)."""
    memory = _memory(settings)
    if memory is None:
        return
    for story, done in zip(prep.stories, prep.cleaned):
        publication = boilerplate.publication(story)
        if publication:
            try:
                memory.remember(publication, boilerplate.identity(story), done.lines)
            except OSError as exc:  # a read-only cache costs the memory, not the build
                logging.getLogger(__name__).warning("could not remember %s's template: %s", publication, exc)


def _inserts(settings: BuildSettings, results) -> audio.Inserts | None:
    program = settings.program
    if program.jingle is None and program.transition_audio is None:
        return None
    rate = Counter(r.clip.sample_rate for r in results).most_common(1)[0][0]
    from .sound import audio

    jingle = audio.load_insert(program.jingle, rate, program.jingle_fade_ms) if program.jingle else None
    between = audio.load_insert(program.transition_audio, rate, 50) if program.transition_audio else None
    return audio.Inserts(start=jingle, end=jingle, between_stories=between)


def _import_finishing() -> None:
    """Import what the stages after synthesis need (numpy, the loudness filter), and ask
    ffmpeg what it can do, while the voices work rather than before they start."""
    import mutagen.id3  # noqa: F401
    import mutagen.mp3  # noqa: F401

    from . import ffmpeg
    from .publish import manifest  # noqa: F401
    from .sound import loudness

    loudness.preload()
    ffmpeg.has_loopback_decoders()  # asks ffmpeg once


def _fleet(settings: BuildSettings, cache: clips.ClipCache) -> clips.Remote | None:
    """With a broker, the misses go to the Celery fleet (imported only then)."""
    if not settings.fleet.broker:
        return None
    from .voice import fleet

    return lambda work: fleet.voice_on_fleet(settings.fleet, settings.engine, cache, work)


def _player(out: Outputs, output: Path, doc_manifest: manifest.Manifest) -> dict[str, Path]:
    """The player stage: the page and its embed snippet, from the manifest as it is written."""
    from .publish import player

    page = player.render(doc_manifest)
    page_path, embed_path = player.player_paths(output)
    out.write(page_path, page.page)
    out.write(embed_path, page.embed)
    return {"player": page_path, "embed": embed_path}


def _audio_info(path: Path, name: str) -> manifest.AudioInfo:
    """The encoded MP3 as a player reads it (mutagen), published as ``name``."""
    from mutagen.mp3 import MP3, HeaderNotFoundError

    from .publish.manifest import AudioInfo

    try:
        info = MP3(str(path)).info
    except HeaderNotFoundError as exc:
        raise EncodingError(f"ffmpeg wrote no valid MP3 ({exc})") from None
    if info is None:
        raise EncodingError("ffmpeg wrote no valid MP3 (no stream information)")
    return AudioInfo(name, round(info.length * 1000), info.sample_rate, info.channels, round(info.bitrate / 1000))


def _jobs(settings: BuildSettings) -> int:
    """Worker processes for the voices, then threads for the encoders."""
    return settings.jobs or os.cpu_count() or 1


def _synthesize(
    prep: Prepared, settings: BuildSettings, engine: engines.Engine, cache: clips.ClipCache, progress: Progress
) -> tuple[list[clips.ClipResult], clips.SynthesisStats]:
    """Every chunk's clip, from the cache or voiced (by the fleet with a broker), in order."""
    fallback = None
    if settings.engine.fallback:
        fallback_name = settings.engine.fallback
        fallback = lambda: engines.create(settings.engine, fallback_name)  # noqa: E731
    progress.stage("synthesizing")
    progress.start(len(prep.plan.chunks))
    results, stats = clips.synthesize_all(
        prep.plan.chunks,
        engine,
        cache,
        fallback=fallback,
        on_clip=progress.advance,
        jobs=_jobs(settings),
        options=settings.engine,
        while_waiting=_import_finishing,
        remote=_fleet(settings, cache),
    )
    progress.finish()
    return results, stats


def _tagged(
    mp3: Path,
    output: Path,
    prep: Prepared,
    assembled: audio.Assembled,
    results: Sequence[clips.ClipResult],
    engine: engines.Engine,
) -> manifest.Manifest:
    """The manifest of the encoded MP3, whose tags are written from it; with the file's size and
    checksum once tagged."""
    from .publish import manifest

    doc_manifest = manifest.build_manifest(
        doc=prep.document,
        plan=prep.plan,
        assembled=assembled,
        results=results,
        metadata=prep.metadata,
        engine={"name": engine.name, **engine.identity()},
        audio=_audio_info(mp3, output.name),
    )
    tags.write_tags(mp3, doc_manifest, transcript=manifest.transcript(doc_manifest), cover=prep.metadata.cover)
    data = mp3.read_bytes()
    doc_manifest.audio.bytes = len(data)
    doc_manifest.audio.sha256 = hashlib.sha256(data).hexdigest()
    return doc_manifest


def _publish(out: Outputs, output: Path, doc_manifest: manifest.Manifest, settings: BuildSettings) -> dict[str, Path]:
    """The sidecars, the manifest and (``--player``) the player, written beside the MP3."""
    from .publish import manifest

    side = sidecars.sidecar_paths(output)
    for name, text in sidecars.render_all(doc_manifest).items():
        out.write(side[name], text)
    out.write(manifest.manifest_path(output), manifest.dumps(doc_manifest))
    if settings.player:
        side = {**side, **_player(out, output, doc_manifest)}
    return side


def build(
    inputs: Sequence[str],
    output: Path,
    settings: BuildSettings | None = None,
    *,
    progress: Progress | None = None,
    stdin: IO[bytes] | None = None,
    engine: engines.Engine | None = None,
    env: Environment | None = None,
) -> BuildResult:
    """Build ``output`` (an MP3) and its manifest and sidecars from one story or several, or from
    an edition file (``["today.toml"]``: its stories, with its values).

    ``engine``, if given, is used instead of one made from ``settings.engine``: a caller that
    builds several editions loads its voice once. ``env``: the streams and user folders to use
    (environment.py); default, this process's.
    """
    # An edition file's values apply over ``settings`` (the CLI has resolved it already, keeping
    # what its command line set).
    env = env or Environment.from_process()
    inputs, settings = edition.resolve(inputs, env.apply(settings or BuildSettings()))
    progress = progress or NoProgress()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    output = Path(output)
    if output.suffix.lower() != ".mp3":  # an MP3 under another name would mislead players and feeds
        raise UsageError(f"-o {output}: the output is an MP3; give it a .mp3 name")
    with Outputs() as out:
        engine = engine or engines.create(settings.engine)
        prep = prepare(inputs, settings, engine=engine, stdin=stdin or env.stdin, env=env)  # bad input: no folder made
        mp3_tmp = out.temp_for(output)  # fails fast on an unwritable folder, before any synthesis
        cache = clips.ClipCache(str(settings.cache_dir))
        lap("prepare")
        results, stats = _synthesize(prep, settings, engine, cache, progress)
        lap("synthesize")
        progress.stage("encoding")
        from .sound import audio, encode

        assembled = audio.assemble(
            results, settings.pauses, inserts=_inserts(settings, results), grid=encode.frame_grid(settings.encoding)
        )
        # The clips are in the edition now; keep only what the manifest needs of them.
        results = [dataclasses.replace(r, clip=Clip(b"", r.clip.sample_rate)) for r in results]
        lap("stitch")
        with out.writing(output):  # a full disk or a read-only folder names the MP3
            encode.render(assembled, mp3_tmp, settings.encoding, settings.loudness, cache=cache, jobs=_jobs(settings))
            lap("encode")
            doc_manifest = _tagged(mp3_tmp, output, prep, assembled, results, engine)
        side = _publish(out, output, doc_manifest, settings)
        lap("tag")
        out.commit()
    remember(prep, settings)

    from .publish import manifest

    return BuildResult(
        mp3=output,
        manifest_path=manifest.manifest_path(output),
        sidecars=side,
        duration_ms=doc_manifest.audio.duration_ms,
        chunks=len(prep.plan.chunks),
        synthesized=stats.synthesized,
        cached=stats.cached,
        fell_back=stats.fell_back,
        fallback_engine=stats.fallback_engine,
        timings=timings,
        manifest=doc_manifest,
    )
