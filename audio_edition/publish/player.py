"""The "Listen to Today's Edition" player: a self-contained page and an embeddable snippet.

Both carry the manifest inline and make no request but for the MP3. Story text reaches the page
only through ``textContent``, never as markup, and the page's Content-Security-Policy allows
exactly its own script and style (by hash): no inline event handlers, no other origin.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..outputs import Outputs
from . import manifest as manifests


def _asset(name: str) -> str:
    return resources.files("audio_edition").joinpath(f"data/{name}").read_text("utf-8")


def script_literal(value: Any) -> str:
    """JSON that is safe inside a <script> element: no "</script>", no HTML comment, no U+2028."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, escape)
    return text


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


def _script(m: manifests.Manifest, src: str, root_id: str, css: str | None) -> str:
    # The data the player needs, and nothing the page should not publish (no cache keys).
    whole = m.to_dict()
    data = {k: whole[k] for k in ("title", "publication", "date", "language", "audio", "chapters", "paragraphs")}
    return (
        _asset("player.js")
        .replace("__MANIFEST__", script_literal(data))
        .replace("__SRC__", script_literal(src))
        .replace("__CSS__", script_literal(css))
        .replace("__ROOT_ID__", script_literal(root_id))
    )


def _media_source(src: str) -> str:
    """'self' for a file beside the page (and file: so the page also plays opened from disk);
    the MP3's own origin when it is hosted elsewhere."""
    from urllib.parse import urlsplit

    parts = urlsplit(src)
    if parts.scheme in ("http", "https") and parts.netloc:
        # the origin goes into the Content-Security-Policy: a host and a port, nothing that could
        # end the directive (";") or add a source (" ")
        if not re.fullmatch(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?", parts.netloc):
            raise UsageError(f"--audio-url {src!r}: its host {parts.netloc!r} is not a host name a page can load from")
        return f"'self' {parts.scheme}://{parts.netloc}"
    if parts.scheme and parts.scheme not in ("http", "https", "file"):
        raise UsageError(f"--audio-url {src!r}: use an http(s) URL or a path beside the page")
    return "'self' file:"


@dataclass(frozen=True)
class Player:
    page: str
    embed: str


def render(m: manifests.Manifest, *, audio_url: str | None = None) -> Player:
    src = audio_url or m.audio.file
    root_id = "ae-" + hashlib.sha256((m.audio.sha256 or src).encode()).hexdigest()[:10]
    css = _asset("player.css")
    page_script = _script(m, src, root_id, None)
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_csp_hash(page_script)}",
            f"style-src {_csp_hash(css)}",
            f"media-src {_media_source(src)}",
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    lang = html.escape(m.language or "en", quote=True)
    title = html.escape(m.title)
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=True)}">\n'
        f"<title>{title}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f'<main id="{root_id}" class="ae-player"></main>\n<script>{page_script}</script>\n</body>\n</html>\n'
    )
    embed = f'<div id="{root_id}" class="ae-player"></div>\n<script>{_script(m, src, root_id, css)}</script>\n'
    return Player(page, embed)


def player_paths(mp3: Path, out_dir: Path | None = None) -> tuple[Path, Path]:
    mp3 = Path(mp3)
    folder = Path(out_dir) if out_dir else mp3.parent
    return folder / f"{mp3.stem}.html", folder / f"{mp3.stem}.embed.html"


def write_player(mp3: Path, *, out_dir: Path | None = None, audio_url: str | None = None) -> tuple[Path, Path]:
    """Write EDITION.html and EDITION.embed.html for a built edition (atomically)."""
    m = manifests.load(manifests.manifest_path(mp3))
    player = render(m, audio_url=audio_url)
    page_path, embed_path = player_paths(mp3, out_dir)
    with Outputs() as out:
        out.write(page_path, player.page)
        out.write(embed_path, player.embed)
        out.commit()
    return page_path, embed_path
