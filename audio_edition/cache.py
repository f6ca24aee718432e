"""The build cache: one content-addressed store with named areas, in a folder or at a URL.

Each area holds one kind of entry, ``<area>-v<format>/<key><suffix>`` plus ``<key>.json``:

- ``clips``: each chunk's voice (WAV), the one area worth keeping through any upgrade;
- ``editions``: a whole encoded edition (MP3), for warm rebuilds;
- ``stretches``: a paragraph stretch's MP3 frames and its loudness blocks;
- ``loudness``: the gain search's loudness blocks of an excerpt at one gain step (float64);
- ``gains``: where the gain search ended for the recent editions (JSON).

The JSON is written last and carries the SHA-256 of the data and of itself, so a reader sees a
whole, verified entry or none; a corrupt entry is deleted and made again. Where the bytes live is
store.py's business; what the entries mean is their stage's (voice/clips.py, sound/encode.py,
sound/loudness.py, pipeline.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .store import Store, open_store

log = logging.getLogger(__name__)

#: Bump when the stored entries for the same key would differ.
CACHE_FORMAT = 1


@dataclass(frozen=True)
class Area:
    """One kind of entry: its name, the suffix of its data, and whether its metadata decides an
    output (an entry from before metadata checksums is then made again) or is only notes."""

    name: str
    suffix: str
    decisive: bool = True
    #: Spread over 256 subfolders by the key's first two digits (an area of many small entries).
    fanout: bool = False

    @property
    def folder(self) -> str:
        return f"{self.name}-v{CACHE_FORMAT}"


CLIPS = Area("clips", ".wav", decisive=False, fanout=True)
EDITIONS = Area("editions", ".mp3")
STRETCHES = Area("stretches", ".mp3")
LOUDNESS = Area("loudness", ".f8")
GAINS = Area("gains", ".gains")
AREAS = (CLIPS, EDITIONS, STRETCHES, LOUDNESS, GAINS)
#: Folders of earlier layouts: removed by ``cache clear`` and ``cache prune`` (renders-v1 held
#: editions, stretches, loudness blocks and gains together, all as ``.mp3``).
LEGACY_FOLDERS = ("renders-v1",)


def _meta_digest(meta: dict[str, Any]) -> str:
    """The checksum of an entry's metadata, its own field aside."""
    fields = {k: v for k, v in meta.items() if k != "meta_sha256"}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class Cache:
    """Entries by area and key, in a :class:`~audio_edition.store.Store` (a folder or a URL)."""

    def __init__(self, location: str | os.PathLike[str]) -> None:
        self.location = location
        self.store: Store = open_store(location)
        self.root = self.store.url

    @staticmethod
    def names(area: Area, key: str) -> tuple[str, str]:
        """The entry's data and metadata names."""
        folder = f"{area.folder}/{key[:2]}" if area.fanout else area.folder
        return f"{folder}/{key}{area.suffix}", f"{folder}/{key}.json"

    def read(self, area: Area, key: str) -> tuple[bytes, dict] | None:
        """The entry's data and metadata, if both are there and the checksums hold; else None (and gone)."""
        data_name, meta_name = self.names(area, key)
        raw_meta = self.store.read(meta_name)
        data = self.store.read(data_name) if raw_meta is not None else None
        return self._verify(area, key, data, raw_meta)

    def read_many(self, area: Area, keys: Sequence[str]) -> dict[str, tuple[bytes, dict]]:
        """The verified entries among ``keys``, read in one batch (one round trip on object stores)."""
        unique = list(dict.fromkeys(keys))
        raw = self.store.read_many([name for key in unique for name in self.names(area, key)])
        found = {}
        for key in unique:
            data_name, meta_name = self.names(area, key)
            entry = self._verify(area, key, raw.get(data_name), raw.get(meta_name))
            if entry is not None:
                found[key] = entry
        return found

    def _verify(self, area: Area, key: str, data: bytes | None, raw_meta: bytes | None) -> tuple[bytes, dict] | None:
        if raw_meta is None or data is None:
            return None
        try:
            meta = json.loads(raw_meta.decode("utf-8"))
        except ValueError:
            meta = {}
        checked = "meta_sha256" in meta
        if hashlib.sha256(data).hexdigest() != meta.get("sha256") or (
            checked and meta["meta_sha256"] != _meta_digest(meta)
        ):
            log.warning("cache entry %s is corrupt; making it again", key[:12])
        elif meta.get("key", key) != key:
            # A whole entry under another's name (files swapped or copied): its own checksums hold,
            # but it answers another request.
            log.warning("cache entry %s holds entry %s; making it again", key[:12], str(meta["key"])[:12])
        elif not checked and area.decisive:
            # An entry whose metadata decides the MP3, cached before it had a checksum: made
            # again, quietly. A clip's metadata is notes, and re-voicing costs: kept.
            log.debug("%s entry %s predates metadata checksums; making it again", area.name, key[:12])
        else:
            return data, meta
        self.delete(area, key)
        return None

    def write(self, area: Area, key: str, data: bytes, meta: dict[str, Any] | None = None) -> None:
        data_name, meta_name = self.names(area, key)
        # The metadata, with the checksum, goes last: a reader sees a whole entry or none.
        self.store.write(data_name, data)
        full = {**(meta or {}), "key": key, "sha256": hashlib.sha256(data).hexdigest(), "created": time.time()}
        full["meta_sha256"] = _meta_digest(full)
        self.store.write(meta_name, json.dumps(full, ensure_ascii=False).encode("utf-8"))

    def delete(self, area: Area, key: str) -> None:
        for name in self.names(area, key):
            self.store.delete(name)

    def try_lock(self, area: Area, key: str) -> contextlib.AbstractContextManager[bool]:
        """Take the entry's lock if it is free; yield whether it was taken."""
        return self.store.try_lock(self.names(area, key)[0])

    def lock(self, area: Area, key: str, timeout: float = 600) -> contextlib.AbstractContextManager[None]:
        """Hold the entry's lock: a second process waits, then finds the entry made."""
        return self.store.lock(self.names(area, key)[0], timeout)

    # --- maintenance (``audio-edition cache``) ---

    def entries(self, area: Area = CLIPS) -> list[tuple[str, int, float]]:
        """(key, bytes, last used) of each whole entry of ``area``."""
        data = {
            e.name.rsplit("/", 1)[-1].removesuffix(area.suffix): e for e in self.store.entries(area.folder, area.suffix)
        }
        metas = {e.name.rsplit("/", 1)[-1].removesuffix(".json"): e for e in self.store.entries(area.folder, ".json")}
        return [(key, d.size + metas[key].size, d.used) for key, d in data.items() if key in metas]

    def info(self) -> dict[str, Any]:
        areas = {area.name: self.entries(area) for area in AREAS}
        sizes = {name: sum(e[1] for e in found) for name, found in areas.items()}
        return {
            "path": self.root,
            "entries": len(areas["clips"]),
            "renders": len(areas["editions"]) + len(areas["stretches"]),
            "bytes": sum(sizes.values()),
            "areas": {name: {"entries": len(found), "bytes": sizes[name]} for name, found in areas.items()},
        }

    def prune(self, max_bytes: int) -> int:
        """Remove the least recently used entries of every area until the cache fits in
        ``max_bytes``, the lock files of clips long gone, and earlier layouts' folders. Returns
        the number of entries removed."""
        for folder in LEGACY_FOLDERS:
            self.store.remove_folder(folder)
        for name in self.orphan_locks():
            self.store.forget_lock(name)
        entries = sorted(
            ((used, size, key, area) for area in AREAS for key, size, used in self.entries(area)), key=lambda e: e[:3]
        )
        total = sum(e[1] for e in entries)
        removed = 0
        for _, size, key, area in entries:
            if total <= max_bytes:
                break
            self.delete(area, key)
            if area is CLIPS:
                self.store.forget_lock(self.names(area, key)[0])
            total -= size
            removed += 1
        return removed

    def orphan_locks(self) -> list[str]:
        """The clips whose lock file is there but whose clip is not (a failed or pruned voicing)."""
        present = {e.name for e in self.store.entries(CLIPS.folder, CLIPS.suffix)}
        clips_of_locks = (
            lock.name.removesuffix(".lock") + CLIPS.suffix for lock in self.store.entries(CLIPS.folder, ".lock")
        )
        return [name for name in clips_of_locks if name not in present]

    def clear(self) -> int:
        """Remove every entry of every area; returns how many clips there were."""
        count = len(self.entries(CLIPS))
        for folder in (*(area.folder for area in AREAS), *LEGACY_FOLDERS):
            self.store.remove_folder(folder)
        return count
