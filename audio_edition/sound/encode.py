"""Stage 7, encoding: loudness finishing, then a CBR MP3 made of stretches encoded apart.

The edition is cut in the pauses between paragraphs (``audio.assemble`` puts the cuts on the
MP3 frame grid). Each stretch is finished, encoded and measured by its own ffmpeg, as many at a
time as there are jobs, and cached by its content: an edit re-encodes its own paragraph only,
as long as the gain (set in steps, see loudness.py) stays. The stretches' frames are joined
as they are and given one LAME/Info header for the whole file.

Why the joins are exact: LAME delays its input by 576 samples and makes ``ceil(n / 1152) + 1``
frames of ``n`` samples. An inner stretch of ``k`` frames' length is therefore encoded without
its last 1152 samples (silence), which its own padding and the next stretch's delay stand in
for: every stretch decodes to exactly its place in the edition (tests/sound/test_encode.py checks
this against the PCM). The first delay and the last padding go in the header, as for any file.

pydub's ``export`` would stage a WAV and the MP3 in the system temp folder, read the whole MP3
back into memory, and leave both behind if ffmpeg fails; piping the PCM straight into ffmpeg keeps
the output atomic. ffmpeg also resamples for the audio stage; pydub fades the inserts.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import ffmpeg
from ..cache import EDITIONS, GAINS, STRETCHES
from ..errors import EncodingError
from ..settings import Encoding, Loudness
from . import loudness

if TYPE_CHECKING:
    from ..cache import Cache
    from .audio import Assembled

#: The encoder string of the LAME tag (9 bytes), and the version of what this module writes there:
#: part of the render cache's key, so an older file is not copied by a warm rebuild.
LAME_VERSION = b"LAME3.100"
HEADER_VERSION = 4
#: LAME's lowpass for a CBR bitrate (its optimum_bandwidth table, Hz); a mono stream takes the
#: row of twice its bitrate. At 64 kbps mono the bundled encoder's cutoff measures 16.7 kHz at
#: -30 dB, as the 17 kHz row says.
LOWPASS_HZ = {32: 5500, 48: 7500, 64: 11000, 96: 15100, 128: 17000, 160: 17500, 192: 18600, 256: 19700,
              320: 20500, 384: 20500}  # fmt: skip
#: LAME's default -q (the quality the Info tag reports as 100 - 10 * V - q, V its default 4).
LAME_QUALITY = 3
_LAME_SIGNATURE = re.compile(rb"LAME(\d{1,2}\.\d{1,3})(?: \((alpha|beta)\b)?")
#: Where eyeD3 looks for the LAME tag's CRC: its place in a stereo MPEG-1 frame.
EYED3_CRC_AT = 190
#: Samples per MPEG-1 Layer III frame, and LAME's encoder delay.
FRAME = 1152
ENCODER_DELAY = 576
#: Part of every stretch's cache key: change it when the same stretch would encode differently.
FORMAT = 1


@dataclass(frozen=True)
class Encoded:
    path: Path
    #: The gain and ceiling applied, and the loudness measured in the MP3; None without finishing.
    finish: loudness.Finish | None
    measured: loudness.Measurement | None
    #: Stretches encoded, and stretches taken from the cache.
    encoded: int = 0
    reused: int = 0


def frame_grid(encoding: Encoding) -> Callable[[int], int]:
    """The grid, in samples at a given input rate, that a cut must fall on for its stretches to
    join exactly; 0 where they cannot (a rate that is not a whole fraction of the MP3's)."""

    def grid(rate: int) -> int:
        if encoding.sample_rate not in (32000, 44100, 48000) or encoding.sample_rate % rate:
            return 0
        ratio = encoding.sample_rate // rate
        return FRAME // ratio if FRAME % ratio == 0 else 0

    return grid


@dataclass(frozen=True)
class Stretch:
    """Samples ``start:end`` of the edition; ``start:encoded_end`` is what the encoder is given."""

    start: int
    end: int
    encoded_end: int


def stretches(pcm: bytes | memoryview, sample_rate: int, encoding: Encoding, cuts: Sequence[int]) -> list[Stretch]:
    """The stretches between ``cuts`` (sample positions); one stretch if they cannot be joined
    exactly. A cut is used only on the grid, with one frame of silence before it to drop."""
    step = frame_grid(encoding)(sample_rate)
    drop = step  # one frame, in input samples
    samples = len(pcm) // 2
    bounds = [0]
    for cut in cuts if step else ():
        if cut % step == 0 and bounds[-1] + drop < cut < samples and not any(pcm[2 * (cut - drop) : 2 * cut]):
            bounds.append(cut)
    bounds.append(samples)
    return [
        Stretch(a, b, b - drop if i < len(bounds) - 2 else b)
        for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
    ]


def _encoder_args(sample_rate: int, encoding: Encoding) -> list[str]:
    return [
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-map", "0:a", "-ac", str(encoding.channels), "-ar", str(encoding.sample_rate),
        "-c:a", "libmp3lame", "-b:a", f"{encoding.bitrate_kbps}k",  # -b:a without VBR flags: CBR
        "-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0",
        "-fflags", "+bitexact", "-flags:a", "+bitexact",  # no encoder-version strings: reproducible
    ]  # fmt: skip


def _stretch_key(content: str, stretch: Stretch, rate: int, encoding: Encoding, finish) -> str:
    params = (FORMAT, loudness.VERSION, rate, encoding, stretch.end - stretch.encoded_end)
    return hashlib.sha256(
        repr((content, params, finish and (finish.gain_db, finish.ceiling_dbfs))).encode()
    ).hexdigest()


def _encode_stretch(pcm: memoryview, rate: int, encoding: Encoding, finish) -> tuple[bytes, loudness.Blocks]:
    body = bytes(pcm if finish is None else finish.apply(pcm, rate))
    args = [*_encoder_args(rate, encoding), "-write_xing", "0", "-f", "mp3", "pipe:1"]
    if finish is not None and ffmpeg.has_loopback_decoders():  # measured as encoded, by the same ffmpeg
        proc = ffmpeg.run([*args, *loudness.METER], input=body, what="encoding the MP3", loglevel="info")
        frames, blocks = proc.stdout, loudness.meter_log(proc.stderr.decode("utf-8", "replace"))
    else:
        frames = ffmpeg.run(args, input=body, what="encoding the MP3").stdout
        blocks = loudness.meter(frames) if finish is not None else loudness.Blocks((), (), -120.0)
    per_frame = _samples_per_frame(encoding)
    expected = -(-(len(body) // 2) * encoding.sample_rate // rate // per_frame) + 1
    exact = frame_grid(encoding)(rate) != 0  # else one stretch, and nothing to join
    if exact and count_frames(frames, encoding.sample_rate) != expected:  # the joins would drift
        raise EncodingError(f"encoding the MP3 failed: {expected} frames expected from ffmpeg, got others")
    return frames, blocks


_KBPS = {1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
         2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}  # fmt: skip


def _samples_per_frame(encoding: Encoding) -> int:
    return FRAME if encoding.sample_rate >= 32000 else FRAME // 2  # MPEG-1, else MPEG-2 (LSF)


def frame_length(header: int, sample_rate: int) -> int:
    """Bytes of the Layer III frame that starts with the 4-byte ``header``."""
    mpeg1 = sample_rate >= 32000
    kbps = _KBPS[1 if mpeg1 else 2][(header >> 12) & 0xF]
    return (144 if mpeg1 else 72) * kbps * 1000 // sample_rate + ((header >> 9) & 1)


def count_frames(data: bytes, sample_rate: int) -> int:
    """Layer III frames in ``data``, walked header by header (their sizes vary by a padding byte)."""
    count = at = 0
    while at + 4 <= len(data):
        header = int.from_bytes(data[at : at + 4], "big")
        if header >> 21 != 0x7FF:
            raise EncodingError(f"writing the MP3 failed: no frame header at byte {at}")
        at += frame_length(header, sample_rate)
        count += 1
    return count


def _render(
    pcm: memoryview,
    rate: int,
    parts: list[Stretch],
    contents: list[str],
    encoding: Encoding,
    finish: loudness.Finish | None,
    cache: Cache | None,
    jobs: int,
) -> tuple[list[bytes], list[loudness.Blocks], int]:
    """Every stretch's frames and loudness blocks, from the cache or encoded and measured,
    ``jobs`` at a time. ``contents``: each stretch's digest (:func:`_contents`)."""

    def one(i: int) -> tuple[bytes, loudness.Blocks, bool]:
        stretch = parts[i]
        key = _stretch_key(contents[i], stretch, rate, encoding, finish) if cache is not None else ""
        hit = cache.read(STRETCHES, key) if cache is not None else None
        if hit is not None:
            data, meta = hit
            return data, loudness.Blocks(tuple(meta["m"]), tuple(meta["s"]), meta["peak"]), True
        frames, blocks = _encode_stretch(pcm[stretch.start : stretch.encoded_end], rate, encoding, finish)
        if cache is not None:
            meta = {"m": blocks.momentary, "s": blocks.short_term, "peak": blocks.true_peak_dbtp}
            cache.write(STRETCHES, key, frames, meta)
        return frames, blocks, False

    # Longest first, so that no thread is left with a long stretch at the end; threads, as the
    # work is in ffmpeg and numpy.
    order = sorted(range(len(parts)), key=lambda i: parts[i].start - parts[i].end)
    with ThreadPoolExecutor(max(1, min(jobs, len(parts))), thread_name_prefix="encode") as pool:
        found = dict(zip(order, pool.map(one, order)))
    done = [found[i] for i in range(len(parts))]
    return [d[0] for d in done], [d[1] for d in done], sum(d[2] for d in done)


def _contents(pcm: memoryview, parts: Sequence[Stretch], jobs: int) -> list[str]:
    """Each stretch's content digest: part of its cache keys, and how an edition is recognized.
    ``jobs`` at a time (hashlib lets go of the interpreter lock)."""
    with ThreadPoolExecutor(max(1, min(jobs, len(parts))), thread_name_prefix="digest") as pool:
        return list(pool.map(lambda p: hashlib.sha256(pcm[p.start : p.end]).hexdigest(), parts))


#: Where the gain search ended for this many recent editions, so that the next build of each
#: starts there (an editor works on a few stories at once; a pipeline builds many).
GAINS_KEPT = 16


def _gain_memory_key(target: Loudness, encoding: Encoding, sample_rate: int) -> str:
    return hashlib.sha256(repr(("gain-memory", FORMAT, target, encoding, sample_rate)).encode()).hexdigest()


def _same_edition(ours: set[str], remembered: dict) -> int:
    """How many stretches a remembered edition shares with ours, if at least half of ours (an
    edit of it); else 0 (another story, which may share a spoken outro or a jingle)."""
    shared = len(ours.intersection(remembered.get("stretches", [])))
    return shared if 2 * shared >= len(ours) else 0


def _gain_memory(cache: Cache | None, key: str) -> list[dict]:
    """The remembered editions, newest first: read once per build."""
    found = cache.read(GAINS, key) if cache is not None else None
    return json.loads(found[0]) if found else []


def _recall_gain(memory: list[dict], ours: set[str]) -> dict | None:
    """How the last build of this edition was finished, if one is remembered. A new story has
    none: another story's gain would be no better than a rough first guess, and encoding at it
    while the search runs would be wasted."""
    best = max(memory, key=lambda e: _same_edition(ours, e), default=None)
    return best if best is not None and _same_edition(ours, best) else None


def _remember_gain(cache: Cache, key: str, memory: list[dict], ours: list[str], finish: loudness.Finish) -> None:
    """Put this edition first in the memory, in place of its earlier versions."""
    others = [e for e in memory if not _same_edition(set(ours), e)]
    edition = {
        "stretches": ours,
        "solution_db": finish.solution_db,
        "gain_db": finish.gain_db,
        "ceiling_dbfs": finish.ceiling_dbfs,
    }
    cache.write(GAINS, key, json.dumps([edition, *others][:GAINS_KEPT]).encode())


def _join(frames: list[bytes], path: Path, samples_out: int, encoding: Encoding) -> None:
    """Write the joined frames to ``path`` behind one Info header (ffmpeg's, with the frame count,
    byte count, seek table and music CRC), then set its encoder delay and padding."""
    ffmpeg.run(
        ["-f", "mp3", "-i", "pipe:0", "-c", "copy", "-write_xing", "1", "-map_metadata", "-1",
         "-id3v2_version", "0", "-write_id3v1", "0", "-fflags", "+bitexact", "-f", "mp3", "-y", str(path)],
        input=b"".join(frames), what="writing the MP3",
    )  # fmt: skip
    total = sum(count_frames(f, encoding.sample_rate) for f in frames) * _samples_per_frame(encoding)
    padding = total - ENCODER_DELAY - samples_out
    with path.open("r+b") as f:
        head = bytearray(f.read(FRAME))
        at = max(head.find(b"Info"), head.find(b"Xing"))
        if at < 0 or not 0 <= padding < 1 << 12:
            raise EncodingError("writing the MP3 failed: no room for its LAME header")
        # ffmpeg names itself ("Lavf", the version zeroed); readers (mutagen, eyeD3, music-metadata)
        # honour the delay and padding only behind a LAME version string, and LAME did encode it.
        _describe_cbr(head, at, encoding, encoder_of(frames))
        head[at + 141 : at + 144] = ((ENCODER_DELAY << 12) | padding).to_bytes(3, "big")
        # The LAME tag's own CRC-16 covers the frame up to the CRC field (190 bytes in a stereo
        # frame, whose tag starts at 36; 175 in a mono one, whose side information is shorter).
        head[at + 154 : at + 156] = _crc16(bytes(head[: at + 154])).to_bytes(2, "big")
        # eyeD3 reads that CRC at byte 190 whatever the layout. In a mono frame bytes 190-191
        # are unused padding after the tag (no decoder reads an Info frame's main data), so they
        # carry the same check over bytes 0-189 and eyeD3 reads the file without a warning.
        length = frame_length(int.from_bytes(head[:4], "big"), encoding.sample_rate)
        if at + 156 <= EYED3_CRC_AT and length >= EYED3_CRC_AT + 2 and not any(head[at + 156 : length]):
            head[EYED3_CRC_AT : EYED3_CRC_AT + 2] = _crc16(bytes(head[:EYED3_CRC_AT])).to_bytes(2, "big")
        f.seek(0)
        f.write(head)


def encoder_of(frames: list[bytes]) -> bytes:
    """The 9-byte encoder string of the LAME that wrote ``frames``, as LAME writes it ("LAME3.100",
    "LAME4.1a " for an alpha), from the version the frames carry in their ancillary data."""
    for data in frames[:4]:
        if found := _LAME_SIGNATURE.search(data):
            stage = {b"alpha": b"a", b"beta": b"b"}.get(found.group(2) or b"", b"")
            return (b"LAME" + found.group(1) + stage).ljust(9)[:9]
    return LAME_VERSION


def _describe_cbr(head: bytearray, at: int, encoding: Encoding, encoder: bytes) -> None:
    """The Info tag's fields as LAME writes them for a CBR stream (mpg123 and mediainfo read the
    method, bitrate, lowpass and quality; zeros made it "VBR, -V 10 -q 0")."""
    flags = int.from_bytes(head[at + 4 : at + 8], "big") | 0x0008  # the quality field is present
    head[at + 4 : at + 8] = flags.to_bytes(4, "big")
    head[at + 116 : at + 120] = (100 - 10 * 4 - LAME_QUALITY).to_bytes(4, "big")
    head[at + 120 : at + 129] = encoder
    head[at + 129] = 0x01  # tag revision 0, method 1: constant bitrate
    lowpass = LOWPASS_HZ.get(encoding.bitrate_kbps * (2 if encoding.channels == 1 else 1), 17000)
    head[at + 130] = min(255, round(lowpass / 100))
    head[at + 140] = min(255, encoding.bitrate_kbps)  # CBR: the bitrate
    source = {32000: 0, 44100: 1, 48000: 2}.get(encoding.sample_rate, 3)
    head[at + 144] = source << 6  # source sample rate; mono, no noise shaping


def _crc16(data: bytes) -> int:
    """CRC-16/ARC (polynomial 0x8005, reflected), as the LAME tag specification uses."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def render(assembled: Assembled, path: Path, encoding: Encoding, target: Loudness, *, cache: Cache, jobs: int) -> None:
    """The edition's MP3, untagged, at ``path``. The same audio with the same settings encodes to
    the same MP3: a warm rebuild copies it from the cache's ``editions`` area. Otherwise only the
    paragraphs' stretches that changed are encoded again (:func:`encode_mp3`)."""
    key = render_key(assembled, encoding, target)
    rendered = cache.read(EDITIONS, key)
    if rendered is not None:
        path.write_bytes(rendered[0])
        return
    encode_mp3(
        assembled.pcm, assembled.sample_rate, path, encoding, target, cuts=assembled.cuts, cache=cache, jobs=jobs
    )
    cache.write(EDITIONS, key, path.read_bytes())


def render_key(assembled: Assembled, encoding: Encoding, target: Loudness) -> str:
    """What decides the encoded MP3: the audio, its cuts, the settings, and the versions of the
    loudness finishing, of ffmpeg and of the header this module writes."""
    settings = (assembled.sample_rate, assembled.cuts, encoding, target, loudness.VERSION)
    return hashlib.sha256(assembled.pcm + repr(settings + (ffmpeg.version(), HEADER_VERSION)).encode()).hexdigest()


def encode_mp3(
    pcm: bytes,
    sample_rate: int,
    path: Path,
    encoding: Encoding,
    target: Loudness,
    *,
    cuts: Sequence[int] = (),
    cache: Cache | None = None,
    jobs: int = 1,
) -> Encoded:
    """Write ``pcm`` (mono s16le) to ``path`` as a CBR MP3 with no tags (mutagen adds them).

    ``cuts`` (from ``audio.assemble``) split the work into stretches, encoded ``jobs`` at a time
    and kept in ``cache``. With loudness on, the encoded stretches are measured; if the whole
    missed the target, the gain and ceiling are corrected by what was missed and it is made again
    (rarely).
    """
    view = memoryview(pcm).cast("B")
    spans = [  # in bytes, for slicing
        Stretch(2 * p.start, 2 * p.end, 2 * p.encoded_end) for p in stretches(view, sample_rate, encoding, cuts)
    ]
    contents = _contents(view, spans, jobs) if cache is not None else [""] * len(spans)
    job = _Job(view, sample_rate, spans, contents, encoding, cache, jobs)
    # Where the last build of this edition's gain search ended: this one starts there (fewer
    # tries, same answer).
    memory_key = _gain_memory_key(target, encoding, sample_rate)
    memory = _gain_memory(cache, memory_key) if target.enabled else []
    ours = [c[:16] for c in contents]  # short digests: the memory keeps 16 editions of any length
    last_build = _recall_gain(memory, set(ours))
    finish, measured, frames, reused = _finished(job, target, last_build)
    _join(frames, path, len(pcm) // 2 * encoding.sample_rate // sample_rate, encoding)
    if cache is not None and finish is not None:
        _remember_gain(cache, memory_key, memory, ours, finish)
    return Encoded(path, finish, measured if target.enabled else None, len(spans) - reused, reused)


@dataclass(frozen=True)
class _Job:
    """What :func:`_render` needs to make every stretch at a given finish."""

    view: memoryview
    rate: int
    spans: list[Stretch]
    contents: list[str]
    encoding: Encoding
    cache: Cache | None
    jobs: int

    def render(self, finish: loudness.Finish | None) -> tuple[list[bytes], list[loudness.Blocks], int]:
        return _render(self.view, self.rate, self.spans, self.contents, self.encoding, finish, self.cache, self.jobs)


def _early(job: _Job, last: tuple[Any, Any], target: Loudness, headroom: float) -> Any:
    """Most edits keep the gain: the stretches not cached at the last build's gain are encoded
    while the search runs, and used if it finds that gain again (else only CPU was spent). Not at
    0 dB, where silence, which is not limited, could share a stretch's key. The future, or None."""
    if not (last[0] and last[1] == target.true_peak_dbtp - headroom):
        return None
    loud = loudness.Measurement(0.0, 0.0, 0.0)
    ahead = ThreadPoolExecutor(1, thread_name_prefix="encode-early")
    early = ahead.submit(job.render, loudness.Finish(*last, loud, loud))
    ahead.shutdown(wait=False)
    return early


def _finished(job: _Job, target: Loudness, last_build: dict[str, Any] | None) -> tuple[Any, Any, list[bytes], int]:
    """The finish (gain and ceiling), the loudness measured, the frames, and how many stretches
    came from the cache: searched, rendered, and corrected at most twice if the encoder moved
    the loudness off the target."""
    finish: loudness.Finish | None = None
    loss, headroom = 0.0, loudness.HEADROOM_DB  # what the encoder took off, learnt on a retry
    guess = last_build["solution_db"] if last_build else None
    last: tuple[Any, Any] = (last_build["gain_db"], last_build["ceiling_dbfs"]) if last_build else (None, None)
    early = _early(job, last, target, headroom)
    for attempt in range(3):
        if target.enabled:
            parts = [job.view[s.start : s.end] for s in job.spans]
            finish = loudness.normalize(parts, job.rate, target, loss_lu=loss, headroom_db=headroom,
                                        guess=guess if attempt == 0 else None, cache=job.cache)  # fmt: skip
        audible = finish is not None and finish.before.integrated_lufs > loudness.ABSOLUTE_GATE_LUFS
        kept = early is not None and finish is not None and (finish.gain_db, finish.ceiling_dbfs) == last and audible
        rendered: Any = early.result() if early is not None else None  # waited for even if unused: none left running
        early = None
        frames, blocks, reused = rendered if kept else job.render(finish)
        measured = loudness.combine(blocks)
        if finish is None or not audible or loudness.within(measured, target):
            break
        loss += target.integrated_lufs - measured.integrated_lufs
        headroom += max(0.0, measured.true_peak_dbtp - target.true_peak_dbtp) + 0.2
    return finish, measured, frames, reused
