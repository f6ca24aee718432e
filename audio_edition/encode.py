"""Stage 7, encoding: loudness finishing, then a CBR MP3 in one ffmpeg call.

pydub's ``export`` would stage a WAV and the MP3 in the system temp folder, read the whole MP3
back into memory, and leave both behind if ffmpeg fails. Piping the PCM straight into ffmpeg and
writing next to the output keeps memory flat and the output atomic; pydub is still what the audio
stage uses to resample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import ffmpeg, loudness
from .settings import Encoding, Loudness


@dataclass(frozen=True)
class Encoded:
    path: Path
    loudness: loudness.Normalized | None


def _encode(pcm: bytes, sample_rate: int, path: Path, encoding: Encoding) -> None:
    ffmpeg.run(
        [
            "-f",
            "s16le",
            "-ar",
            str(sample_rate),
            "-ac",
            "1",
            "-i",
            "pipe:0",
            "-ac",
            str(encoding.channels),
            "-ar",
            str(encoding.sample_rate),
            "-c:a",
            "libmp3lame",
            "-b:a",
            f"{encoding.bitrate_kbps}k",  # -b:a without VBR flags: CBR
            "-map_metadata",
            "-1",
            "-id3v2_version",
            "0",
            "-write_id3v1",
            "0",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",  # no encoder-version strings: reproducible
            "-f",
            "mp3",
            "-y",
            str(path),
        ],  # fmt: skip
        input=pcm,
        what="encoding the MP3",
    )


def encode_mp3(pcm: bytes, sample_rate: int, path: Path, encoding: Encoding, target: Loudness) -> Encoded:
    """Write ``pcm`` (mono s16le) to ``path`` as a CBR MP3 with no tags (mutagen adds them).

    With loudness on, the encoded file itself is measured; if the encoder moved it off target,
    the gain and ceiling are corrected by what was missed and the file is made again (rarely).
    """
    if not target.enabled:
        _encode(pcm, sample_rate, path, encoding)
        return Encoded(path, None)
    loss, headroom = loudness.ENCODER_LOSS_LU, loudness.HEADROOM_DB
    for _attempt in range(3):
        normalized = loudness.normalize(pcm, sample_rate, target, loss_lu=loss, headroom_db=headroom)
        _encode(normalized.pcm, sample_rate, path, encoding)
        final = loudness.measure(None, sample_rate, path=str(path))
        if normalized.before.integrated_lufs <= -70 or loudness.within(final, target):
            break
        loss += target.integrated_lufs - final.integrated_lufs
        headroom += max(0.0, final.true_peak_dbtp - target.true_peak_dbtp) + 0.2
    return Encoded(path, loudness.Normalized(normalized.pcm, normalized.before, final))
