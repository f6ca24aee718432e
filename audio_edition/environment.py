"""What a run takes from the machine it runs on, in one object (httpie's ``Environment``).

The command line makes one from the process (:meth:`Environment.from_process`) and hands it down;
the library's entry points take one (``env=``) and fill the settings' folders from it
(:meth:`Environment.apply`), so that nothing past them reads ``os.environ`` or asks platformdirs;
an engine made without them takes this process's folders. One exception: ffmpeg's path
(``AUDIO_EDITION_FFMPEG``, ffmpeg.py) is the process's, read once where ffmpeg is found, as every
build of the process and its worker processes must encode with the same binary.
Tests pass their own Environment instead of patching XDG variables and module globals.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import BuildSettings

APP = "audio-edition"


@dataclass(frozen=True)
class Environment:
    """The streams, variables and folders of one run."""

    #: The user cache folder: the clip cache (unless ``--cache-dir``), the publications' templates
    #: and the prepared Piper voices.
    cache_dir: Path
    #: The user data folder: Kokoro's model and voices (``AUDIO_EDITION_DATA_DIR`` moves it).
    data_dir: Path
    #: The process's environment variables (only ``AUDIO_EDITION_DEBUG`` is read past the CLI's
    #: own ``AUDIO_EDITION_*`` options).
    variables: Mapping[str, str] = field(default_factory=dict)
    stdin: IO[bytes] | None = None
    stdout: IO[str] | None = None
    stderr: IO[str] | None = None
    #: Whether a person watches stderr: the progress bar is drawn only then.
    stderr_isatty: bool = False

    @classmethod
    def from_process(cls, variables: Mapping[str, str] | None = None) -> Environment:
        """This process's: its streams, its variables, and the user folders platformdirs names."""
        variables = dict(os.environ if variables is None else variables)
        return cls(
            cache_dir=default_cache_dir(),
            data_dir=default_data_dir(variables),
            variables=variables,
            stdin=sys.stdin.buffer if sys.stdin is not None else None,
            stdout=sys.stdout,
            stderr=sys.stderr,
            stderr_isatty=bool(sys.stderr is not None and sys.stderr.isatty()),
        )

    @property
    def debug(self) -> bool:
        """``AUDIO_EDITION_DEBUG``: an internal error shows its traceback."""
        return bool(self.variables.get("AUDIO_EDITION_DEBUG"))

    def apply(self, settings: BuildSettings) -> BuildSettings:
        """``settings`` with the folders it leaves open taken from here."""
        engine = settings.engine
        engine = dataclasses.replace(
            engine, data_dir=engine.data_dir or self.data_dir, local_cache=engine.local_cache or self.cache_dir
        )
        return dataclasses.replace(settings, cache_dir=settings.cache_dir or self.cache_dir, engine=engine)


def default_cache_dir() -> Path:
    """The user cache folder, as platformdirs names it (``~/.cache/audio-edition`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def default_data_dir(variables: Mapping[str, str] | None = None) -> Path:
    """The user data folder: ``AUDIO_EDITION_DATA_DIR``, else platformdirs'."""
    import platformdirs

    given = (os.environ if variables is None else variables).get("AUDIO_EDITION_DATA_DIR")
    return Path(given or platformdirs.user_data_dir(APP, appauthor=False))
