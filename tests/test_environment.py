"""What a run takes from the machine, in one object (environment.py)."""

from pathlib import Path

from audio_edition import BuildSettings, EngineOptions, Environment


def test_the_variables_given_are_the_ones_read():
    env = Environment.from_process({"AUDIO_EDITION_DATA_DIR": "/srv/desk-a/data", "AUDIO_EDITION_DEBUG": "1"})
    assert env.data_dir == Path("/srv/desk-a/data") and env.debug
    assert not Environment.from_process({}).debug
    assert Environment.from_process({}).data_dir != Path("/srv/desk-a/data")


def test_apply_fills_only_the_folders_the_settings_leave_open(tmp_path):
    env = Environment(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")
    open_ = env.apply(BuildSettings())
    assert open_.cache_dir == tmp_path / "cache"
    assert (open_.engine.data_dir, open_.engine.local_cache) == (tmp_path / "data", tmp_path / "cache")
    given = BuildSettings(cache_dir="s3://bucket/clips", engine=EngineOptions(data_dir=tmp_path / "mine"))
    kept = env.apply(given)
    assert kept.cache_dir == "s3://bucket/clips" and kept.engine.data_dir == tmp_path / "mine"
    assert kept.engine.local_cache == tmp_path / "cache"
