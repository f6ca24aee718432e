"""Stage 8, tags: ID3v2.4 with chapters and the transcript, via mutagen.

v2.4 rather than v2.3: a v2.3 date is TYER + TDAT (DDMM), and eyeD3 parses TDAT as a year, so
every date from the 1st to the 9th of a month ("0112") is a warning and no date. The clients that
read podcasts (ffmpeg, AVFoundation, Android, mutagen, eyeD3, exiftool, node-id3, music-metadata)
read v2.4's TDRC.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..settings import base_language

if TYPE_CHECKING:
    from .manifest import Manifest

#: Zero bytes after the last frame. exiftool reads a v2.4 frame of 128 bytes or more as the
#: iTunes bug (sizes not syncsafe) unless another frame header's room follows it: a transcript
#: last with no padding was "Invalid ID3 frame size".
PADDING = 16


def iso639_2(lang: str) -> str:
    """The ISO 639-2 code ID3's TLAN takes: ``en``, ``en-GB``, ``en_US`` -> ``eng``, ``ro`` ->
    ``ron``; ``und`` for what is no language. From langcodes (the IANA registry and ISO 639's
    tables): a table of our own named 21 languages, and Romanian and Czech, whose stopwords the
    classifier has, were "und"."""
    import langcodes

    try:
        code = langcodes.Language.get(base_language(lang)).to_alpha3()
    except (LookupError, ValueError):
        return "und"
    return code if len(code) == 3 else "und"


@functools.cache
def url_frames() -> tuple[type, type]:
    """WOAS and WXXX whose URL ends where the frame does. mutagen ends it with a NUL, which the
    ID3v2.4 spec does not ask of a frame's last field, and which eyeD3 and others return as part of
    the URL ("https://...\\x00"). The frames keep their IDs (mutagen names a frame by its class)."""
    import mutagen.id3 as id3
    from mutagen.id3._specs import Latin1TextSpec  # the URL's own spec: mutagen has no public one

    class _Url(Latin1TextSpec):
        def write(self, config: Any, frame: Any, value: str) -> bytes:
            return value.encode("latin1")

    woas = type("WOAS", (id3.WOAS,), {"_framespec": [_Url("url")]})
    wxxx = type("WXXX", (id3.WXXX,), {"_framespec": [*id3.WXXX._framespec[:2], _Url("url")]})
    return woas, wxxx


def write_tags(path: Path, manifest: Manifest, *, transcript: str, cover: Path | None = None) -> None:
    """Replace all tags of ``path`` with those the manifest implies."""
    from mutagen.id3 import (
        APIC,
        CHAP,
        COMM,
        CTOC,
        ID3,
        PCST,
        TALB,
        TCON,
        TDES,
        TDRC,
        TIT2,
        TLAN,
        TLEN,
        TPE1,
        USLT,
        CTOCFlags,
    )

    WOAS, WXXX = url_frames()

    lang = iso639_2(manifest.language)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[manifest.title]))
    tags.add(TPE1(encoding=3, text=[manifest.author]))
    tags.add(TALB(encoding=3, text=[manifest.publication]))
    tags.add(TDRC(encoding=3, text=[manifest.date]))
    tags.add(TCON(encoding=3, text=["Podcast"]))
    tags.add(TLAN(encoding=3, text=[lang]))
    tags.add(TLEN(encoding=3, text=[str(manifest.audio.duration_ms)]))
    tags.add(USLT(encoding=3, lang=lang, desc="", text=transcript))
    tags.add(PCST(value=1))
    if manifest.description:
        tags.add(COMM(encoding=3, lang=lang, desc="", text=[manifest.description]))
        tags.add(TDES(encoding=3, text=[manifest.description]))
    if manifest.url:
        tags.add(WOAS(url=manifest.url))
        tags.add(WXXX(encoding=3, desc="", url=manifest.url))
    if cover is not None:
        tags.add(cover_frame(APIC, cover))

    chapters = manifest.chapters
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=[c.id for c in chapters],
            sub_frames=[TIT2(encoding=3, text=[manifest.title])],
        )
    )
    for c in chapters:
        sub: list[Any] = [TIT2(encoding=3, text=[c.title])]
        if c.url:
            sub.append(WXXX(encoding=3, desc="chapter url", url=c.url))
        tags.add(
            CHAP(
                element_id=c.id,
                start_time=int(c.start_ms),
                end_time=int(c.end_ms),
                # 0xFFFFFFFF: "use the times, not byte offsets" (ID3v2 chapter spec)
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=sub,
            )
        )
    tags.save(str(path), v2_version=4, v1=0, padding=lambda info: PADDING)
    chapters_in_time_order(Path(path))


def chapters_in_time_order(path: Path) -> None:
    """Put the CHAP frames of ``path``'s ID3v2 tag in time order, in place.

    mutagen writes the frames it has no order for by size, and libavformat (ffprobe, every
    ffmpeg-based player) and node-id3 list chapters in the order they are stored. The tag keeps
    its size: only the frames' order changes.
    """
    import struct

    with open(path, "r+b") as f:
        header = f.read(10)
        if header[:3] != b"ID3" or header[3] not in (3, 4):
            return
        syncsafe = header[3] == 4  # v2.4 frame sizes are 7 bits a byte, v2.3's are plain
        size = sum(b << (7 * (3 - i)) for i, b in enumerate(header[6:10]))
        body = f.read(size)
        frames, pos = [], 0
        while pos + 10 <= len(body) and body[pos : pos + 4].strip(b"\x00"):
            raw = body[pos + 4 : pos + 8]
            length = sum(b << (7 * (3 - i)) for i, b in enumerate(raw)) if syncsafe else struct.unpack(">I", raw)[0]
            frames.append(body[pos : pos + 10 + length])
            pos += 10 + length
        chaps = [i for i, frame in enumerate(frames) if frame[:4] == b"CHAP"]

        def start(frame: bytes) -> int:
            end_of_id = frame.index(b"\x00", 10)  # the element id, then four time fields
            return struct.unpack(">I", frame[end_of_id + 1 : end_of_id + 5])[0]

        ordered = sorted((frames[i] for i in chaps), key=start)
        for i, frame in zip(chaps, ordered):
            frames[i] = frame
        f.seek(10)
        f.write(b"".join(frames))


def cover_frame(apic, cover: Path):
    try:
        data = Path(cover).read_bytes()
    except OSError as exc:
        raise InputError(f"--cover {cover}: cannot read it ({exc.strerror})") from None
    mime = mimetypes.guess_type(str(cover))[0]
    if data[:3] == b"\xff\xd8\xff":
        mime = "image/jpeg"
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        mime = "image/png"
    else:
        raise InputError(f"--cover {cover}: is not a JPEG or PNG image")
    return apic(encoding=3, mime=mime or "image/jpeg", type=3, desc="Cover", data=data)
