"""The explicit registry of engines (httpie's plugin registry, minus the plugins).

Engines are imported lazily: ``audio-edition --help`` must not load onnxruntime.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import UsageError
from ...settings import EngineOptions
from .base import Clip, Engine

__all__ = ["Clip", "Engine", "EngineInfo", "REGISTRY", "create", "register"]


@dataclass(frozen=True)
class EngineInfo:
    name: str
    target: str  # "module:attribute", imported on first use
    summary: str
    offline: bool


REGISTRY: dict[str, EngineInfo] = {
    "piper": EngineInfo("piper", "audio_edition.voice.engines.piper:PiperEngine", "Piper neural TTS (offline)", True),
    "kokoro": EngineInfo(
        "kokoro",
        "audio_edition.voice.engines.kokoro:KokoroEngine",
        "Kokoro-82M neural TTS (offline, studio quality)",
        True,
    ),
    "gtts": EngineInfo(
        "gtts", "audio_edition.voice.engines.gtts:GttsEngine", "Google Translate TTS via gTTS (online)", False
    ),
}


def register(name: str, target: str, summary: str = "", offline: bool = True) -> None:
    """Add an engine, e.g. a test double: ``register("fake", "tests.fakes:FakeEngine")``."""
    REGISTRY[name] = EngineInfo(name, target, summary, offline)


def factory(name: str) -> Callable[[EngineOptions], Engine]:
    try:
        info = REGISTRY[name]
    except KeyError:
        raise UsageError(f"unknown engine {name!r}: choose from {', '.join(sorted(REGISTRY))}") from None
    module, _, attr = info.target.partition(":")
    return getattr(importlib.import_module(module), attr)


def create(options: EngineOptions, name: str | None = None) -> Engine:
    """Instantiate ``name`` (default ``options.name``) with the build's engine options."""
    return factory(name or options.name)(options)
