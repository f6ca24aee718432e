"""Stage 2, cleaning: drop page chrome, keep the story.

The rules are data (TOML); the classifier that judges what no rule names is prose.py, the
memory of a publication's template is template.py. This module applies them in order and keeps
every line's verdict for ``lint``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .._compat import read_toml, tomllib
from ..errors import InputError, UsageError
from . import prose
from .extract import SAME_BOX
from .ingest import Block, Story
from .template import Template, digest

SCOPES = ("line", "inline")


@dataclass(frozen=True)
class Rule:
    """A boilerplate rule: a named, case-insensitive regular expression, run by RE2 (linear time
    in the line's length, whatever the pattern: see :func:`compile_rule`)."""

    name: str
    pattern: Any
    scope: str = "line"
    #: What the line costs the stretch of prose around it (characters); ``None``: as any chrome.
    #: Section labels ("Related", "Comments") cost much: the story rarely goes on past them.
    cost: int | None = None


@dataclass(frozen=True)
class Dropped:
    """What a rule removed, for ``lint``."""

    rule: str
    text: str


def unicode_words(pattern: str) -> str:
    """``\\w`` and ``\\W`` as Python reads them (any letter or digit), for RE2, whose are ASCII."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            if pair == r"\w":
                out.append(r"\pL\pN_" if in_class else r"[\pL\pN_]")
            elif pair == r"\W" and not in_class:
                out.append(r"[^\pL\pN_]")
            else:
                out.append(pair)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a leading "]" is a literal
                out.append("]")
                i += 1
        elif c == "]" and in_class:
            in_class = False
            out.append(c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def compile_rule(pattern: str, what: str) -> Any:
    """A rule's pattern, compiled by RE2 (google-re2): it matches in time linear in the line, so
    no line from the open web and no user's rule can make cleaning hang, as Python's
    backtracking engine could (a dateline rule took minutes on one 30-word line). RE2 has no
    look-around and no back-reference: a rule with one is refused with one line."""
    import re2

    if not isinstance(pattern, str) or not pattern:
        raise UsageError(f"{what} needs a pattern")
    translated = unicode_words(pattern)
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    try:
        return re2.compile(translated, options)
    except re2.error as exc:
        hint = (
            "; rules run on RE2, which has no look-around or back-reference"
            if "(?" in pattern or "\\" in pattern
            else ""
        )
        raise UsageError(f"{what} is not a valid regular expression ({exc}){hint}") from None


def _parse_rules(data: dict, origin: str) -> list[Rule]:
    rules = []
    for i, raw in enumerate(data.get("rule", [])):
        try:
            name, pattern = raw["name"], raw["pattern"]
        except (KeyError, TypeError):
            raise UsageError(f"{origin}: rule #{i + 1} needs a name and a pattern") from None
        scope = raw.get("scope", "line")
        if scope not in SCOPES:
            raise UsageError(f"{origin}: rule {name!r} has scope {scope!r}; use one of {', '.join(SCOPES)}")
        compiled = compile_rule(pattern, f"{origin}: rule {name!r}")
        cost = raw.get("cost")
        if cost is not None and (not isinstance(cost, int) or isinstance(cost, bool) or cost < 0):
            raise UsageError(f"{origin}: rule {name!r} has cost {cost!r}; use a whole number of characters")
        rules.append(Rule(name, compiled, scope, cost))
    return rules


def builtin_rules() -> list[Rule]:
    """The rules of ``data/boilerplate.toml`` (a new list each time: callers add their own)."""
    return list(_builtin_rules())


@functools.cache
def _builtin_rules() -> tuple[Rule, ...]:  # parsed and compiled once per process
    text = resources.files("audio_edition").joinpath("data/boilerplate.toml").read_text("utf-8")
    return tuple(_parse_rules(tomllib.loads(text), "built-in rules"))


def load_rules(files: tuple[Path, ...] = (), *, builtin: bool = True) -> list[Rule]:
    """The built-in rules (unless ``builtin`` is false) followed by those of each file."""
    rules = builtin_rules() if builtin else []
    for path in files:
        rules.extend(_parse_rules(read_toml(path, f"--rules {path}"), str(path)))
    return rules


def _kept(m: Any) -> str:
    """What an inline rule leaves of its match: the group named "keep", if it has one."""
    return (m.group("keep") or "") if "keep" in m.re.groupindex else ""


def clean_line(line: str, rules: list[Rule], dropped: list[Dropped]) -> str:
    """Apply inline rules, then drop the line if a line rule matches all of it."""
    for rule in rules:
        if rule.scope == "inline":
            new = rule.pattern.sub(_kept, line)
            if new != line:
                dropped.append(Dropped(rule.name, line[len(new) :] if line.startswith(new) else line))
                line = new
    stripped = line.strip()
    for rule in rules:
        if rule.scope == "line" and rule.pattern.fullmatch(stripped):
            dropped.append(Dropped(rule.name, stripped))
            return ""
    return stripped


@dataclass(frozen=True)
class Verdict:
    """One line of the input and what cleaning did with it: ``lint`` shows every one."""

    text: str
    kept: bool
    #: What decided: a rule's name, or one of :data:`DECIDERS`.
    by: str
    #: Why, in words ("seen on 3 earlier pages of The Ledger", "outside the story's densest stretch").
    reason: str
    #: The classifier's measure of the line (its share of stopwords), where it judged it.
    stopwords: float | None = None


#: What decides a line's fate when no rule does.
DECIDERS = ("headline", "repeated", "edition", "template", "classifier", "extractors", "editor")


@dataclass(frozen=True)
class Cleaning:
    """How a story is cleaned: the rules, the editor's overrides and what is known of the template."""

    rules: tuple[Rule, ...] = ()
    #: Tell prose from chrome where no rule speaks (prose.py); off with ``--keep-boilerplate``.
    classify: bool = True
    #: A line containing one of these (case-insensitive) is always spoken / never spoken.
    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    #: The publication's template, learnt from its earlier pages (template.py).
    template: Template | None = None
    #: Digests of lines that stand on other stories of the same edition: for each, on how many.
    elsewhere: dict[str, int] = field(default_factory=dict)
    #: The edition's language: its stopwords are tried first (a page in another is detected).
    language: str | None = None


@dataclass(frozen=True)
class Cleaned:
    """A story once cleaned: what will be spoken, the headline found, and every line's verdict."""

    blocks: tuple[Block, ...]
    title: str | None
    author: str | None
    verdicts: tuple[Verdict, ...]
    #: The story's lines as read (the template memory learns them).
    lines: tuple[str, ...]

    @property
    def dropped(self) -> list[Dropped]:
        return [Dropped(v.by, v.text) for v in self.verdicts if not v.kept]


#: Sentence punctuation that ends a line of hard-wrapped prose.
_LINE_END = re.compile(r"""[.!?:;"”’)\]]$""")


def _lines(block: Block) -> list[str]:
    """A block's lines, with hard-wrapped prose (a long line broken mid-sentence) joined again."""
    lines: list[str] = []
    for raw in block.text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if lines and len(lines[-1]) >= 40 and not _LINE_END.search(lines[-1]) and line[:1].islower():
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def page_lines(blocks: tuple[Block, ...]) -> list[str]:
    """Every line of a story as the cleaning stage sees it."""
    return [line for block in blocks for line in _lines(block)]


def _forced(text: str, wanted: tuple[str, ...]) -> str | None:
    folded = text.casefold()
    return next((w for w in wanted if w.casefold() in folded), None)


def _byline_author(text: str) -> str | None:
    match = re.match(r"(?i)\s*(?:written |words |reporting |story )?by:?\s+(.*?)(?:\s*[,|–—-]\s*\S.*)?$", text)
    return match.group(1).strip() if match else None


def clean(story: Story, cleaning: Cleaning) -> Cleaned:
    """Decide, line by line, what of a story is spoken.

    Rules speak first (player chrome, pitches, captions), then what the page itself shows: the
    headline standing above the story, lines repeated on the page, on other stories of the
    edition or on the publication's earlier pages. The classifier (prose.py) judges the rest:
    the story is the densest stretch of prose. On HTML pages a line must also have been chosen
    by most of the article extractors, or by one of them and read as prose (extract.py).
    """
    units: list[tuple[int, str]] = []  # (block index, line)
    for index, block in enumerate(story.blocks):
        units.extend((index, line) for line in _lines(block))
    read = _by_rules(story, units, cleaning)
    title, judged = _judged(story, read, units, cleaning)
    verdicts = _verdicts(story, units, read.lines, judged, read.forced, cleaning.classify)
    blocks = _spoken(story, units, verdicts)
    return Cleaned(blocks, title, story.author or read.author, tuple(verdicts), tuple(line for _, line in units))


@dataclass
class _Read:
    """A story's lines once the rules, the editor and the repeats have spoken."""

    #: Each line, with the chrome a rule or a repeat found in it.
    lines: list[prose.Line]
    #: The lines a rule dropped.
    ruled: set[int]
    #: The editor's verdicts (``--keep``, ``--drop``), by line.
    forced: dict[int, Verdict]
    #: The author a byline rule found.
    author: str | None = None


def _by_rules(story: Story, units: list[tuple[int, str]], cleaning: Cleaning) -> _Read:
    """Each line through the rules and the editor's lines, and marked if the page repeats it."""
    texts = [line for _, line in units]
    counts = Counter(" ".join(t.casefold().split()) for t in texts)
    rules = list(cleaning.rules)
    by_name = {r.name: r for r in rules}
    read = _Read([], set(), {})
    said: set[str] = set()  # repeated sentences kept the first time
    for i, text in enumerate(texts):
        dropped: list[Dropped] = []
        cleaned = clean_line(text, rules, dropped) if rules else text
        if (verdict := _editors(text, cleaned, cleaning)) is not None:
            read.forced[i] = verdict
        if not cleaned:
            rule = by_name[dropped[-1].rule]
            if rule.name == "byline" and read.author is None:
                read.author = _byline_author(text)
            read.lines.append(prose.Line(text, f"{rule.name}: a boilerplate rule", rule.cost))
            read.ruled.add(i)
            continue
        if not cleaning.classify:
            read.lines.append(prose.Line(cleaned))
            continue
        repeated = counts[key := " ".join(text.casefold().split())] > 1 and story.blocks[units[i][0]].votes is None
        if repeated and key not in said and prose.sentence_like(text):
            # A sentence said twice (a lead repeated as the summary, a refrain) is the story's
            # once: its first time. (On HTML the extractors have seen the structure a repeat
            # stands in.)
            said.add(key)
            repeated = False
        read.lines.append(prose.Line(cleaned, _seen_elsewhere(text, cleaning, repeated)))
    return read


def _judged(
    story: Story, read: _Read, units: list[tuple[int, str]], cleaning: Cleaning
) -> tuple[str | None, list[prose.Judged]]:
    """The headline found and the classifier's verdict on each line (the editor's, with
    ``--keep-boilerplate``); the headline's lines, teasers and the readers' thread are marked."""
    lines = read.lines
    if not cleaning.classify:
        judged = [prose.Judged(x.text, not x.chrome, x.chrome or "editor: --keep-boilerplate", 0.0) for x in lines]
        return story.title, judged
    stops = prose.stoplist_for([x.text for x in lines if not x.chrome], cleaning.language)
    title, headlines = _headline(story, lines, read.ruled, stops)
    for h in headlines:
        lines[h] = prose.Line(lines[h].text, f"{HEADLINE} spoken once as such")
    for t in _teasers(title, [line for _, line in units]):
        lines[t] = prose.Line(lines[t].text, "headline: a teaser of this story (its headline and opening words)")
    for c in comment_thread(lines):
        lines[c] = prose.Line(lines[c].text, "comments: in the readers' thread (after its label or first signature)")
    for n in next_stories(story, units, lines, headlines):
        lines[n] = prose.Line(lines[n].text, "next-story: below another story's headline, byline and date")
    for n in later_posts(title, lines):
        lines[n] = prose.Line(lines[n].text, "next-story: from the next post's header (a title and a stamp)")
    for n in stamped_again(lines, headlines):
        lines[n] = prose.Line(lines[n].text, "next-story: from the next story's header (its date, as this one's)")
    return title, prose.judge(lines, stops, headlines=headlines)


#: How far below a heading a byline or a date says that a story begins there.
BYLINE_LINES = 8
#: How many sentences must stand between the story's heading and the next for the next to be
#: another story's (a logo in the page's first <h1> has none below it).
STORY_SENTENCES = 3


def next_stories(story: Story, units: list[tuple[int, str]], lines: list, headlines: list[int]) -> range:
    """The lines of the stories an endless page appends below this one: from the first level-1
    heading below the story's own (its headline, else the page's first) that has a byline or a
    date within :data:`BYLINE_LINES` below it (a story's subheadings have neither), and the
    story's sentences above it, to the page's end."""
    from .prose import sentence_like

    if story.format != "html":
        return range(0)
    tops = [i for i, (b, _) in enumerate(units) if story.blocks[b].kind == "heading" and story.blocks[b].level == 1]
    own = headlines[0] if headlines else (tops[0] if tops else len(lines))
    for i in (i for i in tops if i > own and i not in headlines):
        signed = any((x.chrome or "").startswith(("byline:", "dateline:")) for x in lines[i + 1 : i + 1 + BYLINE_LINES])
        told = sum(not x.chrome and sentence_like(x.text) for x in lines[own + 1 : i])
        if signed and told >= STORY_SENTENCES:
            return range(i, len(lines))
    return range(0)


#: A date and a time that end a line ("2026-03-09 19:05:12", "09.03.2026 19:05").
_STAMP_END = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[ T]+\d{1,2}:\d{2}(:\d{2})?$")
#: The longest a post's header (its title and stamp) may be (characters, CJK counting three).
HEADER_LENGTH = 150


def _header_stamp(text: str) -> str | None:
    """The shape of the stamp a post's header ends with (digits as 0), or None."""
    from .prose import length

    m = _STAMP_END.search(text.strip())
    if m is None or length(text) > HEADER_LENGTH or not text[: m.start()].strip():
        return None
    return re.sub(r"\d", "0", m.group())


def later_posts(title: str | None, lines: list) -> range:
    """The lines of the posts after this one on a blog's front page: the story's headline stands
    in a header with a stamp ("Lunch at the mine 2026-03-09 19:05:12"), and after a sentence of
    the story another header of the same shape, with another title, begins the next post."""
    from .prose import fold, sentence_like

    if not title:
        return range(0)
    wanted = fold(title)
    own = next((i for i, x in enumerate(lines) if fold(x.text).startswith(wanted) and _header_stamp(x.text)), None)
    if own is None:
        return range(0)
    shape, told = _header_stamp(lines[own].text), False
    for i in range(own + 1, len(lines)):
        text = lines[i].text
        if told and _header_stamp(text) == shape and not fold(text).startswith(wanted):
            return range(i, len(lines))
        told = told or (not lines[i].chrome and sentence_like(text))
    return range(0)


def _shape(text: str) -> str:
    """A date line's shape: its digits as 0 ("Published 00.00.0000 - 00:00")."""
    return re.sub(r"\d", "0", prose.fold(text))


#: A date line has this many digits or more ("6 Jan 2026", "06.01.26 17:29"); "11:48 PM" is a time.
DATE_DIGITS = 5


def stamped_again(lines: list, headlines: list[int]) -> range:
    """The lines of the next story an endless page appends: the story's own date line, under its
    headline, stands again in the same shape ("Published 06.01.2026 - 17:29") after
    :data:`STORY_SENTENCES` of its sentences; the next story begins with the short lines above
    that date (its headline and byline). A live blog's entries are stamped with a time alone (which
    is no date line here), and a reader's comment is signed in other words."""
    from .prose import sentence_like, thresholds

    shortest = thresholds().length_low

    def dated(i: int) -> bool:
        # a date, not a time alone: a live blog's entries are stamped "11:48 PM", the first one
        # right under the headline
        return (lines[i].chrome or "").startswith("dateline:") and len(re.findall(r"\d", lines[i].text)) >= DATE_DIGITS

    under = [i for h in headlines for i in range(h + 1, min(h + 1 + BYLINE_LINES, len(lines))) if dated(i)]
    if not under:
        return range(0)
    own = {_shape(lines[i].text) for i in under}
    told = 0
    for i in range(min(under) + 1, len(lines)):
        x = lines[i]
        if told >= STORY_SENTENCES and dated(i) and _shape(x.text) in own:
            # its headline and byline above it: short lines, or chrome
            start = i
            while (
                start > 0
                and i - start < BYLINE_LINES
                and (lines[start - 1].chrome or prose.length(lines[start - 1].text) < shortest)
            ):
                start -= 1
            return range(start, len(lines))
        told += not x.chrome and sentence_like(x.text)
    return range(0)


#: A plain-text block with a line longer than this (characters, a CJK one counting three) is not
#: hard-wrapped: a scrape writes a paragraph a line, with no blank line between.
WRAP_WIDTH = 100


def _paragraphs(block: Block, spoken: list[str], fmt: str) -> list[str]:
    """The paragraphs of a block's kept lines: one, unless it is plain text a paragraph a line,
    where each line that ends like a sentence ends one."""
    if fmt != "text" or all(prose.length(line) <= WRAP_WIDTH for line in block.text.split("\n")):
        return [" ".join(spoken)]
    paragraphs: list[list[str]] = [[]]
    for line in spoken:
        paragraphs[-1].append(line)
        if prose.ends_sentence(line):
            paragraphs.append([])
    return [" ".join(p) for p in paragraphs if p]


def _spoken(story: Story, units: list[tuple[int, str]], verdicts: list[Verdict]) -> tuple[Block, ...]:
    """The story's blocks with only their kept lines; a story with none is an input error."""
    blocks: list[Block] = []
    for index, block in enumerate(story.blocks):
        spoken = [v.text for (b, _), v in zip(units, verdicts) if b == index and v.kept]
        if spoken:
            paragraphs = _paragraphs(block, spoken, story.format)
            blocks += [dataclasses.replace(block, text=text) for text in paragraphs]
    if not blocks:
        raise InputError("nothing left to read once the boilerplate was removed (see `audio-edition lint`)")
    return tuple(blocks)


def _editors(text: str, cleaned: str, cleaning: Cleaning) -> Verdict | None:
    """The editor's verdict on a line (``--drop`` wins over ``--keep``), if any."""
    if (word := _forced(text, cleaning.drop)) is not None:
        return Verdict(text, False, "editor", f"dropped by the editor (--drop {word!r})")
    if (word := _forced(text, cleaning.keep)) is not None:
        return Verdict(cleaned or text, True, "editor", f"kept by the editor (--keep {word!r})")
    return None


def _verdicts(story: Story, units: list[tuple[int, str]], lines: list, judged: list, forced: dict[int, Verdict],
              classify: bool) -> list[Verdict]:  # fmt: skip
    """Each line's verdict: a rule's or a hint's chrome, else the extractors' votes with the
    classifier's reading (HTML), else the classifier's; an editor's --keep/--drop over all."""
    voted = any(block.votes for block in story.blocks)  # else no extractor found an article
    # where the precise reading's article ends
    end = max(
        (i for i, (index, _) in enumerate(units) if "precise" in (story.blocks[index].votes or ())), default=len(units)
    )
    verdicts: list[Verdict] = []
    for i, ((index, _), judgement) in enumerate(zip(units, judged)):
        votes = story.blocks[index].votes if voted else None
        chrome = lines[i].chrome
        if chrome:
            by, _, reason = chrome.partition(": ")
            verdict = Verdict(lines[i].text, judgement.in_story, by, reason)
        elif votes is not None and classify:
            kept, reason = _with_votes(votes, judgement, story.blocks[index], past=i > end)
            verdict = Verdict(lines[i].text, kept, "extractors", reason, judgement.stopwords)
        else:
            verdict = Verdict(lines[i].text, judgement.in_story, "classifier", judgement.why, judgement.stopwords)
        verdicts.append(forced.get(i) or verdict)
    return _said_once(verdicts)


#: A paragraph this long (characters, CJK counting three) said again next to another said again
#: is a copy; a shorter one may be the story's own refrain (a question put to each of five
#: people), and a long one alone a list's (a meal plan that serves one dish on three days).
REPEAT_LENGTH = 150
#: How many of a paragraph's earlier places are compared.
REPEATS_CHECKED = 8


def _said_once(verdicts: list[Verdict]) -> list[Verdict]:
    """The story's paragraphs said the first time only, where the page holds them twice (a copy
    for print, one for phones): a long paragraph that follows or precedes the same paragraph as
    it did before is a copy."""
    kept = [i for i, v in enumerate(verdicts) if v.kept and v.by != "editor"]
    # a short paragraph is no key, nor a neighbour (a label a list repeats: "Serves two")
    keys = [prose.fold(t) if prose.length(t := verdicts[i].text) >= REPEAT_LENGTH else None for i in kept]
    earlier: dict[str, list[int]] = {}
    copies = set()
    for n, key in enumerate(keys):
        if key is None:
            continue
        for m in earlier.get(key, [])[-REPEATS_CHECKED:]:  # bounded: a page of one line a million times
            before = m > 0 and keys[n - 1] is not None and keys[n - 1] == keys[m - 1]
            after = n + 1 < len(keys) and keys[n + 1] is not None and keys[n + 1] == keys[m + 1]
            if before or after:
                copies.add(kept[n])
        earlier.setdefault(key, []).append(n)
    return [
        Verdict(v.text, False, "repeated", "said already: the story holds this paragraph earlier") if i in copies else v
        for i, v in enumerate(verdicts)
    ]


def _seen_elsewhere(text: str, cleaning: Cleaning, repeated: bool) -> str | None:
    """Why a line the rules left is chrome by what else shows it (the edition's other stories,
    the publication's earlier pages, this page twice), or None."""
    others = cleaning.elsewhere.get(digest(text), 0)
    if others:
        return f"edition: also on {_count(others, 'other story', 'other stories')} of the edition"
    template = cleaning.template
    if template and (seen := template.seen(text)):
        return f"template: seen on {_count(seen, 'earlier page')} of {template.publication}"
    return "repeated: stands more than once on the page" if repeated else None


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


#: A line that reads as a label, not a sentence: no closing punctuation, a few words.
_LABEL = re.compile(r"""^(?!.*[.!?…:;"”’)\]。！？：；」』）]$).{1,120}$""")


#: The readings that carry an article past where the precise one ends it: its recall mode, and
#: the story's own boxes. Readability alone there has run on into the next story of an endless
#: page.
_CARRY_ON = frozenset({"precise", "recall", SAME_BOX})


def _with_votes(votes: tuple[str, ...], judgement, block: Block, *, past: bool = False) -> tuple[bool, str]:
    """An HTML line: trafilatura's precise reading and another extractor chose it, or some chose it
    and the classifier reads it as the story's prose (two votes without the precise reading are
    often chrome: docs/benchmarks.md, "Measurements behind the design").

    A short line that is not a sentence and not marked up as a heading or a list item is a caption
    or a link to another story when only two extractors chose it (a subheading has its h2). A
    picture's caption, and a line that is mostly a link's text, are never the story's: the page's
    markup says what they are. ``past``: the line comes after the precise reading's last line.
    """
    from .prose import thresholds

    chose = f"chosen by {', '.join(votes)}" if votes else "chosen by no extractor"
    if block.caption:
        return False, f"{chose}, but a picture's caption"
    if block.comments:
        return False, f"{chose}, but in the readers' comments or a form"
    if block.kind == "heading" and block.level == 1:
        return False, f"{chose}, but the page's headline (h1), not its body"
    if past and votes and not _CARRY_ON & set(votes):
        return False, f"{chose}, but after the article the others read"
    limits = thresholds()
    if block.linked >= limits.link_share and len(block.text.split()) >= limits.link_words:
        return False, f"{chose}, but a link to another page"
    if len(votes) == 2 and block.kind == "paragraph" and _LABEL.match(block.text):
        return False, f"{chose}, but a label, not a sentence (a caption, a link)"
    if "precise" in votes and len(votes) >= 2:
        return True, chose
    if votes and judgement.in_story and judgement.why == "prose":
        return True, f"{chose}, and prose in the story's stretch"
    return False, f"{chose}; {judgement.why}" if votes else chose


def _headline(story: Story, lines: list, ruled: set[int], stops: frozenset[str]) -> tuple[str | None, list[int]]:
    """The story's headline and the lines where it stands on the page (never spoken as body)."""

    if story.title and not prose.breadcrumb_like(story.title):  # HTML metadata, or the caller's
        wanted = prose.fold(story.title)
        return story.title, [i for i, x in enumerate(lines) if prose.fold(x.text) == wanted]
    if story.format == "markdown":
        # A level-1 heading at the top says it; a heading is structure, not chrome to judge.
        first = story.blocks[0] if story.blocks else None
        if first is not None and first.kind == "heading" and first.level <= 1 and not lines[0].chrome:
            return first.text, [0]
        return None, []
    # Where the story starts once the classifier has read the page, and the headline above it.
    judged = prose.judge(lines, stops)
    start = next((i for i, j in enumerate(judged) if j.in_story), len(lines))
    story_text = " ".join(j.text for j in judged if j.in_story)[:3000]
    # A headline may stand twice on the page, or on other pages of the site: only rules rule it out.
    candidates = [x if i in ruled else prose.Line(x.text) for i, x in enumerate(lines)]
    return prose.find_headline(candidates, start, story_text, stops)


#: How many of a teaser's words after the headline must open another line of the page.
TEASER_WORDS = 6


#: What the story's headline is called in a line's chrome.
HEADLINE = "headline: the story's title,"
#: A thread is this many comment signatures or more; a lone one may be a quote in the story.
THREAD_SIGNATURES = 2
#: How far above the first signature the thread's label ("Comments", "12 responses") may stand.
THREAD_LABEL_LINES = 12


def comment_thread(lines: list) -> range:
    """The lines of the readers' comment thread: from its label (or its first signature, when no
    label stands within :data:`THREAD_LABEL_LINES` above it) to the page's end, once the page shows
    :data:`THREAD_SIGNATURES` signatures (or :data:`THREAD_STAMPS` stamped ones). A long comment
    is prose too, and could outweigh a short story; the story comes before the thread on every page."""
    opening = _opening(lines)
    if opening is None:
        return range(0)
    signed = [i for i in range(opening + 1, len(lines)) if (lines[i].chrome or "").startswith("comment-signature:")]
    if len(signed) < THREAD_SIGNATURES:
        signed = _stamped_comments(lines, opening)
        if len(signed) < THREAD_STAMPS:
            return _named_thread(lines, opening)
    first = signed[0]
    labels = [
        i for i in range(max(opening + 1, first - THREAD_LABEL_LINES), first)
        if (lines[i].chrome or "").startswith(("section-label:", "comment-chrome:"))
    ]  # fmt: skip
    return range(labels[-1] if labels else first, len(lines))


def _opening(lines: list) -> int | None:
    """The story's first sentence of prose (a line the classifier would not call short) below its
    headline: a post's own "Posted by ... 12 comments" stands above it, and signs no comment. (A
    page title is no headline here: a site's tagline under it may be a sentence.)"""
    from .prose import sentence_like, thresholds

    shortest = thresholds().length_low
    below = next((i for i, x in enumerate(lines) if i and (x.chrome or "").startswith(HEADLINE)), 0)
    return next(
        (
            i
            for i, x in enumerate(lines)
            if i > below and not x.chrome and len(x.text) >= shortest and sentence_like(x.text)
        ),
        None,
    )


#: A date and a time in figures ("2026-03-09 19:05", "09.03.2026 19:05:12", "2026年3月9日 19:05").
_DATE_TIME = re.compile(
    r"(?<!\d)\d{1,4}[-/.年]\d{1,2}[-/.月]\d{1,4}日?[ T]*\d{1,2}:\d{2}(:\d{2})?(\s*[ap]\.?m\.?)?", re.I
)
#: This many short lines stamped with a date, a time and words (a name, a title, "reply") after
#: the story's first sentence sign a thread or a list of other posts: none of the 422 development
#: pages has three inside its story (docs/finding-the-story.md).
THREAD_STAMPS = 3


def _stamped(text: str) -> bool:
    """A short line with a date and a time and words besides ("# re: <title> 2026-03-09 19:05 Ann")."""
    from .prose import length

    if length(text) > HEADER_LENGTH:  # a paragraph's dates are not a signature's (and not searched)
        return False
    m = _DATE_TIME.search(text)
    return m is not None and bool(re.search(r"[^\W\d_]", text[: m.start()] + text[m.end() :]))


def _stamped_comments(lines: list, opening: int) -> list[int]:
    """The stamped lines after line ``opening`` that sign a comment: a sentence follows before
    the next stamp (a list of other stories' stamps and headlines has none)."""
    from .prose import ends_sentence

    stamped = [i for i in range(opening + 1, len(lines)) if _stamped(lines[i].text)]
    ends = [*stamped[1:], len(lines)]
    return [
        i for i, j in zip(stamped, ends)
        if any(not x.chrome and ends_sentence(x.text) for x in lines[i + 1 : min(j, i + 1 + THREAD_NAME_LINES)])
    ]  # fmt: skip


#: A comment count that may open a thread: "{ 12 comments }", "12 responses", "Comments (40)",
#: "12 comments to <the post's title>", "3 thoughts on “<title>”".
_COUNT = re.compile(
    r"[\[{(]?\s*\d+\s+(comments?|responses?|replies|thoughts)(\s+(to|on)\s+.{1,200}|\b.{0,40})"
    r"|comments?\s*[\[(]\d+[\])]",
    re.I,
)
#: How many of the lines after a comment count must sign comments for the count to open a
#: thread: the page's repeated short lines (commenters' names: they reply to one another), or
#: time stamps.
THREAD_NAMES = 2
THREAD_NAME_LINES = 8
#: The rules whose lines sign a comment when they follow a comment count ...
_STAMPS = ("comment-signature:", "dateline:")
#: ... and a short line that ends with a time of day ("Ann Reis March 9, 2026 at 7:05 pm",
#: "Rui 03.09.26 at 19:05": a name and a stamp with nothing between them).
_ENDS_AT_TIME = re.compile(r"(\S+\s+){0,9}\S*\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?", re.I)


def _signed_at(text: str) -> bool:
    return len(text) <= 120 and bool(_ENDS_AT_TIME.fullmatch(text.strip()))


def _named_thread(lines: list, opening: int) -> range:
    """A thread signed by names or stamps: a comment count after the story's first sentence,
    and within :data:`THREAD_NAME_LINES` below it :data:`THREAD_NAMES` short lines the page
    repeats, or as many time stamps ("March 9th, 2026 at 7:05 pm": a story's own date stands
    above it, not below a comment count)."""
    for i in range(opening + 1, len(lines)):
        if not _COUNT.fullmatch(lines[i].text.strip()):
            continue
        below = lines[i + 1 : i + 1 + THREAD_NAME_LINES]
        names = [x for x in below if (x.chrome or "").startswith("repeated:") and len(x.text.split()) <= 4]
        stamps = [x for x in below if (x.chrome or "").startswith(_STAMPS) or _signed_at(x.text)]
        if len(names) >= THREAD_NAMES or len(stamps) >= THREAD_NAMES:
            return range(i, len(lines))
    return range(0)


def _teasers(title: str | None, texts: list[str]) -> list[int]:
    """Lines that are this story's own card (a list of the site's stories includes it): the
    headline, then the story's opening words, which another line of the page says in full."""
    from .prose import fold

    head = fold(title or "")
    if head.count(" ") < 3:
        return []
    folded = [fold(t) for t in texts]
    found = []
    for i, line in enumerate(folded):
        rest = line[len(head) :].split() if line.startswith(head + " ") else []
        opening = " ".join(rest[:TEASER_WORDS])
        if len(rest) >= TEASER_WORDS and any(
            other.startswith(opening) for other in folded if not other.startswith(head)
        ):
            found.append(i)
    return found


def publication(story: Story) -> str | None:
    """Whose page a story is, for its template: the site an HTML page names, else the site name
    after the headline on a scraped page's first line ("Talks resume - The Ledger")."""
    from urllib.parse import urlparse

    if story.meta.get("site"):
        return str(story.meta["site"])
    if story.url:
        return urlparse(story.url).hostname
    first = next((line for line in page_lines(story.blocks[:1])), "")
    site = first[len(prose.without_site(first)) :].strip(" |-–—:·»")
    return site or None


def identity(story: Story) -> str:
    """Which page a story is, whatever its edits: its URL, else its title, else its first line."""
    return story.url or story.title or next(iter(page_lines(story.blocks[:1])), story.source)
