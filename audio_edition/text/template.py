"""Stage 2, cleaning (memory): a publication's template, learnt from the pages it was seen with.

A line that stands on several pages of one publication (the pitch under every story, the
newsletter box, the footer's sentence about the company) is the publication's, not the story's,
however much it reads like prose. Each publication keeps the short digests of the lines of its
last pages in the cache folder, so the second day's build drops what the first day's pages had
in common. The store is small and bounded: :data:`PAGES` pages of :data:`LINES` lines each.

An edited story is the same page seen again, not another page: a page with the same identity (its
URL, else its title line) replaces the one remembered, so rebuilding or editing a story never
drops its own paragraphs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Pages remembered per publication, and lines per page.
PAGES, LINES = 40, 400
#: Publications remembered (the least recently seen are forgotten).
PUBLICATIONS = 200
FORMAT = 2


def digest(line: str) -> str:
    return hashlib.sha256(" ".join(line.casefold().split()).encode()).hexdigest()[:16]


def slug(publication: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", publication.casefold()).strip("-")[:60] or "site"
    return f"{name}-{hashlib.sha256(publication.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Template:
    """What a publication's earlier pages had: for each line digest, on how many of them."""

    publication: str
    counts: dict[str, int]

    def seen(self, line: str) -> int:
        return self.counts.get(digest(line), 0)


class Memory:
    """The per-publication store in ``folder`` (the cache's ``templates/``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, publication: str) -> Path:
        return self.folder / f"{slug(publication)}.json"

    def _pages(self, publication: str) -> list[dict]:
        try:
            data = json.loads(self._path(publication).read_text("utf-8"))
        except (OSError, ValueError):
            return []  # nothing learnt yet, or a damaged file: start again
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return []
        return [p for p in data.get("pages", []) if isinstance(p, dict) and isinstance(p.get("lines"), list)]

    def template(self, publication: str, page: str) -> Template:
        """The template as the publication's other pages show it (``page``: this one's identity)."""
        counts: dict[str, int] = {}
        for other in self._pages(publication):
            if other.get("id") == digest(page):
                continue
            for d in set(other["lines"]):
                counts[d] = counts.get(d, 0) + 1
        return Template(publication, counts)

    def remember(self, publication: str, page: str, lines: Iterable[str]) -> None:
        """Learn a page's lines (replacing an earlier version of it); keep the last :data:`PAGES`."""
        from filelock import FileLock

        from ..store import atomic_write_bytes

        own = list(dict.fromkeys(digest(line) for line in lines))[:LINES]
        if not own:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(publication)
        with FileLock(str(path) + ".lock", timeout=30):
            pages = [p for p in self._pages(publication) if p.get("id") != digest(page)]
            pages = [*pages, {"id": digest(page), "lines": own}][-PAGES:]
            data = {"format": FORMAT, "publication": publication, "pages": pages}
            atomic_write_bytes(path, json.dumps(data).encode("utf-8"))
        self._forget_old()

    def clear(self) -> int:
        """Forget every publication's template; how many there were."""
        removed = 0
        for path in self.folder.glob("*.json"):
            for stale in (path, Path(str(path) + ".lock")):
                try:
                    stale.unlink()
                except FileNotFoundError:
                    continue
                removed += stale.suffix == ".json"
        return removed

    def _forget_old(self) -> None:
        files = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in files[:-PUBLICATIONS]:
            for stale in (old, Path(str(old) + ".lock")):
                try:
                    stale.unlink()
                except OSError:
                    pass
