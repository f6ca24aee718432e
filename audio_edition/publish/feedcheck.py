"""What Apple Podcasts and Podcasting 2.0 apps require of a feed, checked on the feed's XML: by
``feed check``, and by ``feed add`` and ``feed build`` before they write (a feed that fails is not
written; the one on disk stays as it was).

Each problem names the field it is about ("item 3 enclosure: ..."), so that one line says what to
fix.
"""

from __future__ import annotations

import datetime as _dt
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .feed import EMAIL, LANGUAGE_TAG, NS, category_problem, is_http_url

#: Apple: a show's description and an episode's at most 4,000 bytes.
MAX_DESCRIPTION_BYTES = 4000
#: Apple: artwork square, 1400 to 3000 pixels a side, JPEG or PNG, in RGB.
ARTWORK_PX = (1400, 3000)


def problems(xml: bytes, folder: Path, *, now: _dt.datetime | None = None) -> list[str]:
    """Every problem of the feed ``xml`` published from ``folder``, first the channel's."""
    from lxml import etree

    try:
        root = etree.fromstring(xml, etree.XMLParser(strip_cdata=False, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        return [f"the feed: not well-formed XML ({exc})"]
    channel = root.find("channel")
    if channel is None:
        return ["channel: the feed has no <channel>"]
    now = now or _dt.datetime.now(_dt.timezone.utc)
    found = _channel(channel, folder)
    items = channel.findall("item")
    guids = [item.findtext("guid") for item in items]
    for i, item in enumerate(items, 1):
        found += [f"item {i} {p}" for p in _item(item, folder, now)]
        if guids.count(guids[i - 1]) > 1:
            found.append(f"item {i} guid: {guids[i - 1]!r} is not unique")
    return found


def _text(el: Any, path: str) -> str:
    return (el.findtext(path, namespaces=NS) or "").strip()


def _channel(ch: Any, folder: Path) -> list[str]:
    found = []
    if not _text(ch, "title"):
        found.append("channel title: missing")
    if not LANGUAGE_TAG.fullmatch(_text(ch, "language")):
        found.append(f"channel language: {_text(ch, 'language')!r} is not a BCP 47 tag like en or en-GB")
    if _text(ch, "itunes:explicit") not in ("true", "false"):
        found.append("channel itunes:explicit: must be true or false")
    email = _text(ch, "itunes:owner/itunes:email")
    if email and not EMAIL.fullmatch(email):
        found.append(f"channel itunes:owner email: {email!r} is not an e-mail address")
    if len(_text(ch, "description").encode()) > MAX_DESCRIPTION_BYTES:
        found.append(f"channel description: longer than {MAX_DESCRIPTION_BYTES} bytes")
    found += _category(ch)
    image = ch.find("itunes:image", NS)
    if image is not None:
        found += [f"channel itunes:image: {p}" for p in _artwork(image.get("href") or "", folder)]
    return found


def _category(ch: Any) -> list[str]:
    top = ch.find("itunes:category", NS)
    if top is None:
        return ["channel itunes:category: missing (Apple lists a show under one of its categories)"]
    sub = top.find("itunes:category", NS)
    problem = category_problem(top.get("text"), sub.get("text") if sub is not None else None)
    return [f"channel itunes:category: {problem}"] if problem else []


def _artwork(href: str, folder: Path) -> list[str]:
    if not is_http_url(href):
        return [f"{href!r} is not an absolute http(s) URL"]
    local = folder / unquote(Path(urlsplit(href).path).name)
    if not local.is_file():
        return []  # published elsewhere: its pixels are not ours to read
    from PIL import Image, UnidentifiedImageError  # Pillow reads JPEG and PNG headers

    try:
        with Image.open(local) as image:
            kind, (w, h), mode = image.format, image.size, image.mode
    except (UnidentifiedImageError, OSError):
        return [f"{local.name} is not an image"]
    low, high = ARTWORK_PX
    found = []
    if kind not in ("JPEG", "PNG"):
        found.append(f"{local.name} is {kind}, not JPEG or PNG")
    if w != h or not low <= w <= high:
        found.append(f"{local.name} is {w}x{h}; Apple takes a square of {low} to {high} px")
    if mode not in ("RGB", "RGBA", "P"):
        found.append(f"{local.name} is in {mode}, not RGB")
    return found


def _item(item: Any, folder: Path, now: _dt.datetime) -> list[str]:
    found = []
    enclosure = item.find("enclosure")
    url = enclosure.get("url", "") if enclosure is not None else ""
    if not is_http_url(url):
        found.append(f"enclosure: {url!r} is not an absolute http(s) URL")
    elif not (folder / unquote(Path(urlsplit(url).path).name)).is_file():
        found.append(f"enclosure: {Path(urlsplit(url).path).name} is not in the feed's folder {folder}")
    try:
        published = parsedate_to_datetime(item.findtext("pubDate") or "")
    except (TypeError, ValueError):
        found.append("pubDate: missing or not an RFC 822 date")
    else:
        if published > now + _dt.timedelta(minutes=5):
            found.append(f"pubDate: {item.findtext('pubDate')} is in the future")
    if len(re.sub(r"\s+", " ", item.findtext("description") or "").encode()) > MAX_DESCRIPTION_BYTES:
        found.append(f"description: longer than {MAX_DESCRIPTION_BYTES} bytes")
    if not (item.findtext("guid") or "").strip():
        found.append("guid: missing")
    return found
