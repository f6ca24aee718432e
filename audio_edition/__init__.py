"""audio-edition: news stories in, a tagged, chaptered MP3 with sidecars out.

The library API that the ``audio-edition`` command is a thin layer over. The heavy parts (numpy,
the engines) load on first use, so that ``audio-edition --help`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .environment import Environment
from .errors import AudioEditionError, ExitStatus
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

if TYPE_CHECKING:
    from .pipeline import BuildResult, build, prepare

__version__ = "0.1.0"

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


def __getattr__(name: str):
    if name in ("build", "prepare", "BuildResult"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'audio_edition' has no attribute {name!r}")
