"""audio-edition: news stories in, a tagged, chaptered MP3 with sidecars out.

The library API that the ``audio-edition`` command is a thin layer over.
"""

from __future__ import annotations

from .errors import AudioEditionError, ExitStatus
from .pipeline import BuildResult, build, prepare
from .settings import BuildSettings, Encoding, EngineOptions, Loudness, Metadata, Pauses, TextOptions

__version__ = "0.1.0"

__all__ = [
    "AudioEditionError",
    "BuildResult",
    "BuildSettings",
    "Encoding",
    "EngineOptions",
    "ExitStatus",
    "Loudness",
    "Metadata",
    "Pauses",
    "TextOptions",
    "build",
    "prepare",
]
