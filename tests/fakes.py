"""A tiny deterministic engine for unit tests: speech-like tones whose length follows the text."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any, ClassVar

import numpy as np

from audio_edition.errors import EngineError
from audio_edition.settings import EngineOptions
from audio_edition.voice.engines import Clip, Engine

RATE = 16000


def tone(text: str, rate: int = RATE, ms_per_char: float = 12.0, voice: str = "") -> bytes:
    """Amplitude-modulated tone, pitch from the text's (and voice's) hash, with 40 ms of silence at both ends."""
    n = int(rate * len(text) * ms_per_char / 1000)
    t = np.arange(n) / rate
    pitch = 120 + int(hashlib.sha256((voice + text).encode()).hexdigest()[:4], 16) % 200
    envelope = 0.5 + 0.5 * np.abs(np.sin(2 * np.pi * 3 * t))
    body = (0.4 * 32767 * envelope * np.sin(2 * np.pi * pitch * t)).astype("<i2")
    pad = np.zeros(int(rate * 0.04), dtype="<i2")
    return np.concatenate([pad, body, pad]).tobytes()


class FakeEngine(Engine):
    name = "fake"
    max_chars: ClassVar[int] = 120
    calls: ClassVar[list[str]] = []
    #: (voice, text) of each call: the voice as ``--voice`` or an edition named it, "" for none.
    voiced: ClassVar[list[tuple[str, str]]] = []
    fail_on: ClassVar[set[str]] = set()

    def __init__(self, options: EngineOptions) -> None:
        self.options = options

    def identity(self) -> dict[str, Any]:
        return {"engine": "fake", "speed": self.options.speed, "voice": str(self.options.voice or "")}

    def synthesize(self, text: str) -> Clip:
        FakeEngine.calls.append(text)
        FakeEngine.voiced.append((str(self.options.voice or ""), text))
        if any(word in text for word in FakeEngine.fail_on):
            raise EngineError(f"fake engine refuses {text[:20]!r}")
        return Clip(tone(text, ms_per_char=12.0 / self.options.speed, voice=str(self.options.voice or "")), RATE)


def one_edition(folder, name: str = "edition", day: int = 1):
    """A built edition (the fake engine: fast), its story removed: for feed tests."""
    from audio_edition import BuildSettings, build
    from audio_edition.settings import Metadata

    story = folder / f"{name}.txt"
    story.write_text(f"Headline of {name}\n\nBody sentence one. Body sentence two.\n")
    settings = BuildSettings(
        engine=EngineOptions(name="fake"),
        cache_dir=folder / ".cache",
        metadata=Metadata(title=f"Edition {name}", publication="GlobalPost", date=datetime.date(2026, 11, day)),
    )
    mp3 = build([str(story)], folder / f"{name}.mp3", settings).mp3
    story.unlink()
    return mp3


def manifest(**given):
    """A manifest holding only what a test names; the rest empty, as the schema allows."""
    from audio_edition.publish.manifest import SCHEMA, Manifest

    audio = {"file": "x.mp3", "duration_ms": 0, "sample_rate": 44100, "channels": 1, "bitrate_kbps": 64}
    data = {"schema": SCHEMA, "title": "", "publication": "", "author": "", "date": None, "language": "en",
            "description": None, "url": None, "engine": {"name": "fake"}, "chapters": [], "stories": [],
            "paragraphs": [], "chunks": [], **given}  # fmt: skip
    data["audio"] = {**audio, **given.get("audio", {})}
    return Manifest.from_dict(data)
