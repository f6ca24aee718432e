"""audio-edition: news stories in, a tagged, chaptered MP3 with sidecars out.

The library API that the ``audio-edition`` command is a thin layer over. The heavy parts (numpy,
the engines) load on first use, so that ``audio-edition --help`` starts fast.
"""

from __future__ import annotations

# No runtime import here, not even typing: the console script imports this package before it can
# install its signal handlers (_entry.py), so importing it must take no time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .environment import Environment
    from .errors import AudioEditionError, ExitStatus
    from .pipeline import BuildResult, build, prepare
    from .settings import (
        BuildSettings,
        Encoding,
        EngineOptions,
        Fleet,
        GttsOptions,
        Loudness,
        Metadata,
        Pauses,
        Program,
        TextOptions,
        Worker,
    )


def _version() -> str:
    """The installed distribution's version: one place for it, pyproject.toml."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("audio-edition")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        return "0+unknown"


__all__ = [
    "AudioEditionError",
    "BuildResult",
    "BuildSettings",
    "Encoding",
    "EngineOptions",
    "Environment",
    "ExitStatus",
    "Fleet",
    "GttsOptions",
    "Loudness",
    "Metadata",
    "Pauses",
    "Program",
    "TextOptions",
    "Worker",
    "build",
    "prepare",
]


#: Where each public name lives: imported on first use, so that importing the package (the
#: console script's first step, before its signal handlers) costs nothing.
_LAZY = {
    "AudioEditionError": "errors", "ExitStatus": "errors", "Environment": "environment",
    "build": "pipeline", "prepare": "pipeline", "BuildResult": "pipeline",
    **{name: "settings" for name in ("BuildSettings", "Encoding", "EngineOptions", "Fleet", "GttsOptions",
                                     "Loudness", "Metadata", "Pauses", "Program", "TextOptions", "Worker")},
}  # fmt: skip


def __getattr__(name: str) -> Any:  # noqa: ANN401
    if name == "__version__":
        return _version()
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'audio_edition' has no attribute {name!r}")
