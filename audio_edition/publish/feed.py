"""Podcast feed: RSS 2.0 with the itunes, content and podcast (Podcasting 2.0) namespaces, via lxml.

Built from the editions' manifests, so the enclosure length, duration, chapters and transcripts
are the real ones. lxml rather than feedgen: feedgen's podcast extension writes the deprecated
``yes``/``no`` for ``itunes:explicit`` and knows nothing of the ``podcast:`` namespace.

The feed is deterministic (no clock is read: ``lastBuildDate`` is the newest item's date), so
building the same folder twice gives the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import html
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._compat import read_toml
from ..errors import InputError, OutputError, UsageError, advice
from ..store import atomic_write_bytes
from . import manifest as manifests
from .sidecars import sidecar_paths

log = logging.getLogger(__name__)

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
#: Podcasting 2.0: podcast:guid is a UUIDv5 of the feed URL (no scheme, no trailing slash) in this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
#: Apple: file names in URLs should be ASCII letters, digits, and - _ .
SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class Channel:
    """Channel settings (a TOML file's keys, or command-line options)."""

    title: str = "Today's Edition"
    description: str = "The day's stories, read aloud."
    author: str = ""
    owner_name: str = ""
    owner_email: str = ""
    language: str = "en"
    #: "News › Daily News" or "News > Daily News": an Apple category and subcategory.
    category: str = "News › Daily News"
    explicit: bool = False
    artwork_url: str = ""
    link: str = ""
    #: When an edition dated D is published: D at this time, e.g. "06:00+00:00".
    publish_time: str = "06:00+00:00"
    locked: bool = True
    #: The podcast:guid; empty: kept from the feed on disk, else made from the feed's URL.
    podcast_guid: str = ""

    @classmethod
    def load(cls, path: Path | None, overrides: dict[str, Any], feed: Path | None = None) -> Channel:
        """Defaults, then an existing feed's own settings, then the TOML file, then ``overrides``."""
        data = _existing(Path(feed))[2] if feed is not None else {}
        from_file = read_toml(path, f"--channel {path}") if path else {}
        unknown = set(from_file) - {f.name for f in fields(cls)}
        if unknown:
            raise UsageError(f"--channel {path}: unknown setting(s) {', '.join(sorted(unknown))}")
        kinds = {f.name: type(f.default) for f in fields(cls)}
        for key, value in from_file.items():
            if not isinstance(value, kinds[key]):
                raise UsageError(f"--channel {path}: {key} must be a {kinds[key].__name__}, not {value!r}")
        data.update(from_file)
        data.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**data)

    def gaps(self) -> list[str]:
        """What podcast directories ask of a show that these settings lack (the feed is valid
        RSS without them, but Apple Podcasts would not list it)."""
        gaps = []
        if not self.artwork_url:
            gaps.append("no artwork (--artwork-url): Apple Podcasts lists a show only with square art of 1400-3000 px")
        if not self.owner_email:
            gaps.append("no owner email (--owner-email): Apple Podcasts and the Podcast Index confirm the owner by it")
        return gaps


def clean(text: str | None) -> str:
    """XML 1.0 cannot carry control characters, even escaped: drop them."""
    return _CONTROL.sub("", text or "")


def podcast_guid(feed_url: str) -> str:
    bare = re.sub(r"^[a-z]+://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


def publish_datetime(date: str, publish_time: str) -> _dt.datetime:
    try:
        clock = _dt.time.fromisoformat(publish_time)
    except ValueError:
        raise UsageError(f"publish_time {publish_time!r}: use HH:MM with an offset, like 06:00+00:00") from None
    return _dt.datetime.combine(_dt.date.fromisoformat(date), clock.replace(tzinfo=clock.tzinfo or _dt.timezone.utc))


@dataclass(frozen=True)
class Episode:
    guid: str
    title: str
    published: _dt.datetime
    element: Any = field(compare=False)


def _url(base_url: str, name: str) -> str:
    return base_url.rstrip("/") + "/" + quote(name)


def description_html(m: manifests.Manifest) -> str:
    """Each story's title and first sentence, as a list."""
    items = []
    for chapter in m.chapters:
        first = next(
            (s.text for p in m.paragraphs if p.chapter == chapter.id and p.kind not in ("title", "heading")
             for s in p.sentences),
            "",
        )  # fmt: skip
        items.append(f"<li><strong>{html.escape(chapter.title)}</strong> {html.escape(first)}</li>")
    intro = f"<p>{html.escape(m.description)}</p>" if m.description else ""
    return clean(f"{intro}<ul>{''.join(items)}</ul>")


def episode_guid(podcast: str, mp3_name: str) -> str:
    """An item's guid: the edition's file name in the podcast's own namespace. Not its URL:
    moving the files to another host (``--base-url``) must not make every episode new, and a
    corrected rebuild of the same edition keeps it."""
    return str(uuid.uuid5(uuid.UUID(podcast), mp3_name))


def episode_element(mp3: Path, base_url: str, channel: Channel, *, guid: str):
    """An <item> for the edition at ``mp3``, from its manifest; checks the file is what it says."""
    from lxml import etree

    mp3 = Path(mp3)
    if not SAFE_NAME.fullmatch(mp3.name):
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", mp3.name.encode("ascii", "ignore").decode()).strip("-")
        raise UsageError(f"{mp3.name}: feed URLs need ASCII-safe file names (Apple); rename it, e.g. to {safe}")
    if not mp3.is_file():
        raise InputError(f"{mp3}: no such file")
    m = manifests.load(manifests.manifest_path(mp3))
    size = mp3.stat().st_size
    if size != m.audio.bytes:
        raise InputError(f"{mp3}: is {size} bytes but its manifest says {m.audio.bytes}; rebuild it")

    E = etree.Element
    item = E("item")
    itunes, content, podcast = (f"{{{NS[k]}}}" for k in ("itunes", "content", "podcast"))
    etree.SubElement(item, "title").text = clean(m.title)
    desc = description_html(m)
    body = etree.CDATA(desc) if "]]>" not in desc else desc  # CDATA cannot hold "]]>"; escaped is as good
    etree.SubElement(item, "description").text = body
    etree.SubElement(item, content + "encoded").text = body
    enclosure_url = _url(base_url, mp3.name)
    etree.SubElement(item, "enclosure", url=enclosure_url, length=str(size), type="audio/mpeg")
    etree.SubElement(item, "guid", isPermaLink="false").text = guid
    if m.date is None:
        raise InputError(f"{mp3}: its manifest has no date; rebuild it with --date")
    published = min(publish_datetime(m.date, channel.publish_time), _now())  # never in the future
    etree.SubElement(item, "pubDate").text = format_datetime(published)
    if m.url:
        etree.SubElement(item, "link").text = http_url(clean(m.url), f"{mp3.name}: the story's URL (--url)")
    etree.SubElement(item, itunes + "duration").text = str(round(m.audio.duration_ms / 1000))
    etree.SubElement(item, itunes + "episodeType").text = "full"
    etree.SubElement(item, itunes + "explicit").text = "true" if channel.explicit else "false"
    side = sidecar_paths(mp3)
    for key, mime in (("vtt", "text/vtt"), ("transcript", "application/json")):
        if side[key].is_file():
            etree.SubElement(item, podcast + "transcript", url=_url(base_url, side[key].name), type=mime)
    if side["chapters"].is_file():
        etree.SubElement(item, podcast + "chapters", url=_url(base_url, side["chapters"].name),
                         type="application/json+chapters")  # fmt: skip
    return item


def _episode(item) -> Episode:
    return Episode(
        guid=item.findtext("guid"),
        title=item.findtext("title") or "",
        published=parsedate_to_datetime(item.findtext("pubDate")),
        element=item,
    )


def render(channel: Channel, feed_url: str, episodes: list[Episode], *, guid: str | None = None) -> bytes:
    """The whole feed, newest episode first."""
    from lxml import etree

    itunes, podcast, atom = (f"{{{NS[k]}}}" for k in ("itunes", "podcast", "atom"))
    rss = etree.Element("rss", version="2.0", nsmap=NS)
    ch = etree.SubElement(rss, "channel")

    def sub(parent, tag, value=None, **attrs):
        el = etree.SubElement(parent, tag, **attrs)
        if value is not None:
            el.text = clean(value)
        return el

    sub(ch, "title", channel.title)
    sub(ch, "link", channel.link or feed_url)
    sub(ch, "description", channel.description)
    sub(ch, "language", channel.language)
    sub(ch, "generator", "audio-edition")
    sub(ch, atom + "link", href=feed_url, rel="self", type="application/rss+xml")
    sub(ch, itunes + "author", channel.author or channel.title)
    owner = sub(ch, itunes + "owner")
    sub(owner, itunes + "name", channel.owner_name or channel.author or channel.title)
    if channel.owner_email:
        sub(owner, itunes + "email", channel.owner_email)
    if channel.artwork_url:
        sub(ch, itunes + "image", href=channel.artwork_url)
    parts = [p.strip() for p in re.split(r"›|>", channel.category) if p.strip()]
    if parts:
        top = sub(ch, itunes + "category", text=clean(parts[0]))
        if len(parts) > 1:
            sub(top, itunes + "category", text=clean(parts[1]))
    sub(ch, itunes + "explicit", "true" if channel.explicit else "false")
    sub(ch, itunes + "type", "episodic")
    sub(ch, podcast + "guid", guid or podcast_guid(feed_url))
    locked = sub(ch, podcast + "locked", "yes" if channel.locked else "no")
    if channel.owner_email:
        locked.set("owner", channel.owner_email)
    ordered = sorted(episodes, key=lambda e: (e.published, e.title, e.guid), reverse=True)
    if ordered:
        sub(ch, "lastBuildDate", format_datetime(ordered[0].published))
    for episode in ordered:
        ch.append(episode.element)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def feed_url_for(path: Path, base_url: str) -> str:
    return _url(base_url, Path(path).name)


def _existing(feed_path: Path) -> tuple[str | None, list[Episode], dict[str, Any]]:
    """The podcast:guid, the items and the channel settings of a feed already on disk."""
    from lxml import etree

    if not feed_path.exists():
        return None, [], {}
    try:
        tree = etree.parse(str(feed_path), etree.XMLParser(strip_cdata=False))  # descriptions stay CDATA
    except (etree.XMLSyntaxError, OSError) as exc:
        raise InputError(f"{feed_path}: not a readable feed ({exc})") from None
    ch = tree.find("channel")
    if ch is None:
        raise InputError(f"{feed_path}: not an RSS feed (no <channel>)")
    it, pc = f"{{{NS['itunes']}}}", f"{{{NS['podcast']}}}"
    categories = [c.get("text") for c in ch.iterfind(f"{it}category")] + [
        c.get("text") for c in ch.iterfind(f"{it}category/{it}category")
    ]
    found = {
        "title": ch.findtext("title"),
        "description": ch.findtext("description"),
        "language": ch.findtext("language"),
        "link": ch.findtext("link"),
        "author": ch.findtext(f"{it}author"),
        "owner_name": ch.findtext(f"{it}owner/{it}name"),
        "owner_email": ch.findtext(f"{it}owner/{it}email"),
        "explicit": ch.findtext(f"{it}explicit") == "true",
        "artwork_url": (ch.find(f"{it}image").get("href") if ch.find(f"{it}image") is not None else None),
        "category": " › ".join(c for c in categories if c) or None,
        "locked": ch.findtext(f"{pc}locked") != "no",
        "podcast_guid": ch.findtext(f"{pc}guid"),
    }
    settings = {k: v for k, v in found.items() if v is not None}
    return ch.findtext(f"{pc}guid"), [_episode(item) for item in ch.iterfind("item")], settings


def _write(path: Path, base_url: str, channel: Channel, episodes: list[Episode], guid: str | None,
           max_items: int | None) -> int:  # fmt: skip
    unique = {e.guid: e for e in episodes}  # later wins: the same edition replaces its item
    kept = sorted(unique.values(), key=lambda e: (e.published, e.title, e.guid), reverse=True)[:max_items]
    xml = render(channel, feed_url_for(path, base_url), kept, guid=guid)
    from .feedcheck import problems  # what directories require: a feed that fails is not written

    if found := problems(xml, path.parent):
        raise UsageError(f"{path}: {found[0]}" + (f" (and {len(found) - 1} more)" if len(found) > 1 else ""))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, xml)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {advice(exc)}") from None
    for gap in channel.gaps():
        log.warning("%s: %s; set it, or its key in --channel FILE", path, gap)
    return len(kept)


def http_url(value: str, what: str) -> str:
    """``value`` if it is an absolute http(s) URL; else one line naming ``what`` (exit 2). A
    feed's links are followed by every podcast app: "javascript:" or a relative path is refused."""
    if not is_http_url(value):
        raise UsageError(f"{what} {value!r}: give an absolute http:// or https:// URL")
    return value.strip()


def is_http_url(url: str) -> bool:
    """Whether ``url`` is absolute and http(s): the one test for every URL a feed carries."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def check_channel(base_url: str, channel: Channel) -> None:
    """What directories require of a channel, before anything is written (one line, exit 2): its
    URLs absolute http(s), the artwork a JPEG or PNG, the category Apple's, the language a BCP 47
    tag, the owner's e-mail an address."""
    http_url(base_url, "--base-url")
    for name, option in (("artwork_url", "--artwork-url"), ("link", "--link")):
        if getattr(channel, name):
            http_url(getattr(channel, name), option)
    if channel.artwork_url and not re.search(r"\.(jpe?g|png)$", channel.artwork_url.split("?")[0], re.I):
        raise UsageError(f"--artwork-url {channel.artwork_url!r}: Apple takes a JPEG or PNG (.jpg, .png)")
    if not LANGUAGE_TAG.fullmatch(channel.language):
        raise UsageError(f"--language {channel.language!r}: a BCP 47 tag like en or en-GB")
    if channel.owner_email and not EMAIL.fullmatch(channel.owner_email):
        raise UsageError(f"--owner-email {channel.owner_email!r}: not an e-mail address")
    if channel.podcast_guid and not re.fullmatch(
        r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", channel.podcast_guid
    ):
        raise UsageError(f"--podcast-guid {channel.podcast_guid!r}: a UUID, like 917393e3-1b1e-5cef-ace4-edaa54e1f810")
    _check_category(channel.category)


#: A BCP 47 language tag (RSS 2.0's <language>): a primary subtag, then optional subtags.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+")


@functools.cache
def apple_categories() -> dict[str, list[str]]:
    from importlib import resources

    from .._compat import tomllib

    return tomllib.loads(resources.files("audio_edition").joinpath("data/apple_categories.toml").read_text("utf-8"))


def _check_category(category: str) -> None:
    parts = [p.strip() for p in re.split(r"›|>", category) if p.strip()]
    if not 1 <= len(parts) <= 2 or category_problem(parts[0], parts[1] if len(parts) > 1 else None):
        raise UsageError(f"--category {category!r}: one of Apple's, like 'News › Daily News' (Apple's list)")


def category_problem(top: str | None, sub: str | None) -> str | None:
    """What is wrong with a category and subcategory by Apple's list, or None."""
    table = apple_categories()
    if top not in table:
        return f"{top!r} is not one of Apple's"
    if sub is not None and sub not in table[top]:
        return f"{sub!r} is not one of Apple's under {top!r}"
    return None


@contextlib.contextmanager
def _locked(feed_path: Path) -> Iterator[None]:
    """One writer at a time: a feed is read, changed and written whole, and two at once would
    lose one's item (seen: 4 rounds in 20 lost one)."""
    from filelock import FileLock, Timeout

    feed_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(feed_path) + ".lock", timeout=LOCK_TIMEOUT_S):
            yield
    except Timeout:
        raise OutputError(f"{feed_path}: another feed command holds it for {LOCK_TIMEOUT_S} s; try again") from None


#: How long a feed command waits for another one on the same feed.
LOCK_TIMEOUT_S = 60


def add(feed_path: Path, mp3s: list[Path], base_url: str, channel: Channel, *, max_items: int | None = None) -> int:
    """Add editions to the feed at ``feed_path`` (created if missing); the same edition replaces
    its item. The podcast:guid is written once and kept. Returns the number of items."""
    feed_path = Path(feed_path)
    check_channel(base_url, channel)
    for mp3 in mp3s:  # its enclosure's URL is the feed's folder's: elsewhere, it would 404
        if Path(mp3).resolve().parent != feed_path.resolve().parent:
            raise UsageError(
                f"{mp3}: not in the feed's folder {feed_path.parent}; move it there, or build the feed there"
            )
    with _locked(feed_path):
        guid, episodes, _ = _existing(feed_path)
        guid = channel.podcast_guid or guid or podcast_guid(feed_url_for(feed_path, base_url))
        episodes += [_episode(episode_element(m, base_url, channel, guid=_guid_for(m, guid, episodes))) for m in mp3s]
        return _write(feed_path, base_url, channel, episodes, guid, max_items)


def _guid_for(mp3: Path, podcast: str, published: list[Episode]) -> str:
    """The guid an edition already has in the feed (whatever scheme made it), else a new one."""
    from urllib.parse import unquote, urlparse

    for episode in published:
        enclosure = episode.element.find("enclosure")
        url = enclosure.get("url", "") if enclosure is not None else ""
        if unquote(urlparse(url).path.rsplit("/", 1)[-1]) == Path(mp3).name:
            return episode.guid
    return episode_guid(podcast, Path(mp3).name)


def build(folder: Path, base_url: str, channel: Channel, *, output: Path | None = None,
          max_items: int | None = None) -> tuple[Path, int]:  # fmt: skip
    """Rebuild a whole feed from a folder of editions (each MP3 with its manifest)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    mp3s = sorted(p for p in folder.glob("*.mp3") if manifests.manifest_path(p).is_file())
    if not mp3s:
        raise InputError(f"{folder}: no editions (an .mp3 with its .json manifest) in it")
    output = Path(output or folder / "feed.xml")
    check_channel(base_url, channel)
    with _locked(output):
        guid, published, _ = _existing(output)
        guid = channel.podcast_guid or guid or podcast_guid(feed_url_for(output, base_url))
        episodes = [_episode(episode_element(p, base_url, channel, guid=_guid_for(p, guid, published))) for p in mp3s]
        return output, _write(output, base_url, channel, episodes, guid, max_items)
