"""Running the real CLI as a subprocess, for the tests that need real processes and signals."""

import os
import subprocess
import sys

CLI = [sys.executable, "-m", "audio_edition"]


def run(*args, env=None, check=True, **kw):
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, env=full_env, **kw)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def outputs(mp3):
    names = [mp3, mp3.with_suffix(".json"), mp3.with_suffix(".vtt")]
    names += [mp3.with_name(mp3.stem + ".chapters.json"), mp3.with_name(mp3.stem + ".transcript.json")]
    return {p.name.replace(mp3.stem, "X"): p.read_bytes() for p in names}


def children(pid):
    """Live (not zombie) child processes of ``pid``, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry))
    return found


def alive(pids):
    """Those of ``pids`` still running (a zombie is not: nobody reaps orphans in some containers)."""
    running = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    running.append(pid)
        except OSError:
            pass
    return running
