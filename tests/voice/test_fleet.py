"""The Celery fleet with real parts: a Redis server on loopback, worker processes, the CLI as a
subprocess, SIGKILL, the loopback gTTS stub, and moto's S3 server."""

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from gtts_stub import GttsStub, free_port, serve
from procs import CLI, outputs, run

pytest.importorskip("celery")

STORY = """Night Ferry

The last ferry of the night left the northern pier at eleven, half full of students and nurses.

Its captain has sailed the same crossing for nineteen years. She knows every buoy by its sound.

On calm nights the trip takes forty minutes. In winter storms it can take twice as long.

The city plans to replace the old boat next spring with a quieter electric one.
"""

LONG = STORY + "\n\n".join(
    [
        "Engineers tested the new hull in a basin near the shipyard through most of the autumn.",
        "They measured the wake, the noise below the waterline and the power drawn in a headwind.",
        "Regular passengers were invited aboard for a short trial run on a grey Sunday morning.",
        "Most of them said the electric boat was calmer, though a few missed the old engine's hum.",
    ]
)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (.ci/run installs Debian's)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait()


class Worker:
    """``audio-edition worker`` in its own process group, logging to a file."""

    def __init__(self, name: str, broker: str, queue: str, log: Path, env: dict, *extra: str) -> None:
        self.name, self.log = name, log
        cmd = [*CLI, "worker", "--broker", broker, "--queue", queue, "-n", f"{name}@test", *extra]
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env}, start_new_session=True
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "ready." not in self.text():
            assert self.proc.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.05)

    def task_ids(self, event: str) -> set[str]:
        return set(re.findall(r"Task audio_edition\.synthesize\[([0-9a-f-]+)\] " + event, self.text()))

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=60)


@pytest.fixture
def fleet(redis_url, tmp_path):
    """Start workers on a queue of this test's own; stop them afterwards."""
    started: list[Worker] = []
    queue = f"q-{tmp_path.name}"

    def start(count: int, *extra: str, env: dict | None = None) -> list[Worker]:
        if "--cache-dir" not in extra:  # the caches this module's builds name
            extra = (*extra, "--cache-dir", str(tmp_path / "shared"), "--cache-dir", str(tmp_path / "c"))
        workers = [
            Worker(f"w{i}", redis_url, queue, tmp_path / f"w{i}.log", env or {}, *extra)
            for i in range(len(started), len(started) + count)
        ]
        started.extend(workers)
        for w in workers:
            w.wait_ready()
        return workers

    start.broker, start.queue = redis_url, queue
    yield start
    for w in started:
        w.kill(signal.SIGTERM)


def story_file(folder: Path, text: str = STORY) -> Path:
    path = folder / "story.txt"
    path.write_text(text)
    return path


def build(story: Path, mp3: Path, cache, *extra: str, env=None, check=True):
    args = ["build", str(story), "-o", str(mp3), "--cache-dir", str(cache), "--date", "2026-11-28", "--json", *extra]
    return run(*args, env=env, check=check)


def on_fleet(start) -> list[str]:
    return ["--broker", start.broker, "--queue", start.queue]


def test_two_workers_build_byte_identical_to_a_local_build(fleet, tmp_path, piper_cache):
    workers = fleet(2, "-c", "1")
    story = story_file(tmp_path)
    remote = json.loads(build(story, tmp_path / "fleet" / "e.mp3", tmp_path / "shared", *on_fleet(fleet)).stdout)
    local = json.loads(build(story, tmp_path / "local" / "e.mp3", piper_cache).stdout)

    assert remote["chunks"]["synthesized"] == remote["chunks"]["total"] == local["chunks"]["total"] >= 7
    assert outputs(tmp_path / "fleet" / "e.mp3") == outputs(tmp_path / "local" / "e.mp3")
    # the workers' word times came back with their clips (the manifests, words and all, are equal)
    sentences = [
        s for p in json.loads((tmp_path / "fleet" / "e.json").read_text())["paragraphs"] for s in p["sentences"]
    ]
    assert {s["timing"] for s in sentences} == {"engine"} and all(s["words"] for s in sentences)
    done = [w.task_ids("succeeded") for w in workers]
    assert all(done) and sum(map(len, done)) == remote["chunks"]["total"]  # both workers voiced chunks

    again = json.loads(build(story, tmp_path / "fleet" / "e.mp3", tmp_path / "shared", *on_fleet(fleet)).stdout)
    assert again["chunks"]["cached"] == again["chunks"]["total"]  # nothing sent the second time
    assert [len(w.task_ids("succeeded")) for w in workers] == list(map(len, done))


def test_kokoro_on_the_fleet_is_byte_identical_to_a_local_build(fleet, tmp_path, kokoro_data):
    """Everything that works with Piper works with Kokoro: here the fleet, per-chunk voices included."""
    env = {"AUDIO_EDITION_DATA_DIR": str(kokoro_data)}
    workers = fleet(2, "-c", "1", env=env)
    (tmp_path / "a.txt").write_text("Rail Link\n\nThe new rail link opens in May, a year late.\n")
    (tmp_path / "b.txt").write_text("Dam Vote\n\nThe dam vote was delayed again on Friday.\n")
    (tmp_path / "e.toml").write_text(
        'engine = "kokoro"\nintro = "Two stories."\noutro = ""\n'
        '[[story]]\npath = "a.txt"\n[[story]]\npath = "b.txt"\nvoice = "am_michael"\n'
    )
    edition_file = tmp_path / "e.toml"
    remote = json.loads(
        build(edition_file, tmp_path / "fleet" / "e.mp3", tmp_path / "shared", *on_fleet(fleet), env=env).stdout
    )
    local = json.loads(build(edition_file, tmp_path / "local" / "e.mp3", tmp_path / "c", env=env).stdout)
    assert remote["chunks"]["synthesized"] == remote["chunks"]["total"] == local["chunks"]["total"] == 5
    assert outputs(tmp_path / "fleet" / "e.mp3") == outputs(tmp_path / "local" / "e.mp3")
    assert sum(len(w.task_ids("succeeded")) for w in workers) == 5


def test_a_worker_without_a_kokoro_voice_says_which_to_fetch(fleet, tmp_path, kokoro_data):
    """Not a fallback to Piper nor a chunk failing after retries: the build stops, naming the fix."""
    partial = tmp_path / "worker-data" / "kokoro"
    (partial / "voices").mkdir(parents=True)
    shutil.copy(kokoro_data / "kokoro" / "voices" / "af_heart.bin", partial / "voices")
    fleet(1, "-c", "1", env={"AUDIO_EDITION_DATA_DIR": str(partial.parent)})
    story = story_file(tmp_path)
    env = {"AUDIO_EDITION_DATA_DIR": str(kokoro_data)}
    args = ["--engine", "kokoro", "--voice", "af_heart:0.5,am_michael:0.5", "--fleet-timeout", "60"]
    proc = build(story, tmp_path / "e.mp3", tmp_path / "c", *on_fleet(fleet), *args, env=env, check=False)
    assert proc.returncode == 7, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "audio-edition: error: worker w0@test has no Kokoro voice am_michael: "
        "run `audio-edition voices fetch kokoro am_michael` on its machine"
    ]
    assert not (tmp_path / "e.mp3").exists()


def test_a_worker_killed_mid_build_loses_nothing(fleet, tmp_path, piper_cache):
    doomed, survivor = fleet(2, "-c", "1", "--visibility-timeout", "3")
    story = story_file(tmp_path, LONG)
    cmd = [*CLI, "build", str(story), "-o", str(tmp_path / "fleet" / "e.mp3"), "--cache-dir", str(tmp_path / "c")]
    cmd += ["--date", "2026-11-28", "--json", *on_fleet(fleet)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Kill the worker while it holds a chunk it has not finished: received, not yet succeeded.
    deadline = time.monotonic() + 120
    while not (doomed.task_ids("received") - doomed.task_ids("succeeded")) or not doomed.task_ids("succeeded"):
        assert proc.poll() is None and time.monotonic() < deadline, doomed.text()
        time.sleep(0.01)
    in_hand = doomed.task_ids("received") - doomed.task_ids("succeeded")
    doomed.kill()
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert in_hand - doomed.task_ids("succeeded") <= survivor.task_ids("succeeded")  # redone elsewhere

    build(story, tmp_path / "local" / "e.mp3", piper_cache)
    assert outputs(tmp_path / "fleet" / "e.mp3") == outputs(tmp_path / "local" / "e.mp3")
    assert json.loads(stdout)["chunks"]["synthesized"] == json.loads(stdout)["chunks"]["total"]


@pytest.fixture
def gtts_stub():
    stub = GttsStub()
    server, url = serve(stub)
    yield stub, url, server.ca_bundle
    server.shutdown()
    server.server_close()


def test_the_gtts_budget_holds_across_the_fleet_and_failures_are_retried(fleet, tmp_path, gtts_stub):
    stub, proxy, ca_bundle = gtts_stub
    first_failures = {}

    def plan(n, text):  # the first request for each of two chunks fails: Celery retries them
        if len(first_failures) < 2 and text not in first_failures:
            first_failures[text] = n
            return "500"
        return "ok"

    stub.plan = plan
    env = {"HTTPS_PROXY": proxy, "NO_PROXY": "", "no_proxy": "", "REQUESTS_CA_BUNDLE": ca_bundle}
    # Two workers of two processes: four senders, each of which alone may send 4 requests a second.
    workers = fleet(2, "-c", "2", env=env)
    more = "Tickets will cost the same. Timetables will not change. The old boat goes to a museum."
    again = "Fares stay where they are. The crossing keeps its hours. A collector may buy the old boat."
    story = story_file(tmp_path, LONG + "\n\n" + more + "\n\n" + again)
    args = ["--engine", "gtts", "--requests-per-second", "4", "--max-attempts", "1", *on_fleet(fleet)]
    result = json.loads(build(story, tmp_path / "e.mp3", tmp_path / "c", *args, env=env).stdout)

    assert len(stub.texts("500")) == 2
    assert sorted(stub.texts("ok")) == sorted(set(stub.texts("ok")))  # each chunk voiced once
    assert len(stub.texts("ok")) == result["chunks"]["total"] >= 16
    assert result["chunks"]["fell_back"] == 0
    assert all(w.task_ids("succeeded") for w in workers)
    assert stub.max_per_second() <= 4 + 1  # one of slack for arrival jitter; without the shared bucket: ~16
    assert any("retry" in w.text().lower() for w in workers)


def test_s3_cache_end_to_end(fleet, tmp_path, piper_cache, monkeypatch):
    pytest.importorskip("s3fs")
    moto_server = pytest.importorskip("moto.server")
    import boto3

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        }
        s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], **_credentials(env))
        s3.create_bucket(Bucket="newsroom")
        cache = "s3://newsroom/audio/clips"
        workers = fleet(2, "-c", "1", "--cache-dir", cache, env=env)
        story = story_file(tmp_path)

        remote = json.loads(build(story, tmp_path / "fleet" / "e.mp3", cache, *on_fleet(fleet), env=env).stdout)
        build(story, tmp_path / "local" / "e.mp3", piper_cache)
        assert outputs(tmp_path / "fleet" / "e.mp3") == outputs(tmp_path / "local" / "e.mp3")
        assert all(w.task_ids("succeeded") for w in workers)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="newsroom", Prefix="audio/clips/")["Contents"]]
        wavs = [k for k in keys if k.endswith(".wav")]
        assert len(wavs) == remote["chunks"]["total"]

        # A local build reads the same bucket: everything cached.
        warm = json.loads(build(story, tmp_path / "again" / "e.mp3", cache, env=env).stdout)
        assert warm["chunks"]["cached"] == warm["chunks"]["total"]

        # A damaged object is detected by its checksum and voiced again, once.
        s3.put_object(Bucket="newsroom", Key=wavs[0], Body=b"RIFF garbage")
        healed = json.loads(build(story, tmp_path / "healed" / "e.mp3", cache, env=env).stdout)
        assert healed["chunks"]["synthesized"] == 1
        assert outputs(tmp_path / "healed" / "e.mp3") == outputs(tmp_path / "local" / "e.mp3")
        info = json.loads(run("cache", "info", "--json", "--cache-dir", cache, env=env).stdout)
        assert info["entries"] == remote["chunks"]["total"]

        missing = build(story, tmp_path / "x.mp3", "s3://no-such-bucket/c", env=env, check=False)
        assert missing.returncode == 6 and "bucket does not exist" in missing.stderr
        assert not (tmp_path / "x.mp3").exists()
    finally:
        server.stop()


def _credentials(env):
    return {"aws_access_key_id": env["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]}


def test_unreachable_broker_is_one_line_and_exit_7(tmp_path):
    story = story_file(tmp_path)
    started = time.monotonic()
    proc = build(
        story, tmp_path / "e.mp3", tmp_path / "c", "--broker", f"redis://127.0.0.1:{free_port()}/0", check=False
    )
    assert proc.returncode == 7
    assert (
        proc.stderr.startswith("audio-edition: error: the broker redis://127.0.0.1:") and "unreachable" in proc.stderr
    )
    assert len(proc.stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < 60
    assert not (tmp_path / "e.mp3").exists()


def test_a_fleet_that_never_answers_times_out(redis_url, tmp_path):
    story = story_file(tmp_path)
    import redis

    client = redis.Redis.from_url(redis_url)
    client.rpush("nobody-listens", b"a message that is not ours")
    args = ["--broker", redis_url, "--queue", "nobody-listens", "--fleet-timeout", "2"]
    proc = build(story, tmp_path / "e.mp3", tmp_path / "c", *args, check=False)
    assert proc.returncode == 7
    assert "no chunk came back from the fleet in 2 s" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "e.mp3").exists()
    # The tasks it gave up on are gone from the queue; what was there before stays.
    assert client.lrange("nobody-listens", 0, -1) == [b"a message that is not ours"]


def test_a_non_redis_broker_is_a_usage_error(tmp_path):
    proc = build(story_file(tmp_path), tmp_path / "e.mp3", tmp_path / "c", "--broker", "amqp://x", check=False)
    assert proc.returncode == 2 and "use a Redis URL" in proc.stderr


@pytest.mark.parametrize("command", [["worker"], ["build", "story.txt", "-o", "e.mp3", "--cache-dir", "c"]])
def test_without_the_celery_extra_the_error_says_what_to_install(tmp_path, monkeypatch, command):
    import sys

    from conftest import invoke

    monkeypatch.chdir(tmp_path)
    story_file(tmp_path)
    monkeypatch.setitem(sys.modules, "celery", None)  # as if not installed
    result = invoke(*command, "--broker", "redis://127.0.0.1:1/0")
    assert result.exit_code == 2
    assert "pip install 'audio-edition[celery]'" in result.stderr


def test_a_build_without_broker_never_imports_celery(tmp_path, piper_cache):
    import sys

    story = story_file(tmp_path)
    code = (
        "import sys\nfrom audio_edition.cli import cli\n"
        f"cli.main(args=['build', {str(story)!r}, '-o', {str(tmp_path / 'e.mp3')!r}, '-q',"
        f" '--cache-dir', {str(piper_cache)!r}], standalone_mode=False)\n"
        "print(sorted(m for m in ('celery', 'kombu', 'redis', 'fsspec') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert (tmp_path / "e.mp3").stat().st_size > 10_000


def test_a_worker_that_would_voice_differently_is_refused(fleet, tmp_path):
    """A worker on another version (here: other noise) must not fill the cache with other sounds."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import audio_edition.voice.engines.piper_noise as noise\nnoise.NOISE_VERSION = 'another-version'\n"
    )
    fleet(1, "-c", "1", env={"PYTHONPATH": str(site)})
    story = story_file(tmp_path)
    proc = build(story, tmp_path / "e.mp3", tmp_path / "c", *on_fleet(fleet), "--fleet-timeout", "60", check=False)
    assert proc.returncode == 7, proc.stderr
    assert "voices" in proc.stderr and "differently" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "e.mp3").exists()
    assert not list((tmp_path / "c").glob("clips-v*/*/*.wav"))


def test_the_library_api_builds_on_the_fleet(fleet, tmp_path, piper_cache):
    """What a CMS task would call."""
    from audio_edition import BuildSettings, Fleet, build

    (worker,) = fleet(1, "-c", "1")
    story = story_file(tmp_path, "Short Note\n\nThe ferry is late tonight. It will arrive at midnight.\n")
    settings = BuildSettings(fleet=Fleet(broker=fleet.broker, queue=fleet.queue), cache_dir=str(tmp_path / "c"))
    result = build([str(story)], tmp_path / "fleet" / "e.mp3", settings)
    assert result.synthesized == result.chunks == len(worker.task_ids("succeeded")) >= 2
    build([str(story)], tmp_path / "local" / "e.mp3", BuildSettings(cache_dir=piper_cache))
    assert outputs(tmp_path / "fleet" / "e.mp3") == outputs(tmp_path / "local" / "e.mp3")


def _kill_mid_chunk(doomed, target, proc):
    """Wait until ``doomed`` holds a chunk it has not finished, then SIGKILL ``target()``'s pid."""
    deadline = time.monotonic() + 120
    while not (doomed.task_ids("received") - doomed.task_ids("succeeded")) or not doomed.task_ids("succeeded"):
        assert proc.poll() is None and time.monotonic() < deadline, doomed.text()
        time.sleep(0.01)
    os.kill(target(), signal.SIGKILL)
    return time.monotonic()


@pytest.mark.parametrize("what", ["main process", "pool child"])
def test_a_worker_process_killed_alone_does_not_hold_the_build(fleet, tmp_path, piper_cache, what):
    """What the OOM killer does: one process of a worker, with the default visibility timeout."""
    from procs import children

    doomed, _survivor = fleet(2, "-c", "1")
    story = story_file(tmp_path, LONG)
    cmd = [*CLI, "build", str(story), "-o", str(tmp_path / "fleet" / "e.mp3"), "--cache-dir", str(tmp_path / "c")]
    cmd += ["--date", "2026-11-28", "--json", *on_fleet(fleet)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    target = (lambda: doomed.proc.pid) if what == "main process" else (lambda: children(doomed.proc.pid)[0])
    killed = _kill_mid_chunk(doomed, target, proc)
    stdout, stderr = proc.communicate(timeout=300)
    took = time.monotonic() - killed
    assert proc.returncode == 0, stderr
    assert took < 60, f"the build finished {took:.0f} s after the kill"
    build(story, tmp_path / "local" / "e.mp3", piper_cache)
    assert outputs(tmp_path / "fleet" / "e.mp3") == outputs(tmp_path / "local" / "e.mp3")


@pytest.mark.parametrize("asked", ["cache", "voice"])
def test_a_worker_refuses_a_cache_or_voice_it_was_not_started_with(fleet, tmp_path, asked):
    """A hand-made task (here: a build's) must not make a worker write anywhere or load any file."""
    from audio_edition.voice.engines.piper import bundled_voice

    fleet(1, "-c", "1")
    story = story_file(tmp_path)
    cache, extra = tmp_path / "c", []
    if asked == "cache":
        cache = tmp_path / "elsewhere"
    else:  # a copy of the bundled voice: loadable, but not one the worker was given
        copy = tmp_path / "voices" / "other.onnx"
        copy.parent.mkdir()
        shutil.copy(bundled_voice(), copy)
        shutil.copy(bundled_voice().with_suffix(".onnx.json"), copy.with_suffix(".onnx.json"))
        extra = ["--voice", str(copy)]
    proc = build(story, tmp_path / "e.mp3", cache, *on_fleet(fleet), *extra, "--fleet-timeout", "60", check=False)
    assert proc.returncode == 7, proc.stderr
    assert (
        "does not write into the cache" in proc.stderr if asked == "cache" else "does not load the voice" in proc.stderr
    )
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "e.mp3").exists()
    if asked == "cache":  # nothing was written there by the worker (only the build's own folder)
        assert not list(cache.glob("clips-v*/*/*.wav"))
