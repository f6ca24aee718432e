"""Kokoro-82M: offline neural TTS, the quality voice (``pip install 'audio-edition[kokoro]'``).

The model and voices are files of kokoro_assets.py; this module turns a chunk into phonemes
(espeak-ng, through kokoro-onnx's tokenizer and vocabulary), runs the model once per batch of at
most 510 phonemes in our own onnxruntime session (fixed thread count, so the same text gives the
same samples in any process), and trims the silence the model leaves at both ends.

Why espeak-ng and not misaki: whisper hears misaki no better (docs/voices.md, "Choosing a voice"), its
strength (names and numbers) is in text normalize.py has already turned into words, and it needs
spaCy, which downloads its English model at run time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import math
import re
from pathlib import Path
from typing import Any

from ...environment import default_data_dir
from ...errors import EngineError, UsageError
from ...settings import EngineOptions
from .. import timing
from . import kokoro_assets as assets
from .base import Clip, Engine

log = logging.getLogger(__name__)

#: Chosen by ear and by whisper's word error rate among the American voices (docs/voices.md, "Choosing a voice").
DEFAULT_VOICE = "af_heart"
SAMPLE_RATE = 24000
#: The model's context, in phonemes (kokoro-onnx's MAX_PHONEME_LENGTH).
MAX_PHONEMES = 510
#: Silence between two batches of one long chunk.
BATCH_PAUSE_S = 0.1
#: Speeds the model was trained to take.
SPEEDS = (0.5, 2.0)
#: Part of the clip key: change it when the trimming or the batching changes.
RENDER = "trim60-batch510-v1"
#: The model's frames per phoneme (its duration predictor's rounded output), exposed in memory as
#: a second output for word timings: the audio is the same sample for sample (tests check it).
DURATIONS = "/encoder/Clip_output_0"
#: Kokoro's sound leads its frames: a word after a pause starts to sound 53 ms (two frames) before
#: its first phoneme's frames, at the median (docs/voices.md, "Word timings"; hexgrad's own
#: pipeline moves its timestamps three frames), so its phones are moved.
LEAD_MS = 50
#: Lexicon phonemes, as the lexicon step writes them (the same syntax as Piper's).
PHONEMES = re.compile(r"\[\[\s*(.*?)\s*\]\]")


def parse_voice(spec: str) -> tuple[tuple[str, float], ...]:
    """``af_heart`` or a blend ``af_heart:0.7,am_michael:0.3`` as (name, weight) pairs whose
    weights add up to 1 (a name with no weight weighs 1 before that)."""
    parts: list[tuple[str, float]] = []
    for item in str(spec).split(","):
        name, _, weight = item.strip().partition(":")
        try:
            value = float(weight) if weight.strip() else 1.0
        except ValueError:
            value = -1.0
        if not assets.VOICE_NAME.fullmatch(name) or not (value > 0 and math.isfinite(value)):
            raise UsageError(
                f"--voice {spec!r}: give a Kokoro voice like af_heart, or a blend like af_heart:0.7,am_michael:0.3"
            )
        parts.append((name, value))
    total = sum(w for _, w in parts)
    merged: dict[str, float] = {}
    for name, share in parts:
        merged[name] = merged.get(name, 0.0) + share / total
    return tuple((name, round(weight, 4)) for name, weight in merged.items())


def canonical(blend: tuple[tuple[str, float], ...]) -> str:
    if len(blend) == 1:
        return blend[0][0]
    return ",".join(f"{name}:{weight:g}" for name, weight in blend)


def style_of(blend: tuple[tuple[str, float], ...], data_dir: Path):
    """The blend's style vectors: the weighted sum of its packs' (float32, in the given order)."""
    import numpy as np

    packs = [assets.load_voice(name, data_dir) for name, _ in blend]
    rows = min(len(p) for p in packs)
    style = np.zeros((rows, 1, assets.STYLE_WIDTH), dtype=np.float32)
    for pack, (_, weight) in zip(packs, blend, strict=True):
        style += np.float32(weight) * pack[:rows]
    return style


@functools.cache
def _session(threads: int, data_dir: Path):
    """One onnxruntime session per process and thread count, shared by every voice."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # workers share the cores
    try:
        return onnxruntime.InferenceSession(
            _with_durations(assets.model_path(data_dir)), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except EngineError:
        raise
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
        raise EngineError(f"cannot load Kokoro's model: {exc}") from exc


def _with_durations(model: Path) -> bytes | str:
    """The model with its phonemes' frames as a second output (0.2 s in memory), or as it is
    if the graph has no such tensor (then words are timed by estimate)."""
    import onnx

    graph = onnx.load(str(model))
    if not any(DURATIONS in node.output for node in graph.graph.node):
        return str(model)
    graph.graph.output.append(onnx.helper.ValueInfoProto(name=DURATIONS))
    return graph.SerializeToString()


@functools.cache
def _phonemizer(language: str):
    """espeak-ng for ``language``, with the library and data kokoro-onnx's tokenizer points it at."""
    from kokoro_onnx.tokenizer import Tokenizer
    from phonemizer.backend import EspeakBackend

    Tokenizer()  # points phonemizer at espeakng-loader's library and data
    # phonemizer warns whenever espeak-ng joins or splits words ("Mr. Smith"): the phonemes are
    # right, and the warning is not the user's to act on.
    quiet = logging.getLogger("audio_edition.phonemizer")
    quiet.setLevel(logging.ERROR)
    return EspeakBackend(language, preserve_punctuation=True, with_stress=True, words_mismatch="ignore", logger=quiet)


@functools.cache
def phonemizer_version() -> str:
    """What makes the phonemes: part of the clip key (another espeak-ng reads words differently)."""
    import importlib.metadata as md

    return f"espeak-ng {md.version('espeakng-loader')} phonemizer {md.version('phonemizer')}"


def _vocabulary() -> dict[str, int]:
    from kokoro_onnx.config import DEFAULT_VOCAB

    return DEFAULT_VOCAB


class KokoroEngine(Engine):
    """Loads the model once per process; each :meth:`synthesize` call speaks one chunk."""

    name = "kokoro"
    max_chars = 400
    phoneme_input = True
    parallel = "process"
    #: For lint's estimate of the duration (docs/benchmarks.md, "Measurements behind the design").
    chars_per_second = 15.5

    def __init__(self, options: EngineOptions) -> None:
        if importlib.util.find_spec("kokoro_onnx") is None:
            raise EngineError("Kokoro is not installed: pip install 'audio-edition[kokoro]'")
        self.blend = parse_voice(str(options.voice or DEFAULT_VOICE))
        # None: an engine made outside the entry points (environment.py), with this process's folder
        self.data_dir = options.data_dir or default_data_dir()
        for name, _ in self.blend:
            assets.load_voice(name, self.data_dir)  # a voice not installed: one line naming `voices fetch`, now
        if not SPEEDS[0] <= options.speed <= SPEEDS[1]:
            raise UsageError(f"--speed {options.speed}: Kokoro takes a value between {SPEEDS[0]:g} and {SPEEDS[1]:g}")
        self.voice = canonical(self.blend)
        self.language = assets.describe(self.blend[0][0], assets.voices_dir(self.data_dir)).language
        self.speed = float(options.speed)
        self.threads = options.threads
        self._style = None
        # Joined and checked now, in the build's process: a missing or damaged model is one line
        # before any work, and worker processes forked later inherit the checked path.
        assets.model_path(self.data_dir)

    @classmethod
    def voices(cls, options: EngineOptions | None = None) -> list[dict[str, Any]]:
        found = assets.installed((options and options.data_dir) or default_data_dir())
        if not found:
            return [{"name": "(none installed)", "detail": "audio-edition voices fetch kokoro"}]
        return [
            {
                "name": v.name,
                "language": v.language,
                "detail": v.detail + (" (default)" if v.name == DEFAULT_VOICE else ""),
                "path": str(v.path),
            }
            for v in found.values()
        ]

    @property
    def style(self):
        if self._style is None:
            self._style = style_of(self.blend, self.data_dir)
        return self._style

    def identity(self) -> dict[str, Any]:
        return {
            "engine": "kokoro",
            "model": assets.MODEL_SHA256[:16],
            "voice": self.voice,
            "voice_id": hashlib.sha256(self.style.tobytes()).hexdigest()[:16],
            "speed": self.speed,
            "phonemes": phonemizer_version(),
            "language": self.language,
            "render": RENDER,
            "timing": timing.VERSION,
        }

    def use_cores(self, cores: int) -> None:
        """A chunk voiced alone (an edit) takes every core. Unlike Piper's, Kokoro's int8 samples
        do not depend on onnxruntime's thread count (tests/voice/test_engines_kokoro.py checks), so
        the count is not part of the clip key."""
        self.threads = max(1, cores)

    def preload(self) -> None:
        _session(self.threads, self.data_dir)
        _phonemizer(self.language)

    def phonemes(self, text: str) -> str:
        """The chunk in the model's phonemes: espeak-ng's reading, the lexicon's ``[[ ... ]]`` as written."""
        vocabulary = _vocabulary()
        pieces = []
        for i, part in enumerate(PHONEMES.split(text)):
            if i % 2 == 0 and part.strip():
                part = _phonemizer(self.language).phonemize([part], strip=True)[0]
            pieces.append("".join(c for c in part if c in vocabulary).strip())
        return " ".join(" ".join(p for p in pieces if p).split())

    def synthesize(self, text: str) -> Clip:
        import numpy as np
        from kokoro_onnx.chunker import split_phonemes

        parts: list = []
        phones: list[timing.Phone] = []
        try:
            for batch in split_phonemes(self.phonemes(text), MAX_PHONEMES):
                offset = sum(len(p) for p in parts)
                audio, timed = self._batch(batch, offset)
                if audio is None:
                    continue
                parts += [audio, np.zeros(int(BATCH_PAUSE_S * SAMPLE_RATE), dtype=np.float32)]
                phones += timed
        except Exception as exc:  # noqa: BLE001 - onnxruntime and espeak raise their own types
            raise EngineError(f"Kokoro failed on {text[:40]!r}: {exc}") from exc
        if not parts:
            return Clip(b"", SAMPLE_RATE)
        samples = np.concatenate(parts[:-1])
        pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
        words = None
        if phones:
            end = len(samples) * 1000 // SAMPLE_RATE  # the trimmed tail held the last phones' ends
            phones = timing.shifted(phones, -LEAD_MS)
            times = timing.from_phonemes(timing.spoken_words(text), self._phonemes_of, phones)
            words = tuple((min(a, end), min(b, end)) for a, b in times)
        return Clip(pcm.tobytes(), SAMPLE_RATE, words)

    def _batch(self, batch: str, offset: int) -> tuple[Any, list[timing.Phone]]:
        """One batch's trimmed audio, and its phonemes' times from ``offset`` (samples) on."""
        import numpy as np
        from kokoro_onnx.trim import trim

        vocabulary = _vocabulary()
        known = [c for c in batch if c in vocabulary]
        if not known:
            return None, []
        tokens = [vocabulary[c] for c in known]
        style = self.style[min(len(tokens), len(self.style)) - 1]
        outputs = _session(self.threads, self.data_dir).run(
            None,
            {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": np.asarray(style, dtype=np.float32).reshape(1, assets.STYLE_WIDTH),
                "speed": np.array([self.speed], dtype=np.float32),
            },
        )
        audio = np.asarray(outputs[0], dtype=np.float32).ravel()
        trimmed, (head, _) = trim(audio)
        if len(outputs) < 2:
            return trimmed, []
        frames = np.concatenate([[0.0], np.cumsum(np.asarray(outputs[1], dtype=np.float64).ravel())])
        edges = frames * (len(audio) / frames[-1]) - head + offset  # samples, the pads' included
        ms = edges * 1000 / SAMPLE_RATE
        return trimmed, [(c, max(ms[i + 1], offset), ms[i + 2]) for i, c in enumerate(known)]

    def _phonemes_of(self, word: str) -> str:
        """One word's phonemes, read alone."""
        return self.phonemes(word)
