"""Where the clip cache keeps its bytes: a local folder, or fsspec filesystems (the S3 backend runs
end to end against moto's server in test_fleet.py)."""

import pytest

from audio_edition.cache import CLIPS
from audio_edition.errors import UsageError
from audio_edition.store import FsspecStore, LocalStore, open_store
from audio_edition.voice import clips
from audio_edition.voice.engines import Clip


@pytest.fixture(params=["local", "fsspec-file", "fsspec-memory"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "s")
    if request.param == "fsspec-file":
        return FsspecStore(f"file://{tmp_path}/s")
    return FsspecStore(f"memory://{tmp_path.name}/s")


def test_write_read_list_delete(store):
    assert store.read("clips-v1/ab/x.wav") is None
    store.write("clips-v1/ab/x.wav", b"abc")
    store.write("clips-v1/cd/y.wav", b"defg")
    store.write("clips-v1/cd/y.json", b"{}")
    assert store.read("clips-v1/ab/x.wav") == b"abc"
    listed = sorted((e.name, e.size) for e in store.entries("clips-v1", ".wav"))
    assert listed == [("clips-v1/ab/x.wav", 3), ("clips-v1/cd/y.wav", 4)]
    store.write("clips-v1/ab/x.wav", b"new")  # replaced whole
    assert store.read("clips-v1/ab/x.wav") == b"new"
    store.delete("clips-v1/ab/x.wav")
    assert store.read("clips-v1/ab/x.wav") is None
    store.remove_folder("clips-v1")
    assert store.entries("clips-v1", ".wav") == []


def test_no_temporary_names_are_left_behind(store):
    for i in range(5):
        store.write(f"renders-v1/{i}.mp3", bytes(1000))
    names = [e.name for e in store.entries("renders-v1", "")]
    assert sorted(names) == [f"renders-v1/{i}.mp3" for i in range(5)]


@pytest.mark.parametrize("location", ["memory://cache-test/clips", "file://{tmp}/clips"])
def test_clip_cache_on_fsspec_verifies_what_it_reads(tmp_path, location):
    cache = clips.ClipCache(location.format(tmp=tmp_path))
    key = clips.clip_key({"engine": "x"}, "Hello.")
    cache.put(key, Clip(b"\x01\x00" * 1000, 16000), {"text": "Hello."})
    clip, meta = cache.get(key)
    assert clip.pcm == b"\x01\x00" * 1000 and meta["text"] == "Hello."
    assert cache.info()["entries"] == 1

    wav_name = cache.names(CLIPS, key)[0]
    damaged = bytearray(cache.store.read(wav_name))
    damaged[-10:] = bytes(10)
    cache.store.write(wav_name, bytes(damaged))
    assert cache.get(key) is None  # the checksum caught it, and the entry is gone
    assert cache.info()["entries"] == 0


def test_routing(tmp_path):
    assert isinstance(open_store(tmp_path / "a"), LocalStore)
    assert isinstance(open_store(f"file://{tmp_path}/b"), LocalStore)  # with file locks
    assert isinstance(open_store("memory://x/y"), FsspecStore)
    with pytest.raises(UsageError, match="nope://"):
        open_store("nope://bucket/x")


def test_read_many_returns_what_is_there(store):
    store.write("clips-v1/aa/1.wav", b"one")
    store.write("clips-v1/bb/2.wav", b"two")
    names = ["clips-v1/aa/1.wav", "clips-v1/bb/2.wav", "clips-v1/cc/3.wav"]
    assert store.read_many(names) == {"clips-v1/aa/1.wav": b"one", "clips-v1/bb/2.wav": b"two"}
    assert store.read_many([]) == {}


def test_get_many_verifies_each_entry(tmp_path):
    cache = clips.ClipCache(f"memory://many-{tmp_path.name}/c")
    keys = [clips.clip_key({"engine": "x"}, t) for t in ("a", "b", "c")]
    for n, key in enumerate(keys[:2], 1):
        cache.put(key, Clip(bytes([n, 0]) * 500, 16000), {"text": key})
    wav = cache.names(CLIPS, keys[1])[0]
    cache.store.write(wav, cache.store.read(wav)[:-2] + b"\x00\x01")
    found = cache.get_many(keys)
    assert list(found) == [keys[0]] and found[keys[0]][0].pcm == bytes([1, 0]) * 500
