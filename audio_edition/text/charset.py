"""Bytes to text as a browser reads them: the BOM, then the page's declared charset, then
detection (charset-normalizer). Only binary data is refused.

A browser shows a page whose bytes are mostly right with a replacement character for each bad
one; so does this, and says so (``Decoded.replaced``). A declaration can be wrong (a page that says
windows-1252 and is UTF-8, or the other way round): a declaration is taken only when the bytes
bear it out.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..errors import InputError

#: How far into a page a browser looks for its <meta charset> (the HTML spec says 1024 bytes;
#: real pages put it after long <head> scripts, so further).
PRESCAN_BYTES = 16384
#: A decoding that replaces more than this share of the characters is not the page's.
MAX_REPLACED_SHARE = 0.01

#: WHATWG's encoding labels where Python's codec is a subset of what browsers decode: a page
#: labelled GB2312 is read as GB18030, Latin-1 as windows-1252, and so on.
BROWSER_CODECS: dict[str, str] = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "iso-8859-9": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874", "shift_jis": "cp932",
    "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932", "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949", "big5": "big5hkscs", "x-x-big5": "big5hkscs", "unicode": "utf-8",
    "utf8": "utf-8",
}  # fmt: skip
_DECLARED = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_DECLARED = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I)


@dataclass(frozen=True)
class Decoded:
    """Text, and how it was read: for ``lint --json``."""

    text: str
    #: The codec used (Python's name: utf-8, gb18030, cp1252 ...).
    encoding: str
    #: Why: "bom", "utf-8" (the bytes are UTF-8), "declared" (the page's <meta charset>),
    #: "detected" (charset-normalizer), or "utf-8 with replacements".
    how: str
    #: Bytes that could not be decoded, each shown as U+FFFD.
    replaced: int = 0

    def as_json(self) -> dict[str, object]:
        return {"encoding": self.encoding, "how": self.how, "replaced": self.replaced}


def codec_for(label: str) -> str | None:
    """The Python codec a browser would use for a charset label, or None if unknown."""
    label = label.strip().lower()
    name = BROWSER_CODECS.get(label, label)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared(data: bytes) -> str | None:
    """The charset a page declares (<meta charset>, http-equiv, an XML declaration), as a codec."""
    head = data[:PRESCAN_BYTES]
    found = _DECLARED.search(head) or _XML_DECLARED.search(head)
    return codec_for(found.group(1).decode("ascii", "replace")) if found else None


def _attempt(data: bytes, codec: str) -> tuple[str, int] | None:
    """The text and the number of replacements, if few enough for the bytes to be in ``codec``."""
    text = data.decode(codec, errors="replace")
    replaced = text.count("\ufffd") - data.decode(codec, errors="ignore").count("\ufffd")
    return (text, replaced) if replaced <= max(2, MAX_REPLACED_SHARE * len(text)) else None


def decode(data: bytes, name: str) -> Decoded:
    """Read ``data`` as a browser would; refuse binary data with one line."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return Decoded(body.decode(codec), codec, "bom")
            except UnicodeDecodeError:
                raise InputError(f"{name}: starts with a {codec} byte-order mark but is not {codec}") from None
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not text (it holds NUL bytes)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    said = declared(data)
    if said and said != "utf-8" and (tried := _attempt(data, said)):
        return Decoded(tried[0], said, "declared", tried[1])
    if _has_utf8_letters(data) and (tried := _attempt(data, "utf-8")):  # UTF-8 with a few stray bytes
        return Decoded(tried[0], "utf-8", "utf-8 with replacements", tried[1])
    return _detected(data, name)


def _has_utf8_letters(data: bytes) -> bool:
    """Whether ``data`` holds well-formed multi-byte UTF-8: a legacy encoding's text almost never
    does, so its stray bytes are damage, not another encoding."""
    return any(ord(c) > 127 for c in data.decode("utf-8", errors="ignore"))


def _detected(data: bytes, name: str) -> Decoded:
    codec = _guess(data)
    if codec not in MULTI_BYTE:
        codec = _guess_past_strays(data) or codec
    if codec is None or (tried := _attempt(data, codec)) is None:
        raise InputError(f"{name}: looks like a binary file, not text (no text encoding fits its bytes)")
    return Decoded(tried[0], codec, "detected", tried[1])


#: How much of a page detection reads: a quarter megabyte tells the encoding.
SAMPLE_BYTES = 262144


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:SAMPLE_BYTES]).best()
    return codec_for(best.encoding) if best is not None else None


#: The multi-byte encodings browsers detect (Python's codec names). Their bytes follow rules that
#: text in another encoding breaks at nearly every non-ASCII character, so one that reads all but
#: a few bytes of a page is its encoding, and those few are damage. charset-normalizer drops an
#: encoding at its first bad byte and falls back to a single-byte one, which reads any bytes.
MULTI_BYTE = ("gb18030", "big5hkscs", "cp932", "euc_jp", "cp949")
#: At most this many stray bytes are masked (and ``_attempt`` still bounds them by share).
MAX_STRAYS = 64


def _guess_past_strays(data: bytes) -> str | None:
    """The multi-byte encoding detection names once a few stray bytes are masked, if any.
    Only the part detection reads is searched (a 64 MB page would be decoded once per stray)."""
    sample = data[:SAMPLE_BYTES]
    for codec in MULTI_BYTE:
        strays = _strays(sample, codec)
        if 0 < len(strays) <= MAX_STRAYS:
            mended = bytearray(sample)
            for start, end in strays:
                mended[start:end] = b"?" * (end - start)
            again = _guess(bytes(mended))
            if again in MULTI_BYTE:
                return again
    return None


def _strays(data: bytes, codec: str) -> list[tuple[int, int]]:
    """Where ``data`` breaks ``codec``'s rules: byte ranges (stops past :data:`MAX_STRAYS`)."""
    decoder = codecs.getincrementaldecoder(codec)()
    strays: list[tuple[int, int]] = []
    at, view = 0, memoryview(data)
    while at < len(data):
        try:
            decoder.decode(view[at:], final=True)
            break
        except UnicodeDecodeError as e:
            strays.append((at + e.start, at + e.end))
            if len(strays) > MAX_STRAYS:
                break
            at += e.end
            decoder.reset()
    return strays
