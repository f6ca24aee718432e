import json
import os
import signal
import subprocess
import time

import pytest

from audio_edition.cache import CLIPS, STRETCHES
from audio_edition.errors import EngineError
from audio_edition.settings import EngineOptions
from audio_edition.text.chunks import Chunk
from audio_edition.voice import clips
from audio_edition.voice.engines import Clip, create

from fakes import FakeEngine


def chunk(i, text):
    return Chunk(f"p{i}.s1.c1", f"p{i}", f"p{i}.s1", "ch1", text)


@pytest.fixture
def engine():
    return create(EngineOptions(name="fake"))


def test_key_covers_text_engine_and_settings():
    base = clips.clip_key({"engine": "piper", "voice": "a", "length_scale": 1.0}, "Hello.")
    assert base == clips.clip_key({"length_scale": 1.0, "voice": "a", "engine": "piper"}, "Hello.")
    assert base != clips.clip_key({"engine": "piper", "voice": "a", "length_scale": 0.8}, "Hello.")
    assert base != clips.clip_key({"engine": "piper", "voice": "b", "length_scale": 1.0}, "Hello.")
    assert base != clips.clip_key({"engine": "piper", "voice": "a", "length_scale": 1.0}, "Hello!")


def test_rerun_synthesizes_nothing_and_an_edit_only_what_changed(tmp_path, engine):
    cache = clips.ClipCache(tmp_path)
    texts = ["First sentence.", "Second sentence.", "Third sentence."]
    first, stats = clips.synthesize_all([chunk(i, t) for i, t in enumerate(texts)], engine, cache)
    assert (stats.synthesized, stats.cached) == (3, 0)
    assert len(FakeEngine.calls) == 3

    FakeEngine.calls.clear()
    again, stats = clips.synthesize_all([chunk(i, t) for i, t in enumerate(texts)], engine, cache)
    assert (stats.synthesized, stats.cached) == (0, 3)
    assert FakeEngine.calls == []
    assert [r.clip for r in again] == [r.clip for r in first]

    texts[1] = "Second sentence, edited."
    _, stats = clips.synthesize_all([chunk(i, t) for i, t in enumerate(texts)], engine, cache)
    assert FakeEngine.calls == ["Second sentence, edited."]
    assert (stats.synthesized, stats.cached) == (1, 2)


def test_corrupt_entry_is_discarded_and_made_again(tmp_path, engine):
    cache = clips.ClipCache(tmp_path)
    clips.synthesize_all([chunk(1, "Fragile clip.")], engine, cache)
    wav = next((tmp_path / CLIPS.folder).glob("*/*.wav"))
    data = bytearray(wav.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # a torn write in the middle
    wav.write_bytes(bytes(data))
    FakeEngine.calls.clear()
    results, stats = clips.synthesize_all([chunk(1, "Fragile clip.")], engine, cache)
    assert FakeEngine.calls == ["Fragile clip."]
    assert stats.synthesized == 1
    meta = json.loads(next((tmp_path / CLIPS.folder).glob("*/*.json")).read_text())
    assert meta["text"] == "Fragile clip."


def test_engine_failure_without_fallback_raises_and_keeps_finished_clips(tmp_path, engine):
    cache = clips.ClipCache(tmp_path)
    FakeEngine.fail_on = {"boom"}
    with pytest.raises(EngineError):
        clips.synthesize_all([chunk(1, "This fine one is the longest."), chunk(2, "It goes boom.")], engine, cache)
    assert cache.info()["entries"] == 1


def test_fallback_voices_the_failed_chunk(tmp_path, engine):
    cache = clips.ClipCache(tmp_path)
    FakeEngine.fail_on = {"boom"}

    class Backup(FakeEngine):
        name = "backup"

        def identity(self):
            return {"engine": "backup"}

        def synthesize(self, text):
            return Clip(b"\x01\x00" * 1600, 16000)

    results, stats = clips.synthesize_all(
        [chunk(1, "Fine one."), chunk(2, "This goes boom.")],
        engine,
        cache,
        fallback=lambda: Backup(EngineOptions()),
    )
    assert [(r.engine, r.fell_back) for r in results] == [("fake", False), ("backup", True)]
    assert stats.fell_back == 1


def test_prune_and_clear(tmp_path, engine):
    cache = clips.ClipCache(tmp_path)
    clips.synthesize_all([chunk(i, f"Sentence number {i}.") for i in range(4)], engine, cache)
    assert cache.info()["entries"] == 4
    size = cache.info()["bytes"]
    assert cache.prune(size // 2) >= 2
    assert cache.info()["bytes"] <= size // 2
    remaining = cache.info()["entries"]
    assert cache.clear() == remaining
    assert cache.info()["entries"] == 0


def test_prune_counts_and_removes_encoded_stretches_too(tmp_path, engine):
    cache = clips.ClipCache(tmp_path)
    clips.synthesize_all([chunk(i, f"Sentence number {i}.") for i in range(2)], engine, cache)
    cache.write(STRETCHES, "a" * 64, bytes(50_000), {"m": []})
    info = cache.info()
    assert (info["entries"], info["renders"]) == (2, 1)
    assert info["bytes"] > 50_000
    assert cache.prune(10_000) >= 1
    assert cache.info()["bytes"] <= 10_000
    assert cache.read(STRETCHES, "a" * 64) is None  # the 50 kB stretch could not stay


def test_unwritable_cache_is_a_clear_error(tmp_path):
    from audio_edition.errors import OutputError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot make the cache folder .*cache: Not a directory"):
        clips.ClipCache(blocker / "cache")


def test_piper_uses_worker_processes_for_many_misses():
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    piper = create(EngineOptions())
    pool, _ = clips.executor_for(piper, EngineOptions(), jobs=2, misses=clips.POOL_MIN_CHUNKS)
    assert isinstance(pool, ProcessPoolExecutor)
    pool.shutdown()
    few, _ = clips.executor_for(piper, EngineOptions(), jobs=2, misses=clips.POOL_MIN_CHUNKS - 1)
    assert isinstance(few, ThreadPoolExecutor)
    few.shutdown()
    serial, _ = clips.executor_for(piper, EngineOptions(), jobs=1, misses=50)
    assert isinstance(serial, ThreadPoolExecutor) and serial._max_workers == 1
    serial.shutdown()


def test_parallel_piper_puts_each_clip_with_its_chunk(tmp_path):
    """Two worker processes voice sentences of very different lengths; every clip lands on its chunk."""
    texts = ["Yes.", "No.", "A considerably longer sentence, spoken slowly by the bundled voice, for timing.", "Go.",
             "Another fairly long sentence that should take several seconds to say aloud.", "Up.", "Down.", "Left."]  # fmt: skip
    assert len(texts) >= clips.POOL_MIN_CHUNKS  # so the pool is used
    cache = clips.ClipCache(tmp_path)
    results, stats = clips.synthesize_all(
        [chunk(i, t) for i, t in enumerate(texts)], create(EngineOptions()), cache, jobs=2, options=EngineOptions()
    )
    assert stats.synthesized == len(texts) and [r.chunk.speech for r in results] == texts
    seconds_per_char = [r.clip.duration_ms / 1000 / len(t) for r, t in zip(results, texts)]
    long_ones = [seconds_per_char[2], seconds_per_char[4]]
    assert all(0.03 < s < 0.12 for s in long_ones)  # ~15 characters a second
    assert [r.clip.duration_ms for r in results][2] > 3 * max(results[i].clip.duration_ms for i in (0, 1, 3, 5, 6, 7))
    assert cache.info()["entries"] == len(texts)


def test_remote_voicing_sends_each_distinct_text_once_and_falls_back_on_its_errors(tmp_path, engine):
    """``remote`` is how the fleet plugs in (tests/voice/test_fleet.py runs the real one)."""
    cache = clips.ClipCache(tmp_path)
    sent = []

    def remote(work):
        sent.extend(text for _, _, text, _ in work)
        for i, key, text, _ in work:
            if "boom" in text:
                yield i, EngineError("worker failed")
            else:
                clip = Clip(b"\x02\x00" * 800, 16000)
                cache.put(key, clip, {"text": text})
                yield i, clip

    texts = ["Same again.", "Different one.", "Same again.", "It goes boom."]
    results, stats = clips.synthesize_all(
        [chunk(i, t) for i, t in enumerate(texts)], engine, cache, remote=remote, fallback=lambda: engine
    )
    assert sorted(sent) == sorted(set(texts))
    assert [r.chunk.speech for r in results] == texts
    assert (stats.synthesized, stats.fell_back) == (4, 1)
    assert FakeEngine.calls == ["It goes boom."]


CHUNKS_UNDER_A_LOW_LIMIT = """
import resource, sys
sys.path.insert(0, sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
from audio_edition.voice import clips, engines
from audio_edition.text.chunks import Chunk
engines.register("fake", "fakes:FakeEngine", "test double", offline=True)
from fakes import FakeEngine
from audio_edition.settings import EngineOptions
FakeEngine.parallel = "thread"  # a pool, as Piper's: every miss in work at once, before the window
engine = engines.create(EngineOptions(name="fake"))
chunks = [Chunk(f"p{i}.s1.c1", f"p{i}", f"p{i}.s1", "ch1", f"Line {i}.") for i in range(2000)]
results, stats = clips.synthesize_all(chunks, engine, clips.ClipCache(sys.argv[2]), jobs=2)
print(stats.synthesized, len(results))
"""


@pytest.mark.slow  # seconds of work: the full run has it, the fast tier not
def test_two_thousand_missing_chunks_build_under_a_low_file_limit(tmp_path):
    """One lock (an open file) per chunk in work, at most clips.LOCKS_HELD at once: a long story
    does not run out of file descriptors under `ulimit -n 256`."""
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).parent.parent  # where fakes.py is
    out = subprocess.run([sys.executable, "-c", CHUNKS_UNDER_A_LOW_LIMIT, str(tests), str(tmp_path / "c")],
                         capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr[-600:]
    assert out.stdout.split() == ["2000", "2000"]


def test_prune_removes_the_lock_files_of_clips_that_are_gone(tmp_path, engine):
    cache = clips.ClipCache(tmp_path)
    texts = [f"Sentence number {n} of the story, long enough to weigh something." for n in range(6)]
    clips.synthesize_all([chunk(i, t) for i, t in enumerate(texts)], engine, cache)
    locks = list(tmp_path.rglob("*.lock"))
    assert len(locks) == 6  # one per voiced clip, reused by later builds
    orphan = locks[0].with_name("f" * 64 + ".lock")
    orphan.write_text("")  # a voicing that failed long ago
    removed = cache.prune(max_bytes=sum(size for _, size, _ in cache.entries()) // 2)
    left = {p.stem for p in tmp_path.rglob("*.lock")}
    assert removed >= 3 and orphan.stem not in left
    assert left == {key for key, _, _ in cache.entries()}  # a lock only where its clip still is


@pytest.mark.slow  # seconds of work: the full run has it, the fast tier not
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads processes from /proc")
def test_voice_workers_end_when_their_build_is_killed(tmp_path):
    """kill -9 (the OOM killer) runs no clean-up: the workers must notice on their own."""
    from procs import CLI, alive, children

    story = tmp_path / "long.txt"
    sentences = [f"Sentence number {n} of a story that takes a while to read aloud." for n in range(1, 200)]
    story.write_text("A Long Story\n\n" + "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, 198, 3)))
    build = subprocess.Popen(
        [*CLI, "build", str(story), "-o", str(tmp_path / "out.mp3"), "--jobs", "2", "--cache-dir", str(tmp_path / "c")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    workers = []
    try:
        deadline = time.monotonic() + 60
        while len(workers := children(build.pid)) < 2 and time.monotonic() < deadline and build.poll() is None:
            time.sleep(0.1)
        assert len(workers) >= 2, "the build started no worker processes"
        time.sleep(1.5)  # the workers are voicing, or blocked on the task pipe
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 10
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert alive(workers) == [], "voice workers outlived their build by 10 s"
    finally:
        build.kill()
        for pid in alive(workers):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow  # seconds of work: the full run has it, the fast tier not
def test_cache_clear_during_a_build_does_not_fail_it(tmp_path):
    """``cache clear`` removes folders a build is writing into and locking in, many times over."""
    import threading

    from audio_edition import BuildSettings, build

    story = tmp_path / "s.txt"
    story.write_text(
        "Title\n\n" + "\n\n".join(f"Paragraph {i} is here. A second sentence, on item {i}." for i in range(120))
    )
    cache_dir, stop, clears = tmp_path / "c", threading.Event(), []

    def clear_again_and_again():
        while not stop.wait(0.02):
            clears.append(clips.ClipCache(cache_dir).clear())

    clearer = threading.Thread(target=clear_again_and_again)
    clearer.start()
    try:
        for n in range(2):
            result = build(
                [str(story)],
                tmp_path / f"e{n}.mp3",
                BuildSettings(engine=EngineOptions(name="fake"), cache_dir=cache_dir),
            )
            assert result.chunks == 241
    finally:
        stop.set()
        clearer.join()
    assert len(clears) >= 5 and any(clears)  # it did clear, and clips were there to clear


class _SlowEngine(FakeEngine):
    def synthesize(self, text: str) -> Clip:
        time.sleep(0.3)
        return super().synthesize(text)


@pytest.mark.parametrize("signum, raised", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, RuntimeError)])
def test_a_signal_while_voicing_stops_after_the_wait_with_its_own_handler(tmp_path, signum, raised):
    """Ctrl-C or SIGTERM during synthesis is raised by its own handler once the pool's wait is
    left (raised inside it, it could leave a future's lock taken: the build then hung); the
    clips already made stay cached, and the handlers are as they were."""
    import threading

    def handler(number, frame):
        raise RuntimeError(f"signal {number}")

    before = signal.signal(signal.SIGTERM, handler)
    try:
        cache = clips.ClipCache(tmp_path)
        texts = [f"Sentence number {n} of a story long enough to interrupt." for n in range(8)]
        timer = threading.Timer(0.45, os.kill, (os.getpid(), signum))
        timer.start()
        started = time.perf_counter()
        with pytest.raises(raised):
            clips.synthesize_all([chunk(i, t) for i, t in enumerate(texts)], _SlowEngine(EngineOptions()), cache)
        assert time.perf_counter() - started < 8 * 0.3  # it did not voice everything first
        assert 1 <= cache.info()["entries"] < len(texts)
        assert signal.getsignal(signal.SIGTERM) is handler
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, before)
