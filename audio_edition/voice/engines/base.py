"""The engine interface: text in, mono 16-bit PCM out."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ...settings import EngineOptions


@dataclass(frozen=True)
class Clip:
    """Mono signed 16-bit little-endian PCM at ``sample_rate``."""

    pcm: bytes
    sample_rate: int
    #: When each spoken word of the chunk (voice/timing.py, ``spoken_words``) is said: (start, end)
    #: in ms from the clip's first sample, from the engine's own phoneme durations. None: the
    #: engine gives none, and the words' times are estimated from the clip.
    words: tuple[tuple[int, int], ...] | None = None

    @property
    def duration_ms(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate * 1000


class Engine(abc.ABC):
    """A TTS engine. Create once per run: loading a voice is the expensive part."""

    #: Registry name (``--engine``).
    name: ClassVar[str]
    #: Longest text one request may carry; the chunk packer respects it.
    max_chars: ClassVar[int] = 400
    #: Whether a chunk's synthesis can be retried elsewhere (network engines).
    network: ClassVar[bool] = False
    #: How chunks may be voiced at once: "process" (one engine per worker process), "thread"
    #: (one engine shared by threads, e.g. network requests), or "none".
    parallel: ClassVar[str] = "none"
    #: Requests in flight at once, for "thread" engines.
    concurrency: int = 1
    #: Typical speaking rate at speed 1, for ``lint``'s duration estimate.
    chars_per_second: ClassVar[float] = 15.0
    #: Whether the engine reads phonemes in ``[[ ... ]]`` (Piper does), for lexicon entries.
    phoneme_input: ClassVar[bool] = False

    @classmethod
    def voices(cls, options: EngineOptions | None = None) -> list[dict[str, Any]]:
        """The voices this engine offers (with ``options``' folders), for ``audio-edition engines``."""
        return []

    @abc.abstractmethod
    def identity(self) -> dict[str, Any]:
        """Everything that changes the sound: voice and settings. Part of the clip-cache key."""

    @abc.abstractmethod
    def synthesize(self, text: str) -> Clip:
        """Speak one chunk."""

    def preload(self) -> None:  # noqa: B027 - optional hook
        """Load what synthesis needs (a voice) now rather than on the first chunk."""

    def use_cores(self, cores: int) -> None:  # noqa: B027 - optional hook
        """How many cores voicing one chunk may take: set when chunks are voiced one at a time."""
