"""Files that publish as they are: every output and cache entry has the mode open() would give it."""

import os
import stat

import pytest

from audio_edition.outputs import Outputs
from audio_edition.store import atomic_write_bytes


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_outputs_get_0666_less_the_umask_and_replaced_files_keep_theirs(tmp_path, umask_022):
    with Outputs() as out:
        out.write(tmp_path / "a.json", "{}")
        out.commit()
    assert mode(tmp_path / "a.json") == 0o644
    os.chmod(tmp_path / "a.json", 0o640)  # opened by hand for a group
    with Outputs() as out:
        out.write(tmp_path / "a.json", "{}")
        out.commit()
    assert mode(tmp_path / "a.json") == 0o640
    atomic_write_bytes(tmp_path / "feed.xml", b"<rss/>")
    assert mode(tmp_path / "feed.xml") == 0o644


def test_a_build_publishes_readable_files_and_a_readable_cache(tmp_path, umask_022):
    from audio_edition import BuildSettings, build
    from audio_edition.settings import EngineOptions

    from conftest import SAMPLES

    result = build(
        [str(SAMPLES / "harbor-deal.txt")],
        tmp_path / "out" / "e.mp3",
        BuildSettings(engine=EngineOptions(name="fake"), cache_dir=tmp_path / "cache"),
    )
    published = [result.mp3, result.manifest_path, *result.sidecars.values()]
    assert published and all(mode(p) == 0o644 for p in published)
    cached = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert cached and all(mode(p) & 0o044 == 0o044 for p in cached), [oct(mode(p)) for p in cached]
