"""Stage 1, HTML: every visible line of a page, each with the votes of three article extractors.

No single extractor finds every story: trafilatura in its precision mode misses some, in its
recall mode it lets chrome in, and a readability pass (trafilatura ships one) finds what both
missed on other pages. So the page is read as a scraper would read it, one line per block of
text, and each line carries the number of extractors that chose it. The cleaning stage
(boilerplate.py) keeps what most of them chose, and what only one chose when its own classifier
reads it as the story's prose. The HTML walk is lxml's; the extraction is trafilatura's.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

#: Tags that end a line of text, as a browser lays them out.
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "figure",
        "figcaption",
        "br",
        "tr",
        "dd",
        "dt",
        "pre",
        "ul",
        "ol",
        "table",
        "form",
        "main",
        "hr",
        "caption",
        "summary",
        "details",
        "address",
    ]
)
#: A table's cells: a row is one line, its cells apart by a space ("3 Kevin Harvick 5033 4").
_CELL_TAGS = frozenset(["td", "th"])
#: Tags whose text a reader never sees.
_HIDDEN_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "iframe", "button", "select", "option", "head", "title"]
)
#: The extractors that vote, in the order :func:`_extractors` runs them.
EXTRACTORS = ("precise", "recall", "readability")
#: The kind of block a line is, from the nearest tag that says.
_KINDS = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading"}
_KINDS |= {"li": "item", "dd": "item", "blockquote": "quote"}
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class PageLine:
    """A visible line of the page: its text, kind and heading level, and how many extractors chose it."""

    text: str
    kind: str
    level: int
    #: The extractors that chose it (:data:`EXTRACTORS`).
    votes: tuple[str, ...]
    #: The share of its words that are a link's text.
    linked: float = 0.0
    #: Set in a figure's caption, or the words of a picture's alt text.
    caption: bool = False
    #: Set in the page's reader comments or in a form (:data:`COMMENTS`).
    comments: bool = False


@dataclass(frozen=True)
class Page:
    lines: tuple[PageLine, ...]
    title: str | None
    site: str | None
    author: str | None
    date: _dt.date | None
    url: str | None


#: An element whose id or class says it holds the readers' comments (WordPress's "commentlist",
#: "respond", Disqus's thread, "comments", "discussion"): its lines are no part of the story, in
#: any language. (Not <form>: some sites wrap the whole page in one.)
COMMENTS = re.compile(
    r"(?:^|[\s_-])(?:comments?|commentlist|comment-?list|comment-?body|respond|disqus(?:_thread)?|discussion|"
    r"replies|talkback|livefyre|fb-comments)(?:$|[\s_-])",
    re.I,
)


def _marks_comments(el, tag: str) -> bool:
    return bool(COMMENTS.search(f"{el.get('id') or ''} {el.get('class') or ''}"))


def _trusted_marks(lines: list[PageLine]) -> list[PageLine]:
    """The comment marks, unless they cover most of what the precise extractor chose: then the
    "comments" box wraps the article itself (a theme's naming), and no line is marked."""
    chosen = [len(x.text.split()) for x in lines if "precise" in x.votes]
    marked = [len(x.text.split()) for x in lines if "precise" in x.votes and x.comments]
    if sum(marked) * 2 <= sum(chosen):
        return lines
    return [dataclasses.replace(x, comments=False) for x in lines]


def _visible_lines(root) -> list[tuple[str, str, int, float, bool, bool, str | None]]:
    """(text, kind, level, linked, caption, comments, box) for each line a browser would show;
    ``box`` names the block that holds the line's own (its tag and class), when it has a class."""
    out: list[tuple[str, str, int, float, bool, bool, str | None]] = []
    buf: list[tuple[str, bool]] = []  # (text, inside a link)
    where: list[str] = []
    blocks: list[Any] = []  # the open block elements, outermost first
    comments = [0]  # how many open elements hold comments
    alts = {w for img in root.iter("img") if (w := _words(img.get("alt") or "")).count(" ") >= 1}

    def flush() -> None:
        text = " ".join("".join(t for t, _ in buf).split())
        linked = sum(len(t.split()) for t, a in buf if a)
        buf.clear()
        if text:
            tag = next((t for t in reversed(where) if t in _KINDS), "")
            kind = _KINDS.get(tag, "paragraph")
            level = int(tag[1]) if kind == "heading" else 0
            # a heading may well say what its picture shows; only its figcaption makes it a caption
            caption = "figcaption" in where or (kind != "heading" and _words(text) in alts)
            holder = blocks[-2] if len(blocks) >= 2 else None
            box = f"{holder.tag}.{holder.get('class')}" if holder is not None and holder.get("class") else None
            out.append((text, kind, level, min(1.0, linked / len(text.split())), caption, comments[0] > 0, box))

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _HIDDEN_TAGS:
            if el.tail:
                buf.append((el.tail, "a" in where))
            return
        marked = _marks_comments(el, tag)
        block = tag in _BLOCK_TAGS or marked
        if block:
            flush()
        elif tag in _CELL_TAGS:
            buf.append((" ", False))
        where.append(tag)
        if block:
            blocks.append(el)
        comments[0] += marked
        if el.text:
            buf.append((el.text, "a" in where))
        for child in el:
            walk(child)
        if block:
            flush()
        comments[0] -= marked
        where.pop()
        if block:
            blocks.pop()
        if el.tail:
            buf.append((el.tail, "a" in where))

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return out


def _drop_cards(tree) -> int:
    """Remove the cards set inside running text: an element within a paragraph that holds a
    picture and two links or more, and no text but its links' (a hover card of a person named in
    the sentence, with their photo and latest headlines). Innermost first, so that the name the
    card hangs on stays. Its tail (the sentence going on) stays. Returns how many went."""
    removed = 0
    for el in reversed(list(tree.iter())):
        if not isinstance(el.tag, str) or el.tag in ("a", "p", "img") or next(el.iterancestors("p"), None) is None:
            continue
        links = el.findall(".//a")
        if len(links) < 2 or el.find(".//img") is None:
            continue
        text = len("".join(el.itertext()).split())
        linked = sum(len("".join(a.itertext()).split()) for a in links)
        if text and linked >= text:
            el.drop_tree()  # lxml keeps the tail
            removed += 1
    return removed


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


class _Chosen:
    """What one extractor chose: its whole text (for long lines) and its paragraphs (for short ones)."""

    def __init__(self, text: str) -> None:
        self.text = f" {_words(text)} "
        self.paragraphs = {_words(p) for p in text.split("\n")}

    def __contains__(self, line: str) -> bool:
        # A short line ("News", "Share") is a substring of any article: only a whole paragraph counts.
        return bool(line) and (line in self.paragraphs or (line.count(" ") >= 3 and f" {line} " in self.text))


def _extractors(tree) -> list[_Chosen]:
    import copy

    import trafilatura
    from trafilatura.readability_lxml import Document

    common: dict[str, Any] = dict(include_comments=False, include_tables=True, include_images=False, deduplicate=False)
    chosen = [
        # a copy each time: trafilatura prunes the tree it is given
        trafilatura.extract(copy.deepcopy(tree), favor_precision=True, **common) or "",
        trafilatura.extract(copy.deepcopy(tree), favor_recall=True, **common) or "",
    ]
    try:
        import lxml.html

        summary = lxml.html.fromstring(Document(copy.deepcopy(tree)).summary())
        chosen.append("\n".join(" ".join(el.text_content().split()) for el in summary.iter() if el.text))
    except Exception:  # readability gives up on some pages (no candidates); the other two still vote
        chosen.append("")
    return [_Chosen(text) for text in chosen]


#: The vote of a paragraph the precise extractor did not choose that stands in a block of the
#: same tag and class as the story's own paragraphs: a story that advertisements split into
#: several boxes (the extractors take the first).
SAME_BOX = "box"
#: A box is the story's when it holds this share of the words of the paragraphs the precise
#: extractor and another chose (not a sidebar's box that holds one of them).
BOX_SHARE = 0.2


def _boxed(votes: list[tuple[str, ...]], lines: list) -> list[tuple[str, ...]]:
    """``votes`` with :data:`SAME_BOX` added for the paragraphs in the story's boxes that the
    precise extractor did not choose."""
    words: Counter[str] = Counter()
    for (text, kind, *_, box), v in zip(lines, votes):
        if box and kind == "paragraph" and "precise" in v and len(v) >= 2:
            words[box] += len(text.split())
    home = {box for box, n in words.items() if n >= BOX_SHARE * words.total()}
    return [
        (*v, SAME_BOX) if "precise" not in v and box in home and kind == "paragraph" else v
        for (_, kind, *_, box), v in zip(lines, votes)
    ]


#: The deepest nesting of elements read (a real page nests 30 deep; the walks recurse per level).
MAX_DEPTH = 400


def _parse(html: str) -> Any:
    """The page's tree, nested as deep as it is: libxml2 stops at 255 levels unless told
    (``huge_tree``), and what lay deeper, and after, vanished without a word. Deeper than
    :data:`MAX_DEPTH` is refused in one line."""
    import lxml.html
    from lxml.etree import ParserError
    from trafilatura.utils import repair_faulty_html

    from ..errors import InputError

    # trafilatura's own parser settings (utils.HTML_PARSER), and huge_tree
    parser = lxml.html.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True,
        huge_tree=True,
    )  # fmt: skip
    html = repair_faulty_html(html, html[:50].lower())
    try:
        try:
            root = lxml.html.fromstring(html, parser=parser)
        except ValueError:  # an XML declaration naming an encoding: lxml takes that only as bytes
            root = lxml.html.fromstring(html.encode("utf-8"), parser=parser)
    except (ParserError, ValueError):
        return html  # no elements at all: trafilatura says so its own way
    deepest, stack = 0, [(root, 1)]
    while stack:
        el, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            raise InputError(f"the page nests its elements more than {MAX_DEPTH} deep; no page needs that")
        stack.extend((child, depth + 1) for child in el)
    return root


def read_page(html: str) -> Page:
    """Read an HTML page: its visible lines with their votes, and its metadata."""
    import copy

    import trafilatura
    from trafilatura.utils import load_html

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs its own misses on stderr
    tree = load_html(_parse(html))
    if tree is None:
        return Page((), None, None, None, None, None)
    meta = trafilatura.extract_metadata(copy.deepcopy(tree))
    _drop_cards(tree)  # before anyone reads the text: the extractors keep cards as words of the sentence
    lines = _visible_lines(copy.deepcopy(tree))
    voters = _extractors(tree)
    votes = _boxed([tuple(n for n, v in zip(EXTRACTORS, voters) if _words(x[0]) in v) for x in lines], lines)
    page_lines = _trusted_marks(
        [
            PageLine(text, kind, level, vote, linked, caption, comments)
            for (text, kind, level, linked, caption, comments, _), vote in zip(lines, votes)
        ]
    )
    title = site = author = url = None
    date = None
    if meta is not None:
        title, site, author, url = meta.title or None, meta.sitename or None, meta.author or None, meta.url or None
        if meta.date:
            try:
                date = _dt.date.fromisoformat(meta.date[:10])
            except ValueError:
                date = None
    h1 = next((" ".join(h.text_content().split()) for h in tree.iter("h1")), None)
    headline = headline_of(title, h1, site, tag=tree.findtext(".//title"), story=voters[0].text)
    return Page(tuple(page_lines), headline, site, author, date, url)


def _borne_out(title: str, story: str) -> bool:
    """Whether the story uses the title's words: two of them, or all of a one-word title."""
    words = set(_words(title).split())
    return len(words & set(story.split())) >= min(2, len(words))


def headline_of(
    title: str | None, h1: str | None, site: str | None, *, tag: str | None = None, story: str = ""
) -> str | None:
    """The story's own title: the page's h1 when it is the metadata title's story part, else the
    metadata title (og:title, <title>) without the site's name; and if the ``story``'s words do not
    bear that out but bear out the page's ``<title>`` (``tag``), that (a logo's h1 or a social title
    named the site or another story)."""
    from .prose import without_site

    clean = without_site(title) if title else None
    if clean and site and _words(clean) == _words(site):
        clean = None  # the "title" is only the site's name
    chosen: str | None
    if h1 and (not clean or _words(clean) in _words(h1) or _words(h1) in _words(title or "")):
        chosen = h1
    else:
        chosen = clean or h1
    if chosen and tag and story and not _borne_out(chosen, story) and _borne_out(tag, story):
        return without_site(" ".join(tag.split()))
    return chosen
