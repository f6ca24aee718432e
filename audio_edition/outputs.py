"""Atomic outputs: every file of a build is written beside its target under a temporary name and
renamed into place only when the whole build has succeeded."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError, advice
from .store import file_mode


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_orphans(final: Path) -> None:
    """Delete temporary files of ``final`` left by builds whose process is gone (SIGKILL, power loss)."""
    for part in final.parent.glob(f".{glob.escape(final.name)}.*.part"):
        pid = part.name[len(final.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                part.unlink()


class Outputs:
    """A set of files that appear together, or not at all."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def temp_for(self, final: Path) -> Path:
        """A fresh temporary path in ``final``'s folder (same file system, so rename is atomic).

        Its name carries this process's id, so a later build can remove what a killed one left.
        """
        final = Path(final)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            remove_orphans(final)
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.{os.getpid()}.", suffix=".part", dir=final.parent)
        except OSError as exc:
            raise OutputError(f"cannot write to {final.parent}: {advice(exc)}") from None
        try:
            os.fchmod(fd, file_mode(final))  # 0666 less the umask, or the replaced file's mode
        finally:
            os.close(fd)
        self._pending.append((Path(tmp), final))
        return Path(tmp)

    def write(self, final: Path, data: bytes | str) -> None:
        tmp = self.temp_for(final)
        try:
            tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        except OSError as exc:
            raise OutputError(f"cannot write {final}: {advice(exc)}") from None

    @contextlib.contextmanager
    def writing(self, final: Path) -> Iterator[None]:
        """The block writes ``final`` through its temporary file: an OSError there names ``final``."""
        try:
            yield
        except OSError as exc:
            raise OutputError(f"cannot write {final}: {advice(exc)}") from None

    def commit(self) -> list[Path]:
        """Rename every temporary file into place, the first registered last (the MP3)."""
        done = []
        try:
            for tmp, final in reversed(self._pending):
                os.replace(tmp, final)
                done.append(final)
        except OSError as exc:
            raise OutputError(f"cannot move the output into place: {advice(exc)}") from None
        finally:
            self.abort()
        return list(reversed(done))

    def abort(self) -> None:
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._pending.clear()

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()
