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
