"""Stage 5, clips: synthesize each chunk once, keyed by content (:func:`clip_key`), kept in the
build cache's ``clips`` area (cache.py), where a corrupt entry is discarded and voiced again. A
per-key file lock keeps two processes from synthesizing the same chunk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import logging
import multiprocessing
import os
import sys
import time
import wave
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from ..cache import CLIPS, Cache
from ..errors import EngineError
from ..settings import EngineOptions
from ..text.chunks import Chunk
from .engines import Clip, Engine

log = logging.getLogger(__name__)

#: Part of every clip's key: bump when the stored audio for the same key would differ, or what
#: is stored with it (2: the words' times).
CLIP_FORMAT = 2


def clip_key(identity: dict[str, Any], text: str) -> str:
    """Content address: the engine's identity (voice and settings), the text, the format version."""
    blob = json.dumps({"format": CLIP_FORMAT, "engine": identity, "text": text}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _wav_bytes(clip: Clip) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(clip.sample_rate)
        w.writeframes(clip.pcm)
    return buf.getvalue()


def clip_meta(clip: Clip, engine: str, text: str) -> dict[str, Any]:
    """What is stored with a clip: who voiced what, and when its words are said."""
    meta: dict[str, Any] = {"engine": engine, "text": text}
    if clip.words is not None:
        meta["words"] = [list(w) for w in clip.words]
    return meta


def _words(stored: Any) -> tuple[tuple[int, int], ...] | None:
    """The words' times kept with a clip, if they are a list of number pairs (else estimated)."""
    if not isinstance(stored, list):
        return None
    try:
        return tuple((int(a), int(b)) for a, b in stored)
    except (TypeError, ValueError):
        return None


class ClipCache(Cache):
    """The build cache as synthesis sees it: clips by :func:`clip_key`, in its ``clips`` area."""

    def get(self, key: str) -> tuple[Clip, dict] | None:
        return self._clip(key, self.read(CLIPS, key))

    def get_many(self, keys: Sequence[str]) -> dict[str, tuple[Clip, dict]]:
        """The verified clips among ``keys``, read in one batch (one round trip on object stores)."""
        found = {}
        for key, entry in self.read_many(CLIPS, keys).items():
            clip = self._clip(key, entry)
            if clip is not None:
                found[key] = clip
        return found

    def _clip(self, key: str, found: tuple[bytes, dict] | None) -> tuple[Clip, dict] | None:
        if found is None:
            return None
        data, meta = found
        try:
            with wave.open(io.BytesIO(data)) as w:
                clip = Clip(w.readframes(w.getnframes()), w.getframerate(), _words(meta.get("words")))
        except (wave.Error, EOFError):
            self.discard(key)
            return None
        return clip, meta

    def put(self, key: str, clip: Clip, meta: dict[str, Any]) -> None:
        self.write(CLIPS, key, _wav_bytes(clip), meta)

    def keep(self, key: str, clip: Clip, engine: str, text: str) -> None:
        """Store a clip just voiced; EngineError if the engine gave no audio (never cached)."""
        if not clip.pcm:
            raise EngineError(f"{engine} returned no audio for {text[:40]!r}")
        self.put(key, clip, clip_meta(clip, engine, text))

    def voice_one(self, key: str, voice: Callable[[], Clip], engine: str, text: str) -> tuple[Clip, bool]:
        """Under the chunk's lock: its clip from the cache (and True), or what ``voice()`` makes,
        kept (and False). What the fleet's workers and a build waiting on another process do."""
        with self.lock_clip(key):
            hit = self.get(key)
            if hit is not None:
                return hit[0], True
            clip = voice()
            self.keep(key, clip, engine, text)
            return clip, False

    def discard(self, key: str) -> None:
        self.delete(CLIPS, key)

    def try_lock_clip(self, key: str) -> contextlib.AbstractContextManager[bool]:
        """Take the chunk's lock if it is free; yield whether it was taken."""
        return self.try_lock(CLIPS, key)

    def lock_clip(self, key: str, timeout: float = 600) -> contextlib.AbstractContextManager[None]:
        """Hold the chunk's lock: a second process waits, then finds the clip cached."""
        return self.lock(CLIPS, key, timeout)


@dataclass(frozen=True)
class ClipResult:
    """A chunk's clip and where it came from."""

    chunk: Chunk
    clip: Clip
    engine: str
    cached: bool
    fell_back: bool = False


@dataclass
class SynthesisStats:
    synthesized: int = 0
    cached: int = 0
    fell_back: int = 0
    fallback_engine: str | None = None
    seconds: float = 0.0
    per_engine: dict[str, int] = field(default_factory=dict)


#: Called with 1 as each clip is done (the CLI's progress bar advances).
OnClip = Callable[[int], None]
#: Voices ``(index, key, text, voice)`` misses elsewhere (a worker fleet); yields ``(index, clip or error)``.
Remote = Callable[[Sequence[tuple[int, str, str, "str | None"]]], Iterator[tuple[int, "Clip | EngineError"]]]

#: From this many misses, worker processes beat one process (docs/benchmarks.md, "Measurements behind the
#: design"); a lone chunk is voiced here, its two halves decoded at once (engines/piper.py).
POOL_MIN_CHUNKS = 2

_worker_engine: Engine | None = None
_worker_options: EngineOptions | None = None
#: The worker's engines for the chunks with a voice of their own (an edition's per-story voices).
_worker_voices: dict[str, Engine] = {}
#: Engines a forked worker inherited: never released there, since releasing an onnxruntime session
#: waits for its threads, which fork does not copy (the worker would hang for ever).
_inherited: list[Engine] = []


#: How often a worker looks for its parent: one killed with -9 (the OOM killer) tells no one, and
#: a worker blocked on the task pipe would wait for ever (its own end keeps the pipe open).
PARENT_POLL_SECONDS = 1.0


def _exit_when_orphaned(parent: int) -> None:
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _start_worker(name: str, options: EngineOptions, parent: int) -> None:
    """Process-pool initializer: a worker ends with its parent, and loads the voice once."""
    import signal

    # The parent's handlers came with fork: SIGTERM must end a worker (the parent's handler would
    # raise inside the pool's loop), and Ctrl-C is the parent's to handle (it shuts the pool down).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_when_orphaned(parent)
    _init_worker(name, options)


def _init_worker(name: str, options: EngineOptions) -> None:
    """Load the worker's voice, once."""
    global _worker_engine, _worker_options
    from . import engines

    if _worker_engine is not None:
        _inherited.append(_worker_engine)
    _inherited.extend(_worker_voices.values())
    _worker_voices.clear()
    _worker_engine, _worker_options = engines.create(options, name), options


def with_voice(engine: Engine, options: EngineOptions | None, voice: str | None) -> Engine:
    """The engine for a chunk with a voice of its own: ``engine`` itself when it has none, else
    one made like it with that voice (Kokoro's share the loaded model)."""
    if voice is None:
        return engine
    from . import engines

    return engines.create(dataclasses.replace(options or EngineOptions(name=engine.name), voice=voice), engine.name)


def voiced_engines(chunks: Sequence[Chunk], engine: Engine, options: EngineOptions | None) -> dict[str | None, Engine]:
    """The engine of each voice the chunks ask for (``None``: the build's, ``engine`` itself)."""
    return {v: with_voice(engine, options, v) for v in dict.fromkeys(c.voice for c in chunks)}


def chunk_keys(chunks: Sequence[Chunk], voiced: dict[str | None, Engine]) -> list[str]:
    """Each chunk's clip key, with its own voice's identity (:func:`voiced_engines`)."""
    identity = {v: e.identity() for v, e in voiced.items()}
    return [clip_key(identity[chunk.voice], chunk.speech) for chunk in chunks]


def _worker_synthesize(text: str, voice: str | None = None) -> Clip:
    assert _worker_engine is not None
    if voice is None:
        return _worker_engine.synthesize(text)
    if voice not in _worker_voices:
        _worker_voices[voice] = with_voice(_worker_engine, _worker_options, voice)
    return _worker_voices[voice].synthesize(text)


def executor_for(
    engine: Engine,
    options: EngineOptions | None,
    jobs: int,
    misses: int,
    voiced: dict[str | None, Engine] | None = None,
) -> tuple[Executor, Callable[[str, str | None], Clip]]:
    """Where chunks are voiced: worker processes for Piper and Kokoro (they beat threads in one
    process: docs/benchmarks.md, "Measurements behind the design"), threads for network engines (bounded by
    their own concurrency), else one thread using the engine already loaded, which may then take
    every core for its chunk (Piper's two halves). ``voiced``: the engine of each voice the chunks
    ask for."""
    voiced = voiced or {None: engine}
    if engine.parallel == "process" and options is not None and jobs > 1 and misses >= POOL_MIN_CHUNKS:
        # fork on Linux: a forkserver's start and re-imports cost more than the second worker
        # gains (docs/benchmarks.md, "Measurements behind the design"). Safe because no thread runs in this process yet (``while_waiting`` starts
        # work only after the workers exist), and the voice is loaded in the workers, not here.
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        pool = ProcessPoolExecutor(
            min(jobs, misses),
            mp_context=context,
            initializer=_start_worker,
            initargs=(engine.name, options, os.getpid()),
        )
        return pool, _worker_synthesize
    workers = max(1, min(jobs, engine.concurrency)) if engine.parallel == "thread" else 1
    if engine.parallel != "thread":
        for each in voiced.values():
            each.use_cores(jobs)  # one chunk at a time here: it may take every core
            # The voice loads now, before ``while_waiting`` imports: at once, they would share the
            # interpreter lock and delay the voice.
            each.preload()
    return ThreadPoolExecutor(workers, thread_name_prefix="synth"), lambda text, voice: voiced[voice].synthesize(text)


#: Chunks locked at once while they are voiced (each lock is an open file).
LOCKS_HELD = 128


def synthesize_all(
    chunks: Sequence[Chunk],
    engine: Engine,
    cache: ClipCache,
    *,
    fallback: Callable[[], Engine] | None = None,
    on_clip: OnClip | None = None,
    jobs: int = 1,
    options: EngineOptions | None = None,
    while_waiting: Callable[[], None] | None = None,
    remote: Remote | None = None,
) -> tuple[list[ClipResult], SynthesisStats]:
    """Return one clip per chunk, in order: from the cache, else from the engine (then cached).

    Each clip is cached as soon as it exists, so an interrupted run keeps what it made. A chunk is
    voiced only under its cache lock; a chunk locked by another process is left until the end, by
    when that process has usually cached it. ``fallback`` builds a second engine, on first need,
    for chunks the main engine fails on (after its own retries). ``options`` lets worker processes
    build the same engine. ``while_waiting`` runs in this thread once the first work is handed out.
    ``remote`` voices the misses elsewhere (fleet.py), which caches them itself.
    """
    started = time.perf_counter()
    run = _Synthesis(chunks, engine, cache, fallback, on_clip, options)
    missing = run.from_cache()
    # Longest first: the last chunk in work is then a short one.
    order = sorted(missing, key=lambda i: -len(chunks[i].speech))
    if order and remote is not None:
        run.on_fleet(order, remote, while_waiting)
    elif order:
        executor, work = executor_for(engine, options, jobs, len(order), run.voiced)
        deferred = _Pool(run, executor, work).voice(order, while_waiting)
        for i in deferred:
            run.voice_locked(i)
    run.stats.seconds = time.perf_counter() - started
    return [r for r in run.results if r is not None], run.stats


class _Synthesis:
    """One synthesize_all call: the chunks, their keys and results, and how a clip is taken from
    the cache, stored, or made by the fallback engine."""

    def __init__(self, chunks, engine: Engine, cache: ClipCache, fallback, on_clip, options=None) -> None:
        self.chunks, self.engine, self.cache = chunks, engine, cache
        self.fallback, self.on_clip = fallback, on_clip
        self.backup: Engine | None = None
        self.stats = SynthesisStats()
        #: The engine of each voice the chunks ask for (None: the build's).
        self.voiced = voiced_engines(chunks, engine, options)
        self.keys = chunk_keys(chunks, self.voiced)
        self.results: list[ClipResult | None] = [None] * len(chunks)

    def done(self, i: int, result: ClipResult) -> None:
        self.results[i] = result
        if result.cached:
            self.stats.cached += 1
        else:
            self.stats.synthesized += 1
        if result.fell_back:
            self.stats.fell_back += 1
            self.stats.fallback_engine = result.engine
        if self.on_clip:
            self.on_clip(1)

    def hit(self, i: int, clip: Clip) -> None:
        self.done(i, ClipResult(self.chunks[i], clip, self.engine.name, cached=True))

    def from_cache(self) -> list[int]:
        """Take every chunk the cache has (one batch); the indices of the others."""
        hits = self.cache.get_many(self.keys)
        missing = []
        for i, key in enumerate(self.keys):
            if key in hits:
                self.hit(i, hits[key][0])
            else:
                missing.append(i)
        return missing

    def recover(self, i: int, exc: EngineError) -> ClipResult:
        """The chunk voiced by the fallback engine (made on first need), or ``exc`` if none."""
        chunk = self.chunks[i]
        if self.fallback is None:
            raise exc
        log.warning("%s failed on chunk %s (%s); voicing it with the fallback", self.engine.name, chunk.id, exc)
        if self.backup is None:
            self.backup = self.fallback()
        alt_key = clip_key(self.backup.identity(), chunk.speech)
        hit = self.cache.get(alt_key)
        clip = hit[0] if hit else self.backup.synthesize(chunk.speech)
        if hit is None:
            self.cache.put(alt_key, clip, clip_meta(clip, self.backup.name, chunk.speech))
        return ClipResult(chunk, clip, self.backup.name, cached=False, fell_back=True)

    def store(self, i: int, clip: Clip) -> ClipResult:
        chunk = self.chunks[i]
        self.cache.keep(self.keys[i], clip, self.engine.name, chunk.speech)
        return ClipResult(chunk, clip, self.engine.name, cached=False)

    def made(self, i: int, clip: Callable[[], Clip]) -> None:
        """Store what ``clip()`` voiced for chunk ``i``, or what the fallback voices if it failed."""
        try:
            self.done(i, self.store(i, clip()))
        except EngineError as exc:
            self.done(i, self.recover(i, exc))

    def on_fleet(self, order: list[int], remote: Remote, while_waiting) -> None:
        """Voice the misses on the fleet, one task per distinct text (a sentence said twice is
        voiced once); the workers cache the clips themselves."""
        same: dict[int, list[int]] = {}
        first_of: dict[str, int] = {}
        for i in order:
            same.setdefault(first_of.setdefault(self.keys[i], i), []).append(i)
        outcomes = remote([(i, self.keys[i], self.chunks[i].speech, self.chunks[i].voice) for i in same])
        if while_waiting is not None:
            while_waiting()
        for first, outcome in outcomes:
            for i in same[first]:
                if isinstance(outcome, EngineError):
                    self.done(i, self.recover(i, outcome))
                else:
                    self.done(i, ClipResult(self.chunks[i], outcome, self.engine.name, cached=False))

    def voice_locked(self, i: int) -> None:
        """A chunk another process held: wait for its lock, then take its clip or voice it here."""
        chunk = self.chunks[i]
        try:
            clip, cached = self.cache.voice_one(
                self.keys[i], lambda: self.voiced[chunk.voice].synthesize(chunk.speech), self.engine.name, chunk.speech
            )
        except EngineError as exc:
            self.done(i, self.recover(i, exc))
        else:
            self.done(i, ClipResult(chunk, clip, self.engine.name, cached=cached))


#: How often the wait for the pool looks whether Ctrl-C or SIGTERM came (seconds).
SIGNAL_CHECK_S = 0.2
_STOP_SIGNALS = ("SIGINT", "SIGTERM")


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """While the main thread waits for the pool, Ctrl-C and SIGTERM are noted (the list it yields
    fills), then raised as their handlers would once the wait is left. Raised inside
    concurrent.futures' ``wait``, which takes its futures' locks one by one, an exception can
    leave one taken, and cancelling that future then hangs the interrupted build for ever."""
    import signal
    import threading

    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught  # only the main thread receives signals
        return
    numbers = [getattr(signal, name) for name in _STOP_SIGNALS if hasattr(signal, name)]
    previous = {n: signal.signal(n, lambda signum, frame: caught.append(signum)) for n in numbers}
    try:
        yield caught
    finally:
        for n, handler in previous.items():
            signal.signal(n, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)  # KeyboardInterrupt, or the CLI's Interrupted
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])


class _Pool:
    """The misses voiced ``work`` at a time on an executor, each under its cache lock, at most
    LOCKS_HELD locked at once (one open file each: a long story must not run out of them)."""

    def __init__(self, run: _Synthesis, executor: Executor, work: Callable[[str, str | None], Clip]) -> None:
        self.run, self.executor, self.work = run, executor, work
        self.futures: dict[Any, int] = {}
        self.held: dict[int, contextlib.AbstractContextManager[bool]] = {}  # chunk -> its lock, while in work
        self.deferred: list[int] = []

    def release(self, i: int) -> None:
        lock = self.held.pop(i, None)
        if lock is not None:
            lock.__exit__(None, None, None)

    def submit_next(self, queue: Iterator[int]) -> bool:
        """Lock and submit the next chunk no other process is voicing; False when none is left."""
        run = self.run
        for i in queue:
            lock = run.cache.try_lock_clip(run.keys[i])
            if not lock.__enter__():
                lock.__exit__(None, None, None)
                self.deferred.append(i)  # another process is voicing it
                continue
            hit = run.cache.get(run.keys[i])
            if hit is not None:
                lock.__exit__(None, None, None)
                run.hit(i, hit[0])
                continue
            self.held[i] = lock
            self.futures[self.executor.submit(self.work, run.chunks[i].speech, run.chunks[i].voice)] = i
            return True
        return False

    def voice(self, order: list[int], while_waiting) -> list[int]:
        """Voice ``order``; the chunks another process was voicing, to be waited for."""
        queue = iter(order)
        try:
            while len(self.futures) < LOCKS_HELD and self.submit_next(queue):
                pass
            if while_waiting is not None:
                while_waiting()
            with _signals_held() as caught:
                while self.futures and not caught:
                    finished, _ = wait(list(self.futures), timeout=SIGNAL_CHECK_S, return_when=FIRST_COMPLETED)
                    for future in finished:
                        i = self.futures.pop(future)
                        try:
                            self.run.made(i, future.result)
                        finally:
                            self.release(i)
                        self.submit_next(queue)
        except BaseException:
            self.keep_finished()
            raise
        finally:
            for i in list(self.held):
                self.release(i)
            # Not waiting for idle workers to exit: their teardown would only delay the build.
            self.executor.shutdown(wait=False, cancel_futures=True)
        return self.deferred

    def keep_finished(self) -> None:
        """Interrupted or failed: cancel what has not started, cache what has finished."""
        for future in self.futures:
            future.cancel()
        self.executor.shutdown(wait=True)
        for future, i in self.futures.items():
            if self.run.results[i] is None and future.done() and not future.cancelled() and not future.exception():
                self.run.store(i, future.result())
