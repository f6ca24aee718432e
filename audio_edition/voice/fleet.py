"""Stage 5 on many machines: a Celery worker fleet voices the chunks into one shared clip cache.

The build plans locally and sends only its cache misses, one task per distinct sentence, carrying
its content address, its text, the engine options and the cache location. A worker voices the chunk
with the same engine code a local build uses, writes the clip into the shared cache (atomic and
verified, as always), and answers with nothing but "done". The build then reads the clips from the
cache and stitches, tags and writes locally, so its outputs are the bytes a local build makes.

Tasks are idempotent (a chunk already in the cache is not voiced again), acknowledged late and
rejected when their worker dies, so a killed worker's chunk is redone by another. The fleet-wide
gTTS budget is a token bucket in the broker's Redis, shared by every worker process.

Celery is an optional extra (``pip install 'audio-edition[celery]'``), imported only here.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ..environment import Environment
from ..errors import EngineError, FleetError, UsageError
from ..settings import EngineOptions, Fleet, GttsOptions, Worker, out_of_bounds
from .clips import ClipCache, clip_key
from .engines import Clip, Engine

log = logging.getLogger(__name__)

TASK = "audio_edition.synthesize"
#: Redis key of the fleet-wide gTTS budget.
BUDGET_KEY = "audio-edition:gtts:next-free-us"
#: Seconds before a chunk that a worker took but never acknowledged is handed to another worker:
#: a worker killed outright (the OOM killer kills the main process, and Celery's pool children die
#: with it) acknowledges nothing, and its chunks wait this long, plus up to a quarter of it until a
#: worker looks. Longer than a chunk takes (a few seconds) and than a retry's countdown
#: (RETRY_BACKOFF_MAX), so a chunk is rarely voiced twice; were it, the cache's lock makes the
#: second worker find the clip instead.
DEFAULT_VISIBILITY_TIMEOUT = Worker.visibility_timeout_s
RETRY_BACKOFF_MAX = 15


def _celery():
    try:
        import celery
    except ImportError:
        raise UsageError("--broker needs Celery: pip install 'audio-edition[celery]'") from None
    return celery


def _check_url(broker: str) -> None:
    if not broker.startswith(("redis://", "rediss://", "redis+socket://")):
        # The result backend and the gTTS budget live in the same Redis as the queue.
        raise UsageError(f"--broker {broker}: use a Redis URL, redis://HOST:6379/0")


def make_app(broker: str, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT):
    """A Celery app for the fleet: JSON only, late acks, one chunk at a time per worker process."""
    celery = _celery()
    _check_url(broker)
    app = celery.Celery("audio_edition", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # A worker that dies mid-chunk leaves the message unacknowledged: it goes to another worker.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            # kombu looks for such chunks only every 100 s by default; a lost chunk should wait
            # about the visibility timeout, not minutes more.
            "unacked_restore_interval": max(1.0, min(10.0, visibility_timeout / 4)),
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
    )
    app.task(
        name=TASK,
        bind=True,
        autoretry_for=(EngineError,),
        max_retries=3,
        retry_backoff=2,
        retry_backoff_max=RETRY_BACKOFF_MAX,
        retry_jitter=True,
    )(_synthesize_task)
    return app


# --- the worker side ---------------------------------------------------------------------------


def options_to_json(options: EngineOptions) -> dict[str, Any]:
    data = dataclasses.asdict(options)
    data["voice"] = str(options.voice) if options.voice else None  # a Piper file's path or a Kokoro name
    data["fallback"] = None  # the build falls back locally
    data["data_dir"] = data["local_cache"] = None  # a worker's folders are its own machine's
    return data


def options_from_json(data: dict[str, Any]) -> EngineOptions:
    names = {f.name for f in dataclasses.fields(EngineOptions)}
    values = {k: v for k, v in data.items() if k in names}
    values["voice"] = values.get("voice") or None
    gtts = {f.name for f in dataclasses.fields(GttsOptions)}
    values["gtts"] = GttsOptions(**{k: v for k, v in (values.get("gtts") or {}).items() if k in gtts})
    return EngineOptions(**values)


class RedisTokenBucket:
    """At most ``rate`` acquisitions per second across every process that shares the Redis key.

    One atomic script reserves the next free slot on Redis's own clock, so workers on machines
    with different clocks still space their requests correctly.
    """

    SCRIPT = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
    local next_free = start + tonumber(ARGV[1])
    redis.call('SET', KEYS[1], string.format('%.0f', next_free), 'PX', math.floor((next_free - now) / 1000) + 60000)
    return string.format('%.0f', start - now)
    """

    def __init__(self, url: str, rate: float, key: str = BUDGET_KEY) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.reserve = self.client.register_script(self.SCRIPT)
        self.interval_us = round(1_000_000 / rate)
        self.key = key

    def acquire(self) -> None:
        import redis

        try:
            wait_us = int(self.reserve(keys=[self.key], args=[self.interval_us]))
        except redis.RedisError as exc:
            raise EngineError(f"the fleet's request budget in Redis is unreachable ({exc})") from None
        if wait_us > 0:
            time.sleep(wait_us / 1_000_000)


# The engines a worker process keeps loaded, most recently used last: a voice loads once, and
# tasks asking for ever other options (speeds 1.001, 1.002 ...) cannot grow the process past a few
# (eight of them grew one from 359 MB to 1.2 GB).
ENGINES_KEPT = 3
_engines: collections.OrderedDict[str, Engine] = collections.OrderedDict()
_caches: dict[str, ClipCache] = {}


def _engine_for(options: EngineOptions, broker: str) -> Engine:
    from . import engines

    ident = repr(options)
    if ident in _engines:
        _engines.move_to_end(ident)
        return _engines[ident]
    engine = engines.create(options)
    if engine.network and hasattr(engine, "bucket"):
        engine.bucket = RedisTokenBucket(broker, options.gtts.requests_per_second)  # fleet-wide budget
    _engines[ident] = engine
    while len(_engines) > ENGINES_KEPT:
        _engines.popitem(last=False)
    return engine


def _bounded(options: EngineOptions, where: str) -> EngineOptions:
    """A task's options held to the command line's bounds, with the worker's own thread count (a
    task asking for 64 threads gave a process 192)."""
    if (problem := out_of_bounds(options)) is not None:
        raise FleetError(f"worker {where} refuses a task: {problem}")
    return dataclasses.replace(options, threads=EngineOptions().threads)


@dataclass(frozen=True)
class _Admission:
    """The caches (canonical) and voices (resolved) a worker was started with, and its machine's
    folders (environment.py), where its engines find their voices."""

    caches: frozenset[str]
    voices: frozenset[Path]
    data_dir: Path
    local_cache: Path

    @classmethod
    def of(cls, settings: Worker, env: Environment) -> _Admission:
        from .engines.piper import bundled_voice

        caches = frozenset(canonical(c) for c in settings.caches or (env.cache_dir,))
        voices = frozenset(Path(v).resolve() for v in (*settings.voices, bundled_voice()))
        return cls(caches, voices, env.data_dir, env.cache_dir)

    def folders(self, options: EngineOptions) -> EngineOptions:
        return dataclasses.replace(options, data_dir=self.data_dir, local_cache=self.local_cache)


#: What this worker process admits (set by run_worker before Celery forks its pool).
_admitted: _Admission | None = None


@functools.cache
def canonical(location: str | os.PathLike[str]) -> str:
    """One spelling of a cache location: a URL without its trailing slash, a folder resolved."""
    text = os.fspath(location)
    if "://" in text and not text.startswith("file://"):
        return text.rstrip("/")
    return str(Path(text.removeprefix("file://")).expanduser().resolve())


def _admit(task, options: EngineOptions, cache: str) -> None:
    """Refuse (FleetError: the build stops, no fallback) a cache or voice the worker was not given."""
    if _admitted is None:
        return  # a worker made by other code than run_worker: its maker decides
    where = task.request.hostname
    if canonical(cache) not in _admitted.caches:
        raise FleetError(f"worker {where} does not write into the cache {cache}: start it with --cache-dir {cache}")
    if options.name == "piper" and options.voice is not None and Path(options.voice).resolve() not in _admitted.voices:
        raise FleetError(f"worker {where} does not load the voice {options.voice}: start it with --voice")
    if options.name == "kokoro":  # voices by name, from this machine's data folder: fetched or not
        from .engines import kokoro, kokoro_assets

        have = kokoro_assets.installed(_admitted.data_dir)
        missing = [
            name for name, _ in kokoro.parse_voice(str(options.voice or kokoro.DEFAULT_VOICE)) if name not in have
        ]
        if missing:
            raise FleetError(
                f"worker {where} has no Kokoro voice {', '.join(missing)}: run "
                f"`audio-edition voices fetch kokoro {' '.join(missing)}` on its machine"
            )


def _synthesize_task(task, key: str, text: str, engine: dict[str, Any], cache: str) -> dict[str, Any]:
    """Voice one chunk into the shared cache. Idempotent: a chunk already there is not voiced again."""
    options = _bounded(options_from_json(engine), task.request.hostname)
    _admit(task, options, cache)
    if _admitted is not None:
        options = _admitted.folders(options)
    voice = _engine_for(options, task.app.conf.broker_url)
    if clip_key(voice.identity(), text) != key:
        # Not retried: another worker would compute the same. Usually a different voice file or version.
        raise FleetError(f"worker {task.request.hostname} voices {text[:30]!r} differently (voice or version differ)")
    store = _caches.setdefault(cache, ClipCache(cache))
    if store.get(key) is not None:  # no lock needed to see it is done
        return {"voiced": False}
    _, cached = store.voice_one(key, lambda: voice.synthesize(text), voice.name, text)
    return {"voiced": not cached}


def run_worker(settings: Worker, *, loglevel: str = "INFO", env: Environment | None = None) -> None:
    """Run a worker until it is stopped (SIGTERM: finish the chunks in hand, then exit)."""
    global _admitted
    app = make_app(settings.broker, settings.visibility_timeout_s)
    _admitted = _Admission.of(settings, env or Environment.from_process())
    argv = ["worker", f"--loglevel={loglevel}", f"--queues={settings.queue}", "--without-gossip", "--without-mingle"]
    argv.append(f"--concurrency={settings.concurrency or os.cpu_count() or 1}")
    if settings.hostname:
        argv.append(f"--hostname={settings.hostname}")
    app.worker_main(argv)


# --- the build side ----------------------------------------------------------------------------


def _check_broker(app, broker: str) -> None:
    from kombu.exceptions import OperationalError

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=2, interval_start=0.2, interval_step=0.3, timeout=5)
    except (OperationalError, OSError) as exc:
        raise FleetError(f"the broker {_safe(broker)} is unreachable ({exc})") from None


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _failure(meta: dict[str, Any]) -> str:
    """The worker's error, as Celery hands it back (an exception, or its serialized form)."""
    result = meta.get("result")
    if isinstance(result, BaseException):
        return f"{type(result).__name__}: {result}"
    if isinstance(result, dict):
        message = result.get("exc_message")
        if isinstance(message, (list, tuple)):
            message = " ".join(str(m) for m in message)
        return f"{result.get('exc_type', 'error')}: {message}"
    return str(result)


def _answers(done: list[tuple[dict[str, Any], int, str]], cache: ClipCache) -> Iterator[tuple[int, Clip | EngineError]]:
    """``(index, clip or error)`` for each ``(result meta, index, key)`` that came back; the
    clips of those that succeeded are read from the cache in one batch."""
    found = cache.get_many([key for meta, _, key in done if meta["status"] == "SUCCESS"])
    for meta, i, key in done:
        if meta["status"] != "SUCCESS":
            failure = _failure(meta)
            if failure.startswith("FleetError: "):  # a misconfigured worker: no fallback helps
                raise FleetError(failure.removeprefix("FleetError: "))
            yield i, EngineError(f"the fleet failed on a chunk: {failure}")
        elif key not in found:
            raise FleetError(
                f"a worker voiced a chunk but it is not in the cache {cache.root}: "
                "give the workers and the build the same shared --cache-dir"
            )
        else:
            yield i, found[key][0]


def voice_on_fleet(
    fleet: Fleet, options: EngineOptions, cache: ClipCache, work: Sequence[tuple[int, str, str, str | None]]
) -> Iterator[tuple[int, Clip | EngineError]]:
    """Send each ``(index, key, text, voice)`` as a task (``voice``: the chunk's own, None for the
    build's); yield ``(index, clip or error)`` as they come back."""
    assert fleet.broker is not None
    app = make_app(fleet.broker)
    _check_broker(app, fleet.broker)
    engine = options_to_json(options)
    voiced = {v: options_to_json(dataclasses.replace(options, voice=v)) for v in {v for *_, v in work if v}}
    pending: dict[str, tuple[int, str]] = {}
    try:
        with app.producer_or_acquire() as producer:
            for i, key, text, voice in work:
                args = (key, text, voiced[voice] if voice else engine, cache.root)
                sent = app.send_task(TASK, args=args, queue=fleet.queue, producer=producer)
                pending[sent.id] = (i, key)
        log.info("sent %d chunks to the fleet on %s", len(pending), _safe(fleet.broker))
        last = time.monotonic()
        while pending:
            # One poll of the result backend; the clips of what came back are read in one batch.
            ready = list(app.backend.get_many(set(pending), interval=0.1, max_iterations=1))
            if not ready:
                if time.monotonic() - last > fleet.timeout_s:
                    raise FleetError(
                        f"no chunk came back from the fleet in {fleet.timeout_s:g} s ({len(pending)} waiting): "
                        f"are workers running? audio-edition worker --broker {_safe(fleet.broker)}"
                    )
                continue
            last = time.monotonic()
            yield from _answers([(meta, *pending.pop(task_id)) for task_id, meta in ready], cache)
    except FleetError:
        raise
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise their own types
        if type(exc).__module__.split(".")[0] in ("redis", "kombu", "celery", "amqp"):
            raise FleetError(f"lost the broker {_safe(fleet.broker)} ({exc})") from None
        raise
    finally:
        if pending:  # interrupted or failed: the workers need not voice what nobody waits for
            try:
                _withdraw(fleet, set(pending))
                app.control.revoke(list(pending))  # those a worker holds already
            except Exception:  # noqa: BLE001 - best effort; the chunks would only fill the cache
                pass


#: kombu's Redis transport keeps a queue as one list per priority step, named with this separator.
KOMBU_PRIORITY_SEP, KOMBU_PRIORITY_STEPS = "\x06\x16", (0, 3, 6, 9)


def _withdraw(fleet: Fleet, ids: set[str]) -> int:
    """Remove the tasks ``ids`` still waiting in the queue (revoking alone leaves them there, for
    every worker to fetch and skip, and for ever if no worker comes). Returns how many went."""
    import json

    import redis

    assert fleet.broker is not None
    client = redis.Redis.from_url(fleet.broker)
    removed = 0
    for step in KOMBU_PRIORITY_STEPS:
        name = fleet.queue + (f"{KOMBU_PRIORITY_SEP}{step}" if step else "")
        for raw in client.lrange(name, 0, -1):
            try:
                task_id = json.loads(raw)["headers"]["id"]
            except (ValueError, KeyError, TypeError):
                continue  # not a Celery task message: not ours to judge
            if task_id in ids:
                removed += client.lrem(name, 1, cast(Any, raw))  # the message's own bytes
    return removed
