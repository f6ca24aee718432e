"""Stage 7, encoding: loudness finishing, then a CBR MP3, measured as it is written.

pydub's ``export`` would stage a WAV and the MP3 in the system temp folder, read the whole MP3
back into memory, and leave both behind if ffmpeg fails. Piping the PCM straight into ffmpeg and
writing next to the output keeps memory flat and the output atomic; pydub is still what the audio
stage uses to resample.

An edit re-encodes the whole edition (~0.6 s for two minutes), as the loudness gain is global.
Re-encoding only the changed stretch would need segments cut in the paragraph pauses, encoded
without the bit reservoir and joined frame-exactly, and a gain quantized so that a small edit
keeps it; not done yet.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import ffmpeg, loudness
from .errors import EncodingError
from .settings import Encoding, Loudness


@dataclass(frozen=True)
class Encoded:
    path: Path
    #: The gain and ceiling applied and the loudness measured in the MP3; None without finishing.
    finish: loudness.Finish | None
    measured: loudness.Measurement | None


def _encoder_args(sample_rate: int, encoding: Encoding) -> list[str]:
    return [
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-ac", str(encoding.channels), "-ar", str(encoding.sample_rate),
        "-c:a", "libmp3lame", "-b:a", f"{encoding.bitrate_kbps}k",  # -b:a without VBR flags: CBR
        "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0",
        "-fflags", "+bitexact", "-flags:a", "+bitexact",  # no encoder-version strings: reproducible
    ]  # fmt: skip


def _tee_escape(path: Path) -> str:
    # The tee muxer's own syntax treats | [ ] : and \\ specially.
    return "".join("\\" + c if c in "|[]:\\" else c for c in str(path))


def _encode(pcm: bytes, sample_rate: int, path: Path, encoding: Encoding) -> None:
    ffmpeg.run(
        [*_encoder_args(sample_rate, encoding), "-f", "mp3", "-y", str(path)], input=pcm, what="encoding the MP3"
    )


def _encode_and_measure(
    blocks: Iterable[bytes | np.ndarray], sample_rate: int, path: Path, encoding: Encoding
) -> loudness.Measurement:
    """Encode the PCM ``blocks`` to ``path`` while a second ffmpeg decodes the same bytes and
    measures them (EBU R128): the check of the encoded file costs no extra wall time on two cores."""
    exe, quiet = ffmpeg.ffmpeg_exe(), ["-hide_banner", "-nostdin", "-nostats"]
    encoder = subprocess.Popen(
        # The tee muxer writes the file (seekable, so it gets its LAME/Info header: CBR flag, encoder
        # delay) and the same frames to the pipe the meter reads.
        [exe, *quiet, "-loglevel", "error", *_encoder_args(sample_rate, encoding), "-map", "0:a", "-y",
         "-f", "tee", f"[f=mp3]{_tee_escape(path)}|[f=mp3]pipe:1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    meter = subprocess.Popen(
        [exe, *quiet, "-f", "mp3", "-i", "pipe:0", "-af", loudness.EBUR128_FILTER, "-f", "null", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    errors: dict[str, bytes] = {}

    def feed() -> None:
        try:
            for block in blocks:  # limited block by block, while the encoder works on the last
                encoder.stdin.write(block)
        except BrokenPipeError:
            pass  # the encoder failed; its stderr says why
        finally:
            encoder.stdin.close()

    def drain(name: str, proc: subprocess.Popen) -> None:
        errors[name] = proc.stderr.read()

    threads = [
        threading.Thread(target=feed),
        threading.Thread(target=drain, args=("encoder", encoder)),
        threading.Thread(target=drain, args=("meter", meter)),
    ]
    for t in threads:
        t.start()
    try:
        for block in iter(lambda: encoder.stdout.read(1 << 16), b""):
            meter.stdin.write(block)
    finally:
        meter.stdin.close()
        for t in threads:
            t.join()
        encoder.wait()
        meter.wait()
    if encoder.returncode != 0:
        lines = errors.get("encoder", b"").decode("utf-8", "replace").strip().splitlines()
        raise EncodingError(
            f"encoding the MP3 failed: {lines[-1] if lines else 'ffmpeg exit ' + str(encoder.returncode)}"
        )
    text = errors.get("meter", b"").decode("utf-8", "replace")
    if meter.returncode != 0:
        raise EncodingError("measuring loudness failed: " + (text.strip().splitlines() or ["?"])[-1])
    return loudness.parse_ebur128(text)


def encode_mp3(pcm: bytes, sample_rate: int, path: Path, encoding: Encoding, target: Loudness) -> Encoded:
    """Write ``pcm`` (mono s16le) to ``path`` as a CBR MP3 with no tags (mutagen adds them).

    With loudness on, the encoded file itself is measured; if the encoder moved it off target,
    the gain and ceiling are corrected by what was missed and the file is made again (rarely).
    """
    if not target.enabled:
        _encode(pcm, sample_rate, path, encoding)
        return Encoded(path, None, None)
    loss, headroom = loudness.ENCODER_LOSS_LU, loudness.HEADROOM_DB
    for _attempt in range(3):
        finish = loudness.normalize(pcm, sample_rate, target, loss_lu=loss, headroom_db=headroom)
        final = _encode_and_measure(finish.blocks(pcm, sample_rate), sample_rate, path, encoding)
        if finish.before.integrated_lufs <= -70 or loudness.within(final, target):
            break
        loss += target.integrated_lufs - final.integrated_lufs
        headroom += max(0.0, final.true_peak_dbtp - target.true_peak_dbtp) + 0.2
    return Encoded(path, finish, final)
