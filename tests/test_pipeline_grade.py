"""Pipeline-grade behaviour with real processes: the CLI as a subprocess, real signals, a real cache."""

import json
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from procs import CLI, outputs, run

STORY = """Night Shift

The harbor cranes kept moving long after midnight, lit by rows of yellow lamps.

Dock workers traded places every four hours. Each shift unloaded about forty containers.

By dawn the first trucks had left for the inland depots, and the gulls had returned.
"""


def write_story(folder, name="story.txt", text=STORY):
    path = folder / name
    path.write_text(text)
    return path


def wait_for_clips(cache, n, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list(cache.glob("clips-v*/*/*.json"))) >= n:
            return
        assert proc.poll() is None, "the build ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("no clip was cached in time")


# --- 1. cache safety -------------------------------------------------------------------------------


def test_two_processes_never_voice_the_same_chunk(tmp_path):
    story = write_story(tmp_path)
    cache = tmp_path / "cache"
    args = [str(story), "--cache-dir", str(cache), "--json", "-j", "1", "--date", "2026-11-27"]
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda name: run("build", "-o", str(tmp_path / name), *args), ["a.mp3", "b.mp3"])
    ra, rb = json.loads(a.stdout)["chunks"], json.loads(b.stdout)["chunks"]
    assert ra["synthesized"] + rb["synthesized"] == ra["total"] == 5
    assert ra["cached"] + rb["cached"] == ra["total"]
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()


def test_a_corrupt_clip_is_discarded_and_voiced_again(tmp_path):
    story = write_story(tmp_path)
    cache = tmp_path / "cache"
    first = run("build", str(story), "-o", str(tmp_path / "a.mp3"), "--cache-dir", str(cache), "--date", "2026-11-27")
    assert first.returncode == 0
    wav = sorted(cache.glob("clips-v*/*/*.wav"))[0]
    data = bytearray(wav.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 100] = bytes(100)  # bit rot in the middle of a clip
    wav.write_bytes(bytes(data))
    again = json.loads(run("build", str(story), "-o", str(tmp_path / "b.mp3"), "--cache-dir", str(cache),
                           "--date", "2026-11-27", "--json").stdout)["chunks"]  # fmt: skip
    assert (again["synthesized"], again["cached"]) == (1, again["total"] - 1)
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()  # deterministic voice


def test_cache_commands(tmp_path):
    story = write_story(tmp_path)
    cache = tmp_path / "cache"
    run("build", str(story), "-o", str(tmp_path / "a.mp3"), "--cache-dir", str(cache))
    info = json.loads(run("cache", "info", "--json", "--cache-dir", str(cache)).stdout)
    assert info["entries"] == 5 and info["bytes"] > 100_000
    half = info["bytes"] // 2
    run("cache", "prune", "--max-size", f"{half / 1024:.0f}KB", "--cache-dir", str(cache))
    after = json.loads(run("cache", "info", "--json", "--cache-dir", str(cache)).stdout)
    assert after["bytes"] <= half + 1024 and 0 < after["entries"] < 5
    run("cache", "clear", "--cache-dir", str(cache))
    assert json.loads(run("cache", "info", "--json", "--cache-dir", str(cache)).stdout)["entries"] == 0


# --- 2. parallel synthesis and 5. determinism --------------------------------------------------------


def test_output_is_byte_identical_whatever_the_jobs(tmp_path):
    story = write_story(tmp_path)
    made = {}
    for jobs in ("1", "2"):
        mp3 = tmp_path / f"j{jobs}" / "e.mp3"
        run("build", str(story), "-o", str(mp3), "-j", jobs, "--cache-dir", str(tmp_path / f"cache{jobs}"),
            "--date", "2026-11-27")  # fmt: skip
        made[jobs] = outputs(mp3)
    assert made["1"] == made["2"]


# --- 3. machine interface ----------------------------------------------------------------------------


def test_json_logs_and_quiet(tmp_path):
    story = write_story(tmp_path)
    proc = run("build", str(story), "-o", str(tmp_path / "e.mp3"), "--cache-dir", str(tmp_path / "c"), "--json")
    data = json.loads(proc.stdout)
    assert set(data) >= {"mp3", "manifest", "sidecars", "duration_ms", "chunks", "timings_s", "seconds"}
    assert data["chunks"] == {"total": 5, "synthesized": 5, "cached": 0, "fell_back": 0}
    assert proc.stderr == ""  # not a TTY: no progress bar; --json: no summary line
    quiet = run("build", str(story), "-o", str(tmp_path / "e.mp3"), "--cache-dir", str(tmp_path / "c"), "-q")
    assert quiet.stdout == "" and quiet.stderr == ""
    loud = run("build", str(story), "-o", str(tmp_path / "e.mp3"), "--cache-dir", str(tmp_path / "c"), "-v")
    assert loud.stdout == "" and "Built" in loud.stderr


def test_progress_bar_only_on_a_terminal(tmp_path):
    import pty

    story = write_story(tmp_path)
    main, sub = pty.openpty()
    proc = subprocess.Popen([*CLI, "build", str(story), "-o", str(tmp_path / "e.mp3"), "--cache-dir",
                             str(tmp_path / "c")], stdin=sub, stdout=sub, stderr=sub)  # fmt: skip
    os.close(sub)
    seen = b""
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    assert proc.wait() == 0
    os.close(main)
    text = seen.decode("utf-8", "replace")
    assert "Synthesizing" in text and "5/5" in text and "Built" in text


@pytest.mark.parametrize(
    "args, code",
    [
        (["build", "/nonexistent/story.txt", "-o", "x.mp3"], 3),
        (["build", "STORY", "--engine", "nope"], 2),
        (["build", "STORY", "--bitrate", "7"], 2),
        (["build", "STORY", "-o", "/proc/version/x.mp3"], 6),
        (["check", "/nonexistent.mp3"], 3),
    ],
)
def test_exit_codes(tmp_path, args, code):
    story = write_story(tmp_path)
    args = [str(story) if a == "STORY" else a for a in args]
    proc = run(*args, check=False, cwd=tmp_path)
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr


def test_env_beats_config_and_cli_beats_env(tmp_path):
    story = write_story(tmp_path)
    (tmp_path / "audio-edition.toml").write_text('publication = "Config"\nbitrate = "96"\n')
    out = tmp_path / "e.mp3"
    base = ["build", str(story), "-o", str(out), "--cache-dir", str(tmp_path / "c")]

    def built():
        m = json.loads(out.with_suffix(".json").read_text())
        return m["publication"], m["audio"]["bitrate_kbps"]

    run(*base, cwd=tmp_path)
    assert built() == ("Config", 96)
    run(*base, cwd=tmp_path, env={"AUDIO_EDITION_PUBLICATION": "Env"})
    assert built() == ("Env", 96)
    run(*base, "--publication", "CLI", "--bitrate", "64", cwd=tmp_path, env={"AUDIO_EDITION_PUBLICATION": "Env"})
    assert built() == ("CLI", 64)


# --- 4. faults ----------------------------------------------------------------------------------------


def test_sigkill_mid_synthesis_then_rerun(tmp_path):
    from audio_edition.voice.clips import ClipCache

    story = write_story(tmp_path, text=STORY + "\n\n" + STORY.split("\n\n", 1)[1].replace("harbor", "river"))
    cache, out_dir = tmp_path / "cache", tmp_path / "out"
    cmd = [*CLI, "build", str(story), "-o", str(out_dir / "e.mp3"), "--cache-dir", str(cache), "-j", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_clips(cache, 2, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out_dir / "e.mp3").exists()
    store = ClipCache(cache)
    before = [key for key, _, _ in store.entries()]
    assert before and all(store.get(key) is not None for key in before)  # every entry whole and verified

    rerun = json.loads(
        run("build", str(story), "-o", str(out_dir / "e.mp3"), "--cache-dir", str(cache), "--json").stdout
    )
    assert rerun["chunks"]["cached"] >= len(before)
    assert rerun["chunks"]["synthesized"] == rerun["chunks"]["total"] - rerun["chunks"]["cached"]
    assert run("check", str(out_dir / "e.mp3"), check=False).returncode == 0
    assert sorted(p.name for p in out_dir.iterdir() if p.name.startswith(".")) == []  # the killed build's parts


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_sigint_stop_cleanly(tmp_path, signum, code):
    # Long enough that the build is still voicing when the signal comes, on a busy machine too.
    more = "\n\n".join(
        f"Crane number {n} lifted its last load of the night and turned off its lamps." for n in range(12)
    )
    story = write_story(tmp_path, text=STORY + "\n" + more + "\n")
    cache, out_dir = tmp_path / "cache", tmp_path / "out"
    out_dir.mkdir()
    proc = subprocess.Popen([*CLI, "build", str(story), "-o", str(out_dir / "e.mp3"), "--cache-dir", str(cache)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    wait_for_clips(cache, 1, proc)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1].startswith("audio-edition: error: interrupted")
    assert list(out_dir.iterdir()) == []  # no output, no temporary files


def test_full_disk_is_a_clear_error_and_the_old_output_survives(tmp_path):
    story = write_story(tmp_path)
    out = tmp_path / "out" / "e.mp3"
    run("build", str(story), "-o", str(out), "--cache-dir", str(tmp_path / "c"))
    good = outputs(out)
    disk = tmp_path / "small"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        full = run("build", str(story), "-o", str(out), "--cache-dir", str(disk), "--title", "Changed", check=False)
        assert full.returncode == 6
        assert full.stderr.count("\n") == 1 and "the disk is full" in full.stderr
        assert outputs(out) == good  # the previous edition is untouched
        unwritable = run("build", str(story), "-o", str(out), "--cache-dir", str(story / "cache"), check=False)
        assert unwritable.returncode == 6 and "cannot make the cache folder" in unwritable.stderr
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_four_concurrent_overlapping_builds_equal_serial_builds(tmp_path):
    paragraphs = STORY.split("\n\n")
    stories = []
    for i in range(4):
        # Overlapping editions: each shares most paragraphs with the others.
        text = "\n\n".join([f"Edition {i}", *paragraphs[1:], f"Closing note number {i}."])
        stories.append(write_story(tmp_path, f"s{i}.txt", text))

    def build(i, folder, cache):
        return run("build", str(stories[i]), "-o", str(tmp_path / folder / f"e{i}.mp3"), "--cache-dir", str(cache),
                   "--date", "2026-11-27", "-j", "1")  # fmt: skip

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: build(i, "together", tmp_path / "shared"), range(4)))
    for i in range(4):
        build(i, "alone", tmp_path / f"own{i}")
        assert outputs(tmp_path / "together" / f"e{i}.mp3") == outputs(tmp_path / "alone" / f"e{i}.mp3")
