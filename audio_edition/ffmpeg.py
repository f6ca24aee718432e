"""Finding and running ffmpeg: the binary the imageio-ffmpeg wheel ships, or the one named.

The wheel ships no ffprobe, so nothing here (nor anything that calls pydub's decoder) relies on it.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import warnings
from pathlib import Path
from typing import Any

from .errors import EncodingError, OutputError


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary: ``AUDIO_EDITION_FFMPEG``, else the one the imageio-ffmpeg wheel pins.

    A system ffmpeg on ``$PATH`` is not used unless named: another version encodes other bytes,
    and builds that share a cache must not mix encoders (its version is in the render key too).
    """
    explicit = os.environ.get("AUDIO_EDITION_FFMPEG")
    if explicit:
        return explicit
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise EncodingError("no ffmpeg found: install the imageio-ffmpeg package or set AUDIO_EDITION_FFMPEG") from exc
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def version() -> str:
    """The first line of ``ffmpeg -version``: what encoded a render."""
    try:
        out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-version"], capture_output=True, check=False).stdout
    except OSError as exc:
        raise EncodingError(f"cannot run ffmpeg ({exc.strerror})") from exc
    return out.decode("utf-8", "replace").partition("\n")[0].strip()


@functools.cache
def has_loopback_decoders() -> bool:
    """Whether this ffmpeg can decode what it encodes in the same run (``-dec``, ffmpeg 7.1 on),
    as its version says (git builds are taken as new). Older imageio-ffmpeg wheels ship older
    binaries, so the wheel's is asked too."""
    try:
        return version_has_loopback_decoders(version())
    except EncodingError:
        return False


def version_has_loopback_decoders(version: str) -> bool:
    """Read ``ffmpeg -version``: 7.1 or later, or a git build."""
    m = re.match(r"ffmpeg version (n?(\d+)\.(\d+)|N-)", version)
    return m is not None and (m.group(1) == "N-" or (int(m.group(2)), int(m.group(3))) >= (7, 1))


def pydub():
    """Import pydub pointed at our ffmpeg, without its "couldn't find ffmpeg" warning."""
    with warnings.catch_warnings():
        # pydub warns at import time when ffmpeg is not on $PATH; we hand it the binary instead.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # its audioop import, on 3.12
        import pydub as _pydub
    _pydub.AudioSegment.converter = ffmpeg_exe()
    _pydub.AudioSegment.ffmpeg = ffmpeg_exe()
    return _pydub


def run(
    args: list[str], *, input: bytes | None = None, what: str = "ffmpeg", loglevel: str = "error"
) -> subprocess.CompletedProcess:
    """Run ffmpeg quietly (``loglevel``: what its log keeps); raise :class:`EncodingError` with
    its last error line on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", loglevel, *args]
    try:
        proc = subprocess.run(cmd, input=input, capture_output=True, check=False)
    except OSError as exc:
        raise EncodingError(f"{what}: cannot run ffmpeg ({exc.strerror})") from exc
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("No space left on device" in line or "Disk quota exceeded" in line for line in lines):
            raise OutputError(f"{what}: the disk is full (no space left to write the audio)")  # exit 6, not 5
        errors = [line for line in lines if "rror" in line or "nvalid" in line] or lines
        raise EncodingError(f"{what} failed: {errors[-1] if errors else 'ffmpeg exit ' + str(proc.returncode)}")
    return proc


def decode_pcm(source: Path | bytes, *, sample_rate: int, channels: int = 1) -> bytes:
    """Decode any audio ffmpeg reads into signed 16-bit little-endian PCM."""
    data = source if isinstance(source, bytes) else None
    src = "pipe:0" if data is not None else str(source)
    out = run(
        ["-i", src, "-f", "s16le", "-acodec", "pcm_s16le", "-ac", str(channels), "-ar", str(sample_rate), "pipe:1"],
        input=data,
        what="decoding audio",
    )
    return out.stdout


def probe(path: Path) -> dict[str, Any]:
    """What ffmpeg says about a file's first audio stream (there is no ffprobe to ask)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]
    text = subprocess.run(cmd, capture_output=True, check=False).stderr.decode("utf-8", "replace")
    info: dict[str, Any] = {}
    m = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", text)
    if m:
        h, mi, s = m.groups()
        info["duration_s"] = int(h) * 3600 + int(mi) * 60 + float(s)
    m = re.search(r"Audio: (\w+).*?, (\d+) Hz, (mono|stereo)[^,]*, \w+, (\d+) kb/s", text)
    if m:
        info["codec"], rate, layout, kbps = m.groups()
        info["sample_rate"] = int(rate)
        info["channels"] = 1 if layout == "mono" else 2
        info["bitrate_kbps"] = int(kbps)
    return info
