"""Atomic outputs: every file of a build is written beside its target under a temporary name and
renamed into place only when the whole build has succeeded."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError


class Outputs:
    """A set of files that appear together, or not at all."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def temp_for(self, final: Path) -> Path:
        """A fresh temporary path in ``final``'s folder (same file system, so rename is atomic)."""
        final = Path(final)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
        except OSError as exc:
            raise OutputError(f"cannot write to {final.parent}: {exc.strerror}") from None
        os.close(fd)
        self._pending.append((Path(tmp), final))
        return Path(tmp)

    def write(self, final: Path, data: bytes | str) -> None:
        tmp = self.temp_for(final)
        try:
            tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        except OSError as exc:
            raise OutputError(f"cannot write {final}: {exc.strerror}") from None

    def commit(self) -> list[Path]:
        """Rename every temporary file into place, the first registered last (the MP3)."""
        done = []
        try:
            for tmp, final in reversed(self._pending):
                os.replace(tmp, final)
                done.append(final)
        except OSError as exc:
            raise OutputError(f"cannot move the output into place: {exc.strerror}") from None
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
