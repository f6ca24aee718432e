"""Stage 1, text: read a story (file or stdin) and parse it into blocks.

Plain text, Markdown (markdown-it-py) and HTML (trafilatura) all come out as the same
:class:`Story`: a title, some metadata and a flat list of :class:`Block`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import InputError
from . import charset

FORMATS = ("text", "markdown", "html")
_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


@dataclass(frozen=True)
class Block:
    """One block of a story. ``kind`` is heading, paragraph, item or quote."""

    kind: str
    text: str
    level: int = 0
    #: On an HTML page, the article extractors that chose this line (extract.py).
    votes: tuple[str, ...] | None = None
    #: On an HTML page, the share of its words that are a link's text.
    linked: float = 0.0
    #: On an HTML page, set in a figure's caption or the words of a picture's alt text.
    caption: bool = False
    #: On an HTML page, set in the readers' comments or a form (extract.COMMENTS).
    comments: bool = False


@dataclass(frozen=True)
class Story:
    """A story as read, before cleaning."""

    source: str
    format: str
    blocks: tuple[Block, ...]
    title: str | None = None
    author: str | None = None
    date: _dt.date | None = None
    url: str | None = None
    meta: dict = field(default_factory=dict, compare=False)
    #: How its bytes were read (the encoding, and why).
    charset: charset.Decoded | None = field(default=None, compare=False)


#: The largest story read (bytes): a day's edition is a few hundred kilobytes; past this, the
#: input is refused rather than read into memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def _capped(data: bytes, name: str) -> bytes:
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name}: is larger than {MAX_INPUT_BYTES // 2**20} MiB; split it into stories")
    return data


def read_bytes(path: str, stdin: IO[bytes] | None = None) -> bytes:
    """Read a path, or standard input for ``-``, with one-line errors."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return _capped(stream.read(MAX_INPUT_BYTES + 1), "stdin")
    p = Path(path)
    try:
        if not stat.S_ISREG(p.stat().st_mode) and not p.is_dir():  # a FIFO or a device would hang or never end
            raise InputError(f"{path}: is not a regular file (a pipe or a device): give a file, or - for stdin")
        with p.open("rb") as f:
            return _capped(f.read(MAX_INPUT_BYTES + 1), path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a story") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None


def decode(data: bytes, name: str) -> str:
    """The text of ``data``, read as a browser reads it (charset.py); one line for binary data."""
    return read_text(data, name).text


def read_text(data: bytes, name: str) -> charset.Decoded:
    """:func:`charset.decode`, with Windows and old-Mac line ends made plain."""
    if not data.strip():
        raise InputError(f"{name}: is empty")
    found = charset.decode(data, name)
    if not found.text.strip():
        raise InputError(f"{name}: is empty")
    text = found.text.replace("\r\n", "\n").replace("\r", "\n")
    return dataclasses.replace(found, text=text)


def detect_format(name: str, text: str) -> str:
    """From the file extension, else from the content."""
    ext = Path(name).suffix.lower() if name != "-" else ""
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html")) or re.search(r"<(body|article|p|div|h1)[\s>]", head):
        return "html"
    if re.search(r"^#{1,6} \S", text, re.M) or re.search(r"^\s*[-*] \S.*\n\s*[-*] \S", text, re.M):
        return "markdown"
    return "text"


def read_story(path: str, *, format: str | None = None, stdin: IO[bytes] | None = None) -> Story:
    """Read and parse one story."""
    name = "stdin" if path == "-" else path
    decoded = read_text(read_bytes(path, stdin), name)
    text = decoded.text
    fmt = format or detect_format(path, text)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    parse = {"text": parse_text, "markdown": parse_markdown, "html": parse_html}[fmt]
    story = dataclasses.replace(parse(text, name), charset=decoded)
    if not any(b.text.strip() for b in story.blocks):
        raise InputError(f"{name}: has no readable text")
    return story


# --- plain text -------------------------------------------------------------------------------


def parse_text(text: str, name: str = "text") -> Story:
    """Blank lines separate blocks; each line of a block stays a line for the cleaning rules."""
    blocks = [Block("paragraph", chunk.strip()) for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    return Story(source=name, format="text", blocks=tuple(blocks))


# --- Markdown ---------------------------------------------------------------------------------


def _inline_text(token) -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        # images, raw HTML and link markup are not spoken; link text arrives as "text" children
    return "".join(parts).strip()


def parse_markdown(text: str, name: str = "markdown") -> Story:
    """Headings, paragraphs, list items and quotes via markdown-it-py; code is not read aloud."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[Block] = []
    context: list[str] = []
    heading_level = 0
    for tok in tokens:
        if tok.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            context.append(tok.type)
        elif tok.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            context.pop()
        elif tok.type == "heading_open":
            heading_level = int(tok.tag[1])
        elif tok.type == "heading_close":
            heading_level = 0
        elif tok.type == "inline":
            content = _inline_text(tok)
            if not content:
                continue
            if heading_level:
                blocks.append(Block("heading", content, heading_level))
            elif "blockquote_open" in context:
                blocks.append(Block("quote", content))
            elif context:
                blocks.append(Block("item", content))
            else:
                blocks.append(Block("paragraph", content))
    return Story(source=name, format="markdown", blocks=tuple(blocks))


# --- HTML -------------------------------------------------------------------------------------


def parse_html(text: str, name: str = "html") -> Story:
    """Every visible line of the page, each with its extractors' votes (extract.py); the cleaning
    stage decides which are the story. The headline and metadata come from the page's own."""
    from .extract import read_page

    page = read_page(text)
    blocks = tuple(
        Block(line.kind, line.text, line.level, line.votes, line.linked, line.caption, line.comments)
        for line in page.lines
    )
    return Story(
        source=name,
        format="html",
        blocks=blocks,
        title=page.title,
        author=page.author,
        date=page.date,
        url=page.url,
        meta={"site": page.site} if page.site else {},
    )
