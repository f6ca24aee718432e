"""Where the clip cache keeps its bytes: a local folder, or any fsspec URL (``s3://bucket/prefix``).

Both backends promise the cache the same two things: a write is all or nothing, and a name is
either absent or holds the bytes written. Locally that is a temporary file renamed into place;
on object stores one PUT is already atomic; on other fsspec filesystems a temporary name is
moved into place. :class:`~audio_edition.cache.Cache` adds the checksums verified on read.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as _dt
import errno
import functools
import os
import stat
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import OutputError, UsageError, advice

#: fsspec protocols where an object appears only once its upload is complete.
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss"})


@dataclass(frozen=True)
class Entry:
    """One stored object: its name under the store's root, its size, and when it was last used."""

    name: str
    size: int
    used: float


def file_mode(existing: Path | None = None) -> int:
    """The mode a new file gets (``0o666`` less the umask, as ``open()`` would give it), or an
    existing file's own: ``mkstemp`` makes 0600 files, which a web server or a second user of a
    shared cache could not read."""
    if existing is not None:
        with contextlib.suppress(OSError):
            st = os.lstat(existing)
            if not stat.S_ISLNK(st.st_mode):  # a link is replaced, not followed: its target's mode is not ours
                return stat.S_IMODE(st.st_mode)
    return 0o666 & ~_umask()


@functools.cache
def _umask() -> int:
    """Read once: reading it means setting it, process-wide, which would race with the threads
    (gTTS's) that write cache entries."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes, *, scratch: Path | None = None) -> None:
    """Write to a temporary file in the same folder (or in ``scratch``, on the same filesystem),
    flush it to disk, then rename into place (keeping the mode of the file it replaces)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=scratch or path.parent)
    try:
        os.fchmod(fd, file_mode(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        for attempt in range(FOLDER_RACES):
            try:
                os.replace(tmp, path)
                break
            except FileNotFoundError:
                if scratch is None or attempt == FOLDER_RACES - 1:
                    raise
                with contextlib.suppress(OSError):  # removed meanwhile (``cache clear``); else the next try says
                    path.parent.mkdir(parents=True, exist_ok=True)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


#: Times a write or a lock makes its folder again when ``cache clear`` removes it meanwhile.
FOLDER_RACES = 20


def _vanished(exc: OSError) -> bool:
    """Whether ``exc`` is ``cache clear`` taking the folder meanwhile: gone, or (``mkdir`` seeing
    it there, then not a folder any more) "exists". filelock reports these as plain OSErrors."""
    return exc.errno in (errno.ENOENT, errno.EEXIST)


class Store(abc.ABC):
    """Bytes by name (``"clips-v1/ab/ab12….wav"``), below one root."""

    #: The location as the user wrote it, for messages and ``cache info``.
    url: str

    @abc.abstractmethod
    def read(self, name: str) -> bytes | None:
        """The bytes stored under ``name``, or None."""

    def read_many(self, names: Sequence[str]) -> dict[str, bytes]:
        """The bytes of each of ``names`` that is there (one round trip on object stores)."""
        found = {name: self.read(name) for name in names}
        return {name: data for name, data in found.items() if data is not None}

    @abc.abstractmethod
    def write(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name``, all or nothing. Raises :class:`OutputError`."""

    @abc.abstractmethod
    def delete(self, name: str) -> None:
        """Remove ``name`` if it is there."""

    @abc.abstractmethod
    def entries(self, folder: str, suffix: str) -> list[Entry]:
        """Every object below ``folder`` whose name ends with ``suffix``."""

    @abc.abstractmethod
    def remove_folder(self, folder: str) -> None:
        """Remove ``folder`` and everything in it."""

    @contextlib.contextmanager
    def try_lock(self, name: str) -> Iterator[bool]:
        """Take ``name``'s lock if it is free; yield whether it was taken."""
        yield True

    def forget_lock(self, name: str) -> None:  # noqa: B027 - stores without lock files have none to remove
        """Remove ``name``'s lock file, unless someone holds it (``prune``: no lock outlives its clip)."""

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float = 600) -> Iterator[None]:
        """Hold ``name``'s lock, waiting for it."""
        yield


class LocalStore(Store):
    """A folder, with per-name file locks (filelock) so that processes never duplicate work."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()  # absolute: workers in other folders are told this path
        self.url = str(self.root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot make the cache folder {self.root}: {advice(exc)}") from None

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> bytes | None:
        try:
            return self.path(name).read_bytes()
        except OSError:
            return None

    def write(self, name: str, data: bytes) -> None:
        path = self.path(name)
        for _ in range(FOLDER_RACES):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # The temporary file waits in the root, which ``cache clear`` never removes.
                atomic_write_bytes(path, data, scratch=self.root)
                return
            except OSError as exc:
                if not _vanished(exc):
                    raise OutputError(f"cannot write to the clip cache {self.root}: {advice(exc)}") from None
        raise OutputError(f"cannot write to the clip cache {self.root}: its folders keep vanishing")

    def delete(self, name: str) -> None:
        with contextlib.suppress(OSError):
            self.path(name).unlink()

    def entries(self, folder: str, suffix: str) -> list[Entry]:
        out = []
        for p in (self.root / folder).rglob(f"*{suffix}"):
            with contextlib.suppress(OSError):
                st = p.stat()
                out.append(Entry(p.relative_to(self.root).as_posix(), st.st_size, st.st_atime))
        return out

    def remove_folder(self, folder: str) -> None:
        import shutil
        import uuid

        # Renamed away first, in one step: a build writing into it meanwhile finds it gone and
        # makes it again (``write``) instead of racing rmtree file by file.
        trash = self.root / f".{folder}.removed-{uuid.uuid4().hex[:12]}"
        try:
            os.rename(self.root / folder, trash)
        except FileNotFoundError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    def forget_lock(self, name: str) -> None:
        from filelock import Timeout

        lock = self._file_lock(name, 0)
        try:
            lock.acquire()
        except Timeout:
            return  # in use: a build is voicing this clip again
        try:
            with contextlib.suppress(OSError):
                os.unlink(lock.lock_file)
        finally:
            lock.release()

    def _file_lock(self, name: str, timeout: float):
        from filelock import FileLock

        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(path.with_suffix(".lock")), timeout=timeout)

    def _acquire(self, name: str, timeout: float):
        """``name``'s lock, taken (filelock's Timeout if it is held past ``timeout``)."""
        from filelock import Timeout

        for attempt in range(FOLDER_RACES):
            try:
                lock = self._file_lock(name, timeout)
                lock.acquire()
                return lock
            except Timeout:  # an OSError too (TimeoutError), but the caller's to handle
                raise
            except OSError as exc:
                if not _vanished(exc):
                    raise OutputError(f"cannot lock in the clip cache {self.root}: {advice(exc)}") from None
                if attempt == FOLDER_RACES - 1:
                    raise OutputError(
                        f"cannot lock in the clip cache {self.root}: its folders keep vanishing"
                    ) from None

    @contextlib.contextmanager
    def try_lock(self, name: str) -> Iterator[bool]:
        from filelock import Timeout

        try:
            lock = self._acquire(name, 0)
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float = 600) -> Iterator[None]:
        from filelock import Timeout

        try:
            lock = self._acquire(name, timeout)
        except Timeout:
            raise OutputError(f"timed out waiting for the cache lock on {Path(name).stem[:12]}") from None
        try:
            yield
        finally:
            lock.release()


class FsspecStore(Store):
    """Any fsspec filesystem. Object stores have no locks: two builds may voice the same chunk at
    once, which costs time but not correctness, since both write the same bytes under the same
    content address (synthesis is deterministic) and each write is atomic."""

    def __init__(self, url: str) -> None:
        import fsspec

        self.url = url.rstrip("/")
        try:
            self.fs, self.root = fsspec.core.url_to_fs(self.url)
        except ImportError as exc:
            raise UsageError(f"--cache-dir {url}: {exc} (pip install 'audio-edition[s3]' for s3://)") from None
        except (ValueError, TypeError) as exc:
            raise UsageError(f"--cache-dir {url}: {exc}") from None
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        self.atomic_put = bool(OBJECT_STORES.intersection(protocols))
        # Fail before any synthesis, not at the first write.
        try:
            if self.atomic_put:
                there = self.fs.exists(self.root.split("/", 1)[0])  # the bucket; prefixes need no creating
            else:
                self.fs.makedirs(self.root, exist_ok=True)
                there = True
        except Exception as exc:  # noqa: BLE001 - network filesystems raise their own types
            raise self._fail(exc) from None
        if not there:
            raise OutputError(f"cannot write to the clip cache {self.url} (the bucket does not exist)")

    def _full(self, name: str) -> str:
        return f"{self.root}/{name}"

    def _fail(self, exc: Exception) -> OutputError:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return OutputError(f"cannot write to the clip cache {self.url} ({reason})")

    def read(self, name: str) -> bytes | None:
        try:
            return self.fs.cat_file(self._full(name))
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - network filesystems raise their own types
            raise OutputError(f"cannot read the clip cache {self.url} ({exc})") from None

    def read_many(self, names: Sequence[str]) -> dict[str, bytes]:
        if len(names) < 2:
            return super().read_many(names)
        full = {self._full(name): name for name in names}
        try:
            # fsspec fetches a list concurrently (s3fs: asyncio): 100 clips cost one round trip, not 100.
            found = self.fs.cat(list(full), on_error="omit")
        except Exception as exc:  # noqa: BLE001 - network filesystems raise their own types
            raise OutputError(f"cannot read the clip cache {self.url} ({exc})") from None
        out = {}
        for path, data in found.items():
            name = full.get(path) or full.get(self.fs._strip_protocol(path))
            if name is not None:
                out[name] = data
        return out

    def write(self, name: str, data: bytes) -> None:
        target = self._full(name)
        try:
            if self.atomic_put:
                self.fs.pipe_file(target, data)
                return
            parent = target.rsplit("/", 1)[0]
            self.fs.makedirs(parent, exist_ok=True)
            tmp = f"{parent}/.{uuid.uuid4().hex}.tmp"
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, target)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from None

    def delete(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.fs.rm_file(self._full(name))

    def entries(self, folder: str, suffix: str) -> list[Entry]:
        try:
            found: dict[str, dict[str, Any]] = self.fs.find(self._full(folder), detail=True)
        except FileNotFoundError:
            return []
        except Exception as exc:  # noqa: BLE001
            raise OutputError(f"cannot list the clip cache {self.url} ({exc})") from None
        prefix = len(self.root) + 1
        return [
            Entry(path[prefix:], int(info.get("size") or 0), _timestamp(info))
            for path, info in found.items()
            if path.endswith(suffix)
        ]

    def remove_folder(self, folder: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(self._full(folder), recursive=True)


def _timestamp(info: dict[str, Any]) -> float:
    value = info.get("LastModified") or info.get("mtime") or info.get("created") or 0
    return value.timestamp() if isinstance(value, _dt.datetime) else float(value)


def open_store(location: str | os.PathLike[str]) -> Store:
    """A plain path or ``file://`` URL is a :class:`LocalStore` (with locks); any other URL goes through fsspec."""
    text = os.fspath(location)
    if text.startswith("file://"):
        return LocalStore(Path(text.removeprefix("file://")))
    if "://" in text:
        return FsspecStore(text)
    return LocalStore(Path(text))
