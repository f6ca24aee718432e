"""Stage 2, cleaning (the classifier): tell the story's prose from page chrome by what each line shows.

A flat scrape has no markup to go by, so each line is judged on signals any page shows (as
jusText does): its length, its share of stopwords, whether it ends like a sentence. Lines too
short to judge take the verdict of their neighbours, and the story is the densest stretch of
prose on the page (the maximum-sum run, as in Body Text Extraction), so menus, teasers and
footers around it fall away even when a line of them reads like prose. The thresholds are data
(``[classifier]`` in ``data/boilerplate.toml``).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from importlib import resources

from .._compat import tomllib
from ..languages import LANGUAGES
from ..settings import base_language

GOOD, NEARGOOD, SHORT, BAD = "good", "neargood", "short", "bad"
#: Han characters and kana: written without spaces, each one is counted as a word (a segmenter
#: would find words of one to three of them; per character is what CJK benchmarks score).
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{CJK}]")
_WORD = re.compile(f"[{CJK}]|[^\\W{CJK}]+", re.UNICODE)
_CJK_RUN = re.compile(f"[{CJK}]{{2,}}")
#: A CJK character says about as much as this many letters of a spaced language (lengths are
#: jusText's, in characters of English).
CJK_WEIGHT = 3
#: A line that ends the way a sentence does (closing quotes and brackets allowed).
_SENTENCE_END = re.compile(r"""[.!?…:。！？：]["'”’»)\]」』）]*$""")
#: A line with this many words that ends like a sentence reads as one (not a menu, a label).
SENTENCE_WORDS = 8
#: A long line mostly of CJK characters that holds this many sentences (。！？) is prose, whatever
#: its stopwords: per character, stopwords-iso's lists cover less of Chinese and Japanese prose
#: than jusText's cover of a spaced language's (most of the marked story lines of the
#: development pages fall under 0.32, Japanese ones under 0.30), while chrome in those
#: languages is a headline, a label or a menu, seldom two sentences (docs/finding-the-story.md).
CJK_SENTENCES = 2
_CJK_SENTENCE = re.compile(r"[。！？]")


def count_words(text: str) -> int:
    """Words as a reader counts them: spaced words, and each CJK character."""
    return sum(max(1, len(_CJK.findall(token))) for token in text.split())


def length(text: str) -> int:
    """A line's length in characters of a spaced language: a CJK character counts :data:`CJK_WEIGHT`."""
    return len(text) + (CJK_WEIGHT - 1) * len(_CJK.findall(text))


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends the way a sentence does (closing quotes and brackets allowed)."""
    return bool(_SENTENCE_END.search(text.rstrip()))


def cjk_sentences(text: str) -> int:
    """How many sentences (。！？) a line mostly of CJK characters holds: 0 for any other line."""
    if len(_CJK.findall(text)) * 2 < len(_WORD.findall(text)):
        return 0
    return len(_CJK_SENTENCE.findall(text))


def sentence_like(text: str) -> bool:
    return count_words(text) >= SENTENCE_WORDS and ends_sentence(text)


@dataclass(frozen=True)
class Thresholds:
    """The classifier's settings; the defaults are jusText's, tuned on real pages (docs/finding-the-story.md)."""

    #: Lines shorter than this (characters) are too short to judge on their own.
    length_low: int = 70
    #: Lines longer than this with enough stopwords are prose outright.
    length_high: int = 200
    #: Share of stopwords below which a line is not prose (menus and lists of names have few).
    stopwords_low: float = 0.30
    #: Share of stopwords at which a line reads as prose.
    stopwords_high: float = 0.32
    #: A long line that ends like a sentence is near-good from this share (names and figures
    #: crowd the stopwords out of sports and business reports).
    stopwords_long: float = 0.20
    #: A short line this close (characters) before prose may be its heading.
    max_heading_distance: int = 200
    #: This many short lines in a row, few of them ending like a sentence, are a menu.
    menu_run: int = 3
    #: This many long lines in a row, none ending like a sentence, are a list of other stories'
    #: headlines (a paragraph of the story ends with its sentence).
    headline_run: int = 5
    #: What a line of chrome costs the stretch it interrupts: its length plus this (characters).
    chrome_cost: int = 25
    #: One line of chrome costs at most this much of its length: an interruption, however long.
    chrome_cap: int = 40
    #: A line of prose with no prose on either side (a teaser under its headline, a caption)
    #: counts for this share of its length.
    isolated_weight: float = 0.3
    #: The story is the first run of prose at least this share of the densest one (comments and
    #: teasers after a story can outweigh it).
    first_stretch: float = 0.3
    #: ... or this share, when the chrome between them is shorter than ``wall_gap`` lines.
    continued_stretch: float = 0.2
    #: The longest list or table a sentence ending with a colon may introduce (lines).
    list_max: int = 60
    #: A line of chrome that costs this much is a wall: no stretch past it is the story's.
    wall: int = 400
    #: ... when the chrome between the stretches is this many lines or more.
    wall_gap: int = 6
    #: This many lines in a row that are not prose end a run of prose: what follows is a stretch of
    #: its own, which joins the story as any stretch past ``wall_gap`` does (0: never).
    run_gap: int = 15
    #: A second stretch is the story's too when its prose is at least this share of the first's.
    second_stretch: float = 0.5
    #: The story starts below the last headline that has at least this share of the most prose
    #: any headline has below it (a repeat under the story had 0.06 to 0.28 on the development
    #: pages, a headline under teasers that outweigh its story 0.40).
    headline_share: float = 0.35
    #: An HTML line with at least this share of its words in links is a link to another page ...
    link_share: float = 0.8
    #: ... when it has this many words or more (a bare URL or a product's name is the story's).
    link_words: int = 3


@functools.cache
def thresholds() -> Thresholds:
    data = tomllib.loads(resources.files("audio_edition").joinpath("data/boilerplate.toml").read_text("utf-8"))
    table = data.get("classifier", {})
    known = {f.name for f in fields(Thresholds)}
    return Thresholds(**{k: v for k, v in table.items() if k in known})


#: The stopword list of a language code (languages.py); a page in another language is detected.
STOPLISTS: dict[str, str] = {code: lang.stoplist for code, lang in LANGUAGES.items() if lang.stoplist}
#: The language a stopword list is of: STOPLISTS the other way, and jusText's variants.
LANGUAGE_OF_STOPLIST: dict[str, str] = {
    **{name: code for code, name in reversed(STOPLISTS.items())},
    "Simple_English": "en",
    "Norwegian_Nynorsk": "no",
}
#: The share of a page's prose words the stated language's stopwords must cover to be its language.
LANGUAGE_SHARE = 0.2
#: Below this share of the page's prose words in the best stopword list, the page is in a
#: language no list knows (Zulu, Xhosa: the best list is English, from the chrome), and lines
#: are judged by length and shape alone, as jusText does without a stoplist. Stories in the
#: languages that have a list cover 0.16 or more of their pages' words, Zulu and Xhosa 0.02 to
#: 0.13 (docs/finding-the-story.md).
KNOWN_LANGUAGE_SHARE = 0.145


#: Languages jusText has no stopwords for, from stopwords-iso (the ``stopwordsiso`` package): its
#: code for each. Their stopwords are single characters and words; a CJK line is read per character.
ISO_STOPLISTS: dict[str, str] = {"Chinese": "zh", "Japanese": "ja", "Thai": "th"}


@functools.cache
def _stoplist(name: str) -> frozenset[str]:
    if name in ISO_STOPLISTS:
        import stopwordsiso

        return frozenset(stopwordsiso.stopwords(ISO_STOPLISTS[name]))
    import justext  # ships jusText's stopword lists for 100 languages; a trafilatura dependency

    return frozenset(justext.get_stoplist(name))


@functools.cache
def _stoplists() -> dict[str, frozenset[str]]:
    import justext

    return {name: _stoplist(name) for name in sorted([*justext.get_stoplists(), *ISO_STOPLISTS])}


def stoplist_for(lines: Sequence[str], language: str | None = None) -> frozenset[str]:
    """The stopword list of the page's language: the stated ``language``'s when its stopwords
    cover enough of the page's prose, else the list that covers most of its commonest words.

    Only lines of prose length vote (menus are names), and the ties go to the list that covers
    most words for its size (the long lists of some languages hold English words too).
    """
    words = _prose_words(lines)
    if not words:
        return frozenset()
    name = STOPLISTS.get(base_language(language or ""))
    if name:
        stated = _stoplist(name)
        if _share(words, stated) >= LANGUAGE_SHARE:
            return stated
    return _stoplist(_best_stoplist(words))


def _share(words: list[str], stops: frozenset[str]) -> float:
    """The share of ``words`` that ``stops`` holds (1.0 with no words)."""
    return sum(w in stops for w in words) / len(words) if words else 1.0


def _prose_words(lines: Sequence[str]) -> list[str]:
    voters = [line for line in lines if len(_WORD.findall(line)) >= 8] or list(lines)
    return [w.lower() for line in voters for w in _WORD.findall(line)]


def _best_stoplist(words: list[str]) -> str:
    """The name of the stopword list that covers most of the commonest words (for its size)."""
    common = [w for w, _ in Counter(words).most_common(100)]

    def score(name: str) -> tuple[int, float]:
        stops = _stoplists()[name]
        return sum(w in stops for w in common), sum(w in stops for w in words) / len(stops) ** 0.5

    return max(_stoplists(), key=score)


#: BCP 47's "undetermined": prose in a language no stopword list here knows ...
UNDETERMINED = "und"
#: ... said only of this many words or more (a headline and a line may hold no stopword at all).
UNDETERMINED_WORDS = 25


def language_of(lines: Sequence[str]) -> str | None:
    """The language code of the prose in ``lines`` (by whose stopwords cover it): None if it is
    not one :data:`STOPLISTS` names or there are no words, :data:`UNDETERMINED` if no list covers
    :data:`KNOWN_LANGUAGE_SHARE` of its words."""
    words = _prose_words(lines)
    if not words:
        return None
    best = _best_stoplist(words)
    if len(words) >= UNDETERMINED_WORDS and _share(words, _stoplists()[best]) < KNOWN_LANGUAGE_SHARE:
        return UNDETERMINED
    return LANGUAGE_OF_STOPLIST.get(best)


@dataclass(frozen=True)
class Line:
    """A line to judge. ``chrome`` names what already called it chrome (a rule, the page's
    repeats, the publication's template); ``cost`` is what it then costs the stretch around it."""

    text: str
    chrome: str | None = None
    cost: int | None = None


@dataclass(frozen=True)
class Judged:
    """One line's verdict: ``in_story`` if it is spoken; ``why`` says why, for ``lint``."""

    text: str
    in_story: bool
    why: str
    stopwords: float


#: A line of this many spaced words or more that says a few of them over and over ("Select
#: Month May 2026 April 2026 ...", "Share on X Share on Y"), and does not end like a sentence,
#: is a list, however many stopwords it has (jusText's English list holds the months) ...
REPEATING_WORDS = 20
#: ... when, in windows of :data:`WORD_WINDOW` words, under this share of its words are
#: distinct: 0.11 to 0.42 for the archives and share bars of the development pages, 0.5 and
#: more for every line of prose (CJK characters repeat more, and are not counted).
DISTINCT_SHARE = 0.4
WORD_WINDOW = 40


def repeating(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower case) say a few words over and over: a list, not prose."""
    spaced = [w for w in words if not _CJK.match(w)]
    if len(spaced) < REPEATING_WORDS:
        return False
    size = min(WORD_WINDOW, len(spaced))
    windows = [spaced[i : i + size] for i in range(0, len(spaced) - size + 1, size)]
    return sum(len(set(w)) / size for w in windows) < DISTINCT_SHARE * len(windows)


def _initial(text: str, stops: frozenset[str], t: Thresholds) -> tuple[str, float]:
    words = [w.lower() for w in _WORD.findall(text) if not w.isdigit()]  # scores and figures are neither
    if not words:
        return BAD, 0.0
    density = sum(1 for w in words if w in stops) / len(words)
    if _never_prose(text, words):
        return BAD, density
    size = length(text)
    if size < t.length_low:
        return SHORT, density
    return _by_stopwords(text, size, density, t), density


def _never_prose(text: str, words: list[str]) -> bool:
    """A copyright line, or a line that says a few words over and over and ends no sentence."""
    return (
        "©" in text or bool(re.search(r"\bcopyright\b", text, re.I)) or (repeating(words) and not ends_sentence(text))
    )


def _by_stopwords(text: str, size: int, density: float, t: Thresholds) -> str:
    """A line long enough to judge, by its share of stopwords, its length and how it ends (a long
    CJK line of sentences is prose whatever its stopwords)."""
    long, ends = size > t.length_high, bool(_SENTENCE_END.search(text))
    if long and ends and cjk_sentences(text) >= CJK_SENTENCES:
        return GOOD
    if density >= t.stopwords_high:
        return GOOD if long or ends else NEARGOOD
    if density >= t.stopwords_low or (density >= t.stopwords_long and long and ends):
        return NEARGOOD
    return BAD


def _menus(classes: list[str], lines: Sequence[str], t: Thresholds) -> list[str]:
    """Runs of short lines that do not end like sentences (menus, tag lists, share bars) are chrome."""
    out = list(classes)
    i = 0
    while i < len(classes):
        j = i
        while j < len(classes) and classes[j] == SHORT:
            j += 1
        if j - i >= t.menu_run and sum(bool(_SENTENCE_END.search(lines[k])) for k in range(i, j)) * 2 < j - i:
            out[i:j] = [BAD] * (j - i)
        i = max(j, i + 1)
    return out


def _complete(text: str) -> bool:
    """Whether a line ends like a sentence that is not cut short ("... hired by his...")."""
    return ends_sentence(text) and not text.rstrip().endswith(("...", "…"))


def _headline_lists(classes: list[str], lines: Sequence[str], t: Thresholds) -> list[str]:
    """Runs of long lines none of which ends a sentence (teasers: a headline and its subtitle,
    or its opening words cut short) are chrome, however many stopwords they hold."""
    out = list(classes)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and length(lines[j]) >= t.length_low and not _complete(lines[j]):
            j += 1
        if j - i >= t.headline_run:
            out[i:j] = [BAD] * (j - i)
        i = max(j, i + 1)
    return out


def _boxes(classes: list[str], lines: Sequence[Line], t: Thresholds) -> list[str]:
    """The lines under a section label ("Related", "Most read"), up to the next prose, are its links."""
    out = list(classes)
    inside = False
    for i, line in enumerate(lines):
        if line.chrome and line.cost is not None and line.cost >= t.wall:
            inside = True
        elif out[i] in (GOOD, NEARGOOD):
            inside = False  # prose, even near-good, ends the box
        elif inside and out[i] == SHORT:
            out[i] = BAD
    return out


def _neighbour(classes: list[str], i: int, step: int, ignore_neargood: bool) -> str:
    j = i + step
    while 0 <= j < len(classes):
        c = classes[j]
        if c in (GOOD, BAD) or (c == NEARGOOD and not ignore_neargood):
            return c
        j += step
    return BAD


def _smooth(classes: list[str], lengths: list[int], t: Thresholds) -> list[str]:
    """jusText's context rules: short and near-good lines take their neighbours' verdict."""
    classes = list(classes)
    # A short line right before prose may be its heading: judge it as near-good.
    for i, c in enumerate(classes):
        if c != SHORT:
            continue
        distance = 0
        for j in range(i + 1, len(classes)):
            if classes[j] == GOOD:
                classes[i] = NEARGOOD if distance <= t.max_heading_distance else SHORT
                break
            distance += lengths[j]
            if distance > t.max_heading_distance:
                break
    revised = list(classes)
    for i, c in enumerate(classes):
        if c != SHORT:
            continue
        prev, nxt = _neighbour(classes, i, -1, True), _neighbour(classes, i, 1, True)
        if prev == nxt:
            revised[i] = prev
        elif (prev == BAD and _neighbour(classes, i, -1, False) == NEARGOOD) or (
            nxt == BAD and _neighbour(classes, i, 1, False) == NEARGOOD
        ):
            revised[i] = GOOD
        else:
            revised[i] = BAD
    final = list(revised)
    for i, c in enumerate(revised):
        if c != NEARGOOD:
            continue
        prev, nxt = _neighbour(revised, i, -1, True), _neighbour(revised, i, 1, True)
        final[i] = BAD if prev == nxt == BAD else GOOD
    return final


def _list_after(lines: Sequence[Line], end: int, t: Thresholds) -> int:
    """Where the list or table after a sentence ending with a colon ends: at the first line of
    chrome, or after :data:`Thresholds.list_max` lines."""
    stop = end
    while stop < len(lines) and stop - end < t.list_max and not lines[stop].chrome:
        stop += 1
    return stop


def _lead_in(cls: str, text: str) -> bool:
    """A near-good line long enough to be a paragraph (a title, a credit or a caption is shorter)."""
    return cls == NEARGOOD and count_words(text) >= 16


def _heading_like(text: str) -> bool:
    return 1 <= count_words(text) <= 10 and not re.search(r"[.!?:;,。！？：；，、]$", text)


_LETTER = re.compile(r"[^\W\d_]")


def _accompanied(prosy: list[bool], i: int, chrome: list[bool]) -> bool:
    """Whether prose stands next to line ``i``, past one line of chrome a rule named or of no
    letters at all (an inline pitch, a credit or a row of stars between two paragraphs does not
    make the second a teaser: a headline over a teaser has words)."""
    for step in (-1, 1):
        j = i + step
        if 0 <= j < len(prosy) and not prosy[j] and chrome[j]:
            j += step
        if 0 <= j < len(prosy) and prosy[j]:
            return True
    return False


def _in_company(prosy: list[bool], i: int, chrome: list[bool], named: list[bool]) -> bool:
    """Whether line ``i`` stands with prose: next to it (:func:`_accompanied`), or past one line
    that is not prose and that no rule named (``named``: a section label is a wall) to a paragraph
    with prose next to it. A caption or a subheading between a story's first paragraph and the rest
    does not make the first a teaser; a teaser's blurb, past the next teaser's headline, reaches
    only another lone blurb."""
    if _accompanied(prosy, i, chrome):
        return True
    for step in (-1, 1):
        j, k = i + step, i + 2 * step
        if 0 <= k < len(prosy) and not prosy[j] and not named[j] and prosy[k] and _accompanied(prosy, k, chrome):
            return True
    return False


def _best_run(gains: list[int], lo: int, hi: int) -> tuple[int, int, int]:
    """The maximum-sum run of ``gains[lo:hi]`` (Kadane): (score, start, end)."""
    best = (0, lo, lo)
    run, start = 0, lo
    for i in range(lo, hi):
        if run <= 0:
            run, start = 0, i
        run += gains[i]
        if run > best[0]:
            best = (run, start, i + 1)
    return best


def _gains(classes: list[str], costs: list[int]) -> list[int]:
    """What each line adds to a run of prose: prose its cost, anything else minus its cost."""
    return [cost if c == GOOD else -cost for c, cost in zip(classes, costs)]


def _runs(gains: list[int], lo: int, hi: int) -> list[tuple[int, int, int]]:
    """Every run that stands out, by position: the best run of ``gains[lo:hi]``, then the best
    runs left and right of it, and so on: (score, start, end)."""
    score, a, b = _best_run(gains, lo, hi)
    if score <= 0:
        return []
    return [*_runs(gains, lo, a), (score, a, b), *_runs(gains, b, hi)]


def _stretches(classes: list[str], costs: list[int], t: Thresholds) -> list[tuple[int, int]]:
    """The story's stretches: the first run of prose nearly as dense as the densest, the runs just
    above it that join it (a lead above a box of ads), and the runs after it that join it, up to
    a wall (a section label: "Comments", "Related")."""
    gains = _gains(classes, costs)
    runs = [run for lo, hi in _segments(classes, t) for run in _runs(gains, lo, hi)]
    if not runs:
        return []
    top = max(score for score, _, _ in runs)
    main = next(i for i, (score, _, _) in enumerate(runs) if score >= top * t.first_stretch)
    best = runs[main][0]
    # a lead above an interruption (a box of ads under the headline) begins the story, as a
    # smaller stretch after one continues it
    while main > 0:
        score, _, end = runs[main - 1]
        gap = range(end, runs[main][1])
        if _walled(gap, classes, costs, t) or not _joins(score, best, gap, t):
            break
        main -= 1
    kept = [runs[main][1:]]
    for score, a, b in runs[main + 1 :]:
        gap = range(kept[-1][1], a)
        if _walled(gap, classes, costs, t):
            break
        if _joins(score, best, gap, t):
            kept.append((a, b))
    return kept


def _segments(classes: list[str], t: Thresholds) -> list[tuple[int, int]]:
    """The parts of a page that :attr:`Thresholds.run_gap` lines of chrome in a row divide. A list
    of teasers under a story, each a headline and a blurb, can hold more prose than the menus
    between them cost, and the densest run would reach across them into the list."""
    parts, lo, chrome = [], 0, 0
    for i, c in enumerate(classes):
        chrome = 0 if c == GOOD else chrome + 1
        if chrome and chrome == t.run_gap:
            parts.append((lo, i + 1 - chrome))
            lo = i + 1 - chrome
    return [*parts, (lo, len(classes))]


def _walled(gap: range, classes: list[str], costs: list[int], t: Thresholds) -> bool:
    """Whether the lines between two runs of prose end the story: a box inside it ("Related",
    two links) is short; what follows its end is long and has a wall (a section label)."""
    return len(gap) >= t.wall_gap and any(classes[i] != GOOD and costs[i] >= t.wall for i in gap)


def _joins(score: int, best: int, gap: range, t: Thresholds) -> bool:
    """Whether a run of prose ``score`` across ``gap`` from the story's densest run (``best``) is
    the story's too: nearly as dense, or, past a short interruption (a box, an ad), less so."""
    return score >= best * (t.continued_stretch if len(gap) < t.wall_gap else t.second_stretch)


def _costs(
    lines: Sequence[Line], classes: list[str], initial: list[str], lengths: list[int], t: Thresholds
) -> list[int]:
    """What each line counts for in the maximum-sum run: prose its length (a lone paragraph
    less), chrome against it (a rule's cost, else its capped length)."""
    prosy = [c in (GOOD, NEARGOOD) for c in initial]
    # what a paragraph is not alone past: an inline line of chrome (not a wall), a row of stars
    chrome = [(bool(x.chrome) and (x.cost or 0) < t.wall) or not _LETTER.search(x.text) for x in lines]
    named = [bool(x.chrome) for x in lines]
    costs = []
    for i, (x, c, n) in enumerate(zip(lines, classes, lengths)):
        if x.chrome and x.cost is not None:
            costs.append(x.cost)
        elif c != GOOD:
            costs.append(min(n, t.chrome_cap) + t.chrome_cost)
        else:
            costs.append(n if _in_company(prosy, i, chrome, named) else int(n * t.isolated_weight))
    return costs


def judge(
    lines: Sequence[Line],
    stops: frozenset[str] | None = None,
    t: Thresholds | None = None,
    *,
    headlines: Sequence[int] = (),
    language: str | None = None,
) -> list[Judged]:
    """Judge each line of a page: the lines of the story's densest stretches that read as prose.

    ``headlines``: the lines where the story's headline stands (menus and teasers may repeat it);
    the story begins after the last of them that comes before its densest stretch.
    """
    t = t or thresholds()
    texts = [line.text for line in lines]
    unruled = [x.text for x in lines if not x.chrome]
    stops = stoplist_for(unruled, language) if stops is None else stops
    if _share(_prose_words(unruled), stops) < KNOWN_LANGUAGE_SHARE:
        t = replace(t, stopwords_low=0.0, stopwords_high=0.0, stopwords_long=0.0)
    initial = [(BAD, 0.0) if x.chrome else _initial(x.text, stops, t) for x in lines]
    lengths = [len(x) for x in texts]
    classes = _headline_lists(_menus([c for c, _ in initial], texts, t), texts, t)
    classes = _smooth(_boxes(classes, lines, t), lengths, t)
    if GOOD not in classes:
        # Nothing on the page reads as prose (a few short lines, a list): nothing to tell apart.
        return [
            Judged(x.text, not x.chrome, x.chrome or "no prose on the page to compare with", d)
            for x, (_, d) in zip(lines, initial)
        ]
    costs = _costs(lines, classes, [c for c, _ in initial], lengths, t)
    story = _story(lines, _Page(classes, costs, [c for c, _ in initial]), headlines, t)
    return [
        _verdict(i, x, first, density, classes[i], story, t)
        for i, (x, (first, density)) in enumerate(zip(lines, initial))
    ]


@dataclass(frozen=True)
class _Page:
    """What :func:`judge` knows of each line: its class after smoothing, its cost in the
    maximum-sum run, and its class on its own."""

    classes: list[str]
    costs: list[int]
    initial: list[str]


@dataclass(frozen=True)
class _Story:
    """Where the story lies on a page."""

    #: The lines of its stretches.
    keep: frozenset[int]
    #: The lines of a list or table a sentence of it introduced.
    listed: frozenset[int]
    #: The first line below its headline (0 without one).
    start: int


def _story(lines: Sequence[Line], page: _Page, headlines: Sequence[int], t: Thresholds) -> _Story:
    """The story's stretches, below the last headline above its densest one."""
    classes, costs = page.classes, page.costs
    start = _below_headline(page, headlines, t)
    keep: set[int] = set()
    listed: set[int] = set()
    for a, b in _stretches(classes[start:], costs[start:], t):
        a, told, b = _edges(lines, page, a + start, b + start, start, t)
        keep.update(range(a, b))
        listed.update(i for i in range(told, b) if classes[i] != GOOD)
    return _Story(frozenset(keep), frozenset(listed), start)


def _prose_after(page: _Page, start: int, t: Thresholds) -> int:
    """How much prose the story's stretches hold when it starts at line ``start``."""
    stretches = _stretches(page.classes[start:], page.costs[start:], t)
    return sum(page.costs[start + i] for a, b in stretches for i in range(a, b) if page.classes[start + i] == GOOD)


def _below_headline(page: _Page, headlines: Sequence[int], t: Thresholds) -> int:
    """Where the story starts: below the last headline above the end of the densest stretch that
    still has :attr:`Thresholds.headline_share` of the most prose any of them has below it. A
    repeat of the headline in a list at the story's foot ("In this series", "Next up") has only
    teasers below it; the headline over the story keeps it even when teasers above it, each a
    headline and its opening words, joined the densest stretch and outweigh it."""
    if not headlines:
        return 0
    last = max(_stretches(page.classes, page.costs, t), key=lambda ab: sum(page.costs[ab[0] : ab[1]]))[1]
    starts = [h + 1 for h in headlines if h < last]
    if not starts:
        return 0
    after = {s: _prose_after(page, s, t) for s in starts}
    best = max(after.values())
    return max(s for s in starts if after[s] >= best * t.headline_share)


def _edges(lines: Sequence[Line], page: _Page, a: int, b: int, lo: int, t: Thresholds) -> tuple[int, int, int]:
    """A stretch's ends: it starts and ends with a line that is prose on its own, not a credit or
    a dek; a heading that leads into the first paragraph stays with it, and so does the list or
    table its last sentence introduces ("... after 36 races:"). Returns its start, where its
    prose ends (and such a list begins) and its end."""
    texts, initial = [x.text for x in lines], page.initial
    while a < b and initial[a] != GOOD and not _lead_in(initial[a], texts[a]):
        a += 1
    if lo < a < b and page.classes[a - 1] == GOOD and _heading_like(texts[a - 1]):
        a -= 1
    while b > a and initial[b - 1] != GOOD and not _lead_in(initial[b - 1], texts[b - 1]):
        b -= 1
    if b > a and texts[b - 1].rstrip().endswith(":"):
        return a, b, _list_after(lines, b, t)
    return a, b, b


def _verdict(i: int, x: Line, first: str, density: float, c: str, story: _Story, t: Thresholds) -> Judged:
    """Line ``i``'s verdict and why, once the story is known: ``first`` and ``density`` are its
    class and stopword density on its own, ``c`` its class among its neighbours."""
    keep = story.keep
    if x.chrome:
        why = x.chrome
    elif i < story.start:
        why = "before the story's headline"
    elif i not in keep:
        why = "outside the story's densest stretch of prose"
    elif c == GOOD:
        why = "prose" if first == GOOD else f"{first} line among prose"
    elif i in story.listed:
        c, why = GOOD, "a list the story introduced (its sentence ends with a colon)"
    elif first == NEARGOOD or (
        length(x.text) >= t.length_low and _SENTENCE_END.search(x.text) and i - 1 in keep and i + 1 in keep
    ):
        c, why = GOOD, f"{first} line inside the story"  # the stretch vouches for it
    else:
        why = f"{first} line, not prose (stopwords {density:.2f})"
    return Judged(x.text, i in keep and c == GOOD, why, density)


#: What separates a page title from the site's name: "Story - WSJ", "Story | Reuters".
_SITE_SEPARATOR = re.compile(r"\s+[|\-–—:·»]\s+|\s+::\s+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def fold(text: str) -> str:
    """A line as compared with another: case, quotes and spacing aside."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def _same(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def without_site(title: str, max_words: int = 5) -> str:
    """A page title without the site's name after it, or a section's before it:
    "Talks resume - The Ledger" and "Opinion | Talks resume" -> "Talks resume"."""
    for _ in range(8):  # "Story | Section | Site" loses both
        parts = _SITE_SEPARATOR.split(title)
        if len(parts) < 2 or len(" ".join(parts[:-1]).split()) < 2 or len(parts[-1].split()) > max_words:
            break
        title = title[: title.rfind(parts[-1])].rstrip(" |-–—:·»")
    parts = re.split(r"\s+\|\s+", title, maxsplit=1)  # "Opinion | ...": a section label first
    if len(parts) == 2 and len(parts[0].split()) <= 2 and len(parts[1].split()) >= 3 and " | " not in parts[1]:
        title = parts[1]
    return title.strip()


#: Where a page says where the reader is ("Home > World", "当前位置：首页｜新闻").
_LOCATION = re.compile(r"\s*(当前位置|您的位置|你的位置|现在的位置|you are here|home)\s*[:：>»›|｜/]", re.I)
#: What separates a breadcrumb's parts, or a site's name from its section ("雅虎 - 财经").
_CRUMB = re.compile(r"\s*[|｜»›>·•]\s*|\s+[-–—]\s+")
#: The most a part of a breadcrumb holds: one spaced word, or this many CJK characters.
CRUMB_CJK_CHARS = 8


def breadcrumb_like(text: str) -> bool:
    """Whether a line is where the page stands, not a headline: a location ("Home > World") or
    parts all of one word or a few CJK characters ("雅虎 - 财经", "Sport | Football")."""
    if _LOCATION.match(text):
        return True
    parts = [p for p in _CRUMB.split(text.strip()) if p]
    if len(parts) < 2:
        return False

    def short(part: str) -> bool:
        cjk = len(_CJK.findall(part))
        return cjk <= CRUMB_CJK_CHARS if cjk else len(part.split()) <= 1

    return all(short(p) for p in parts)


#: A run of this many title-like lines is a list.
LIST_RUN = 4


def _title_words(text: str) -> int:
    """Words as a title counts them: spaced words, or a word for every two CJK characters (a
    Chinese word is one to three of them, and a headline has no spaces to count)."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    return sum(1 for w in _WORD.findall(text) if not _CJK.match(w)) + (cjk + 1) // 2


def _title_like(text: str) -> bool:
    return (
        not breadcrumb_like(text)
        and 2 <= _title_words(text) <= 30
        and len(text) <= 200
        and not re.search(r"[.;,。，；、]$", text)
        and not re.search(r"@\w|^\(.*\)$", text)  # a handle, a bracketed credit
        and sum(c.isdigit() for c in text) * 4 < len(text)  # a date or a score line
    )


def _stems(text: str, stops: frozenset[str] = frozenset()) -> set[str]:
    """Content words cut to their first five letters ("stepping" and "stepped" agree), and each
    two CJK characters side by side (a headline's Chinese words are the story's; one character
    alone is as often a particle)."""
    words = {w.lower()[:5] for w in _WORD.findall(text) if not w.isdigit() and w.lower() not in stops and len(w) > 2}
    return words | {run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)}


def _listed(titles: list[bool]) -> list[bool]:
    """Which titles are entries of a list (the story's contents, teasers): inside a run of
    :data:`LIST_RUN` titles or more, not at its ends. A kicker, a headline and a dek make a run of
    three with the headline inside."""
    listed = [False] * len(titles)
    start = 0
    for i, title in enumerate([*titles, False]):
        if title:
            continue
        if i - start >= LIST_RUN:
            listed[start + 1 : i - 1] = [True] * (i - start - 2)
        start = i + 1
    return listed


def _headline_candidates(lines: Sequence[Line], first: int, page_title: str, story_start: int) -> list[tuple[str, int]]:
    """The page title and the title-like lines of the fifteen above the story, but a list's entries."""
    lo = max(first + 1, story_start - 15)
    # a list's run may reach past those lines: LIST_RUN - 1 more on each side tell an entry from an end
    a, b = max(0, lo - LIST_RUN + 1), min(len(lines), story_start + LIST_RUN - 1)
    titles = [not x.chrome and _title_like(x.text) for x in lines[a:b]]
    listed = _listed(titles)
    near = [(lines[i].text, i) for i in range(lo, story_start) if titles[i - a] and not listed[i - a]]
    return [(page_title, first)] * (_title_like(lines[first].text) and not breadcrumb_like(page_title)) + near


def find_headline(
    lines: Sequence[Line], story_start: int, story: str = "", stops: frozenset[str] = frozenset()
) -> tuple[str | None, list[int]]:
    """The story's headline on a flat page, and the lines where it stands (never spoken as body).

    The candidates are the page's first line (a scrape starts with the page title, "Headline -
    Site"), without the site's name, and the title-like lines just above the story
    (``story_start``) that are not a list's entries. The headline is the one whose words the
    story itself uses most (a menu line, a section label or a site name shares none), the page
    title winning ties; its repeats on the page are the headline too. A line that ends like a
    sentence is no title.
    """
    texts = [x.text for x in lines]
    first = next((i for i, x in enumerate(lines) if not x.chrome), None)
    if first is None:
        return None, []
    story_words = _stems(story, stops)
    page_title = without_site(texts[first])
    candidates = _headline_candidates(lines, first, page_title, story_start)

    def score(candidate: tuple[str, int]) -> float:
        text, at = candidate
        words = _stems(text, stops)
        shared = len(words & story_words)
        # one shared word in a two-word line ("Contact Us") is chance; two or more are the story's
        uses = shared / len(words) * min(1.0, shared / 2) if words else 0.0
        # the page title's story part names it (not its site part: "Auto News" in "... - Auto News";
        # nor a section label that is two of its words: "Hong Kong" in "The view on Hong Kong ...")
        part = fold(text) in fold(page_title) and len(words) * 2 >= len(_stems(page_title, stops))
        in_title = at != first and (part or fold(page_title) in fold(text))
        return uses + 1.0 * in_title + 0.5 * (at == first)

    if not candidates:
        return None, []
    best = max(candidates, key=score)
    if story_words and score(best) < 0.3:
        return None, []
    text, at = best
    text = without_site(text)
    same = [i for i, t in enumerate(texts) if _same(t, text) or (at == first and _same(t, texts[first]))]
    if at != first and score((page_title, first)) >= 0.8:
        same.append(first)  # the page title repeats the headline: it is not spoken either
    return text, sorted({at, *same})
