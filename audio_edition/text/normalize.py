"""Speech normalization: a list of small ``str -> str`` steps (gTTS's pre-processors, grown up).

Only the text sent to the engine goes through here; transcripts keep the original wording.
Each step has a name so that a user can switch it off (``--no-normalize currency``).
Rules are data: the tables below, not branches in code.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from num2words import num2words

from ..settings import base_language
from . import cldr
from .words import ABBREVIATIONS, MONTHS, NUMBERED, SENTENCE_OPENERS, TITLES, states

Step = Callable[[str], str]

# ABBREVIATIONS, TITLES and MONTHS: words.py (one table, shared with the tokenizer).

#: How far a step looks either side of a match to judge it ("the" before "100m", a name before
#: "I"): a few words, and a bound, so that a sentence of 100,000 characters is read in linear
#: time (slicing the whole rest of it at each match made the steps quadratic).
NEAR = 64


def _before(m: re.Match) -> str:
    return m.string[max(0, m.start() - NEAR) : m.start()]


def _after(m: re.Match) -> str:
    return m.string[m.end() : m.end() + NEAR]


def _word_before(m: re.Match) -> str:
    """The word just before a match, as written ("hit", "iPhone", "Tsar"); "" when none is near."""
    found = re.search(r"(\S+)\s+$", _before(m))
    return found.group(1) if found else ""


def _ends(m: re.Match) -> bool:
    """Whether nothing but space follows the match: it ended the sentence."""
    return len(m.string) - m.end() <= NEAR and not _after(m).strip()


def _kept_stop(m: re.Match, dot: str) -> str:
    """The full stop a match took ("7 May.", "St.", "sq. ft.") when it also ended the sentence."""
    return "." if dot and _ends(m) else ""


MAGNITUDES: dict[str, str] = {
    "k": "thousand",
    "thousand": "thousand",
    "m": "million",
    "mn": "million",
    "million": "million",
    "bn": "billion",
    "b": "billion",
    "billion": "billion",
    "tn": "trillion",
    "trillion": "trillion",
    "lakh": "lakh",  # South Asian scales: 1 lakh = 100,000, 1 crore = 10 million, said as such
    "crore": "crore",
    "lakh crore": "lakh crore",
    "cr": "crore",
}

QUOTES_AND_DASHES: dict[str, str] = {
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "—": ", ",
    " – ": ", ",
    "…": "...",
    "\u00a0": " ",
}

#: Said as a whole, not figure by figure.
PHRASES: dict[str, str] = {
    "24/7": "twenty-four seven",
    "50-50": "fifty-fifty",
    "9/11": "nine eleven",
    "Gov't": "Government",
    "gov't": "government",
    "Int'l": "International",
    "int'l": "international",
    "Nat'l": "National",
    "nat'l": "national",
    "Ass'n": "Association",
    "WW1": "World War One",
    "WW2": "World War Two",
    "y/y": "year on year",
    "YoY": "year on year",
    "QoQ": "quarter on quarter",
    "m/m": "month on month",
    "q/q": "quarter on quarter",
    "50/50": "fifty-fifty",
}

#: After a number, "m" is meters only before one of these ("the 100m sprint", "2m tall");
#: otherwise it is millions ("1.5m people", "raised 20m").
METER_CONTEXT: frozenset[str] = frozenset(
    ["sprint", "race", "dash", "hurdles", "relay", "freestyle", "butterfly", "backstroke", "breaststroke",
     "medley", "final", "heat", "track", "run", "swim", "event", "record", "title", "tall", "high", "long",
     "deep", "wide", "away", "above", "below", "from", "of", "off", "in", "under", "over", "up", "down",
     "thick", "across", "square", "cubed"]
)  # fmt: skip

#: Currency words that a figure with a symbol already says ("$60 billion dollars").
CURRENCY_WORDS: frozenset[str] = frozenset(
    ["dollar", "dollars", "euro", "euros", "pound", "pounds", "USD", "EUR", "GBP"]
)

#: Words after a title-like abbreviation that are no name ("Gen Alpha", "Col Sanders" is a name).
NOT_NAMES_AFTER_TITLE: frozenset[str] = frozenset(["Alpha", "Beta", "AI"])

#: All-capital words newsrooms say as words, not letter by letter.
ACRONYM_WORDS: frozenset[str] = frozenset(
    ["NATO", "NASA", "UNESCO", "UNICEF", "OPEC", "FIFA", "UEFA", "NAFTA", "ASEAN", "BRICS", "SWAPO", "AIDS",
     "COVID", "FEMA", "OSHA", "DARPA", "CERN", "NASDAQ", "ISIS", "SARS", "MERS", "ECOWAS", "MERCOSUR",
     "UNAIDS", "FRELIMO", "RENAMO", "UNITA", "POTUS", "SCOTUS", "NIMBY", "GIF", "JPEG", "PIN", "SIM", "RAM", "ZIP",
     "ROM", "LAN", "WAN", "SWAT", "TASS", "OFCOM", "OFSTED", "NEET", "LIDAR", "RADAR", "LASER", "SCUBA",
     "UNIFIL", "MONUSCO", "AMISOM", "FRONTEX", "INTERPOL", "EUROPOL", "AM", "PM", "OK", "COP"]
)  # fmt: skip
#: Said their own way.
ACRONYM_SAID: dict[str, str] = {
    "WWI": "World War One",
    "WWII": "World War Two",
    "USAID": "U.S. aid",
    "UNHCR": "U.N.H.C.R",
    "UNRWA": "UNRWA",
    "NAACP": "N double A C P",
}
#: Spelled even where a word is spelled the same: the organization, not the pronoun.
ACRONYM_SPELLED: frozenset[str] = frozenset(["WHO", "US", "IT", "ICE", "SPLA"])
#: Short words shouted in capitals ("NEW rules"): read as words; other capitals of three letters
#: or fewer are spelled.
SHOUTED: frozenset[str] = frozenset(
    ["NEW", "NOW", "NOT", "ALL", "CAN", "TOP", "BIG", "YES", "NO", "HOT", "OUR", "OUT", "WOW", "ONE", "TWO",
     "SEE", "WIN", "HOW", "WHY", "GET", "BUY", "OFF", "AND", "THE", "FOR", "YOU", "ARE", "WAS", "HAS", "HIS",
     "HER", "ITS", "MAY", "DAY", "END", "WAR", "LAW", "SAY", "OLD", "BAD", "RED", "SEX", "TAX", "JOB", "MEN",
     "BE", "DO", "GO", "IF", "IN", "IS", "ME", "MY", "OF", "ON", "OR", "SO", "TO", "UP", "WE"]
)  # fmt: skip
#: Longest all-capital word spelled letter by letter; a longer one is a word in capitals.
SPELL_UP_TO = 5
#: A capital word of four or five letters is an ordinary word in capitals (LIVE, WATCH) when it
#: is this common in English (wordfreq's Zipf scale) and can be said as a word.
COMMON_ZIPF = 4.0
_ONSET = re.compile(
    r"^(?:[aeiouy]|(?:b|bl|br|c|ch|cl|cr|d|dr|f|fl|fr|g|gl|gr|h|j|k|kn|l|m|n|p|ph|pl|pr|qu|r|s|sc|sch|scr|sh|sk|"
    r"sl|sm|sn|sp|spl|spr|st|str|sw|t|th|thr|tr|tw|v|w|wh|wr|y|z)[aeiouy])"
)

#: What is left of a web address after a full stop with no space: a domain, not two words.
TLDS: frozenset[str] = frozenset(
    ["com", "org", "net", "gov", "edu", "io", "co", "uk", "de", "fr", "info", "biz", "ai", "app", "dev", "ly",
     "me", "tv", "us", "ca", "au", "in", "eu", "ng", "ke", "za", "news", "html", "pdf", "php"]
)  # fmt: skip

#: Words after which a Roman numeral is a number ("World War II" -> "World War Two"); after any
#: other capitalized word, II to XXXIX are a regnal ordinal ("Charles III" -> "Charles the Third").
ROMAN_CARDINAL_AFTER: frozenset[str] = frozenset(
    ["War", "Scene", "Canto", "Psalm", "Appendix", "Figure", "Plate", "Lecture", "Phase", "Type", "Part", "Chapter", "Title", "Class", "Category", "Stage", "Level", "Bowl",
     "Vatican", "Act", "Article", "Volume", "Book", "Round", "Grade", "Apollo", "Olympiad", "Series",
     "Episode", "Artemis", "Gemini", "Mercury", "Voyager", "Pioneer", "Mariner", "Viking", "Surveyor",
     "Ranger", "Explorer", "Skylab", "Vostok", "Soyuz", "Luna", "Chandrayaan", "Mangalyaan", "Tianwen",
     "Chang'e", "Shenzhou", "Starship", "Falcon", "Titan", "Saturn", "Atlas", "Delta", "Ariane", "Vega",
     "WrestleMania", "Rocky", "Creed", "Frozen", "Toy", "Story", "Mission", "Operation", "Generation",
     "Wave", "Tier", "Block", "Batch", "Section", "Schedule", "Annex", "Amendment", "Protocol", "Pillar",
     "Group", "Division", "League", "Formula", "Zone", "Grid", "Unit", "Reactor", "Platform", "Terminal",
     "Mark", "Fantasy", "Auto"]
)  # fmt: skip
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}

_EMOJI = re.compile(
    # Pictographs, symbols, flags, dingbats, variation selectors and joiners. A regex rather than
    # the `emoji` package: dropping is all we do, and these ranges are stable Unicode blocks.
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\ufe0f\u200d\u20e3]+"
)
_URL = re.compile(r"\b(?:https?://|www\.)\S+[^\s.,;:!?)\]'\"]", re.I)
# A local part starts where a run of its characters starts, and is at most 64 long (RFC 5321):
# each position is tried once, so "a." repeated 30,000 times is linear (it took 17 s).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


#: Longer runs of digits are an identifier (an account, a tracking number), read digit by digit.
MAX_QUANTITY_DIGITS = 15


def _words(number: int, **how: str) -> str:
    """num2words, without the commas it puts after thousands (a voice pauses at each)."""
    if len(str(abs(number))) > MAX_QUANTITY_DIGITS:
        return " ".join(num2words(int(d)) for d in str(abs(number)))
    return num2words(number, **how).replace(",", "")


def digit_runs(text: str) -> str:
    """A run of more than :data:`MAX_QUANTITY_DIGITS` digits (an account, a tracking number, or
    hostile input) is said digit by digit, before any step would make it a number: Python refuses
    to convert more than 4,300 digits, and no voice says such a quantity."""
    return re.sub(
        rf"\d{{{MAX_QUANTITY_DIGITS + 1},}}", lambda m: " ".join(_DIGIT_WORDS[int(d)] for d in m.group(0)), text
    )


_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _say_number(token: str) -> str:
    value = token.replace(",", "")
    if "." in value:
        whole, frac = value.split(".", 1)
        return f"{_words(int(whole))} point {' '.join(_words(int(d)) for d in frac)}"
    if len(value) > 1 and value.startswith("0"):
        return _digits(value)  # "007", "0063": a code, figure by figure
    return _words(int(value))


def _digits(group: str) -> str:
    return " ".join("zero" if d == "0" else _words(int(d)) for d in group)


#: Telephone numbers, by shape: E.164 ("+44 7700 900123", "+971521234567"), a trunk 0 ("07700
#: 900873", "010-6228-8559"), North American ("(541) 754-3010", "1-800-555-0199", "754-3010"), and
#: bracketed area codes. A quantity ("3 000", "1,500") has none of these shapes.
_PHONE = re.compile(
    r"(?<![\w.,+-])(?:"
    r"\+\d{1,3}(?:[\s.-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}"  # E.164: + country code, then groups
    r"|\+\d{7,15}"
    r"|(?:1[\s.-]?)?\(\d{3}\)\s?\d{3}[\s.-]?\d{4}"  # (541) 754-3010
    r"|(?:1[\s.-])?\d{3}[.-]\d{3}[.-]\d{4}"  # 541-754-3010, 1-800-555-0199
    r"|0\d{1,4}(?![./]\d{1,2}[./](?:19|20)\d\d\b)(?:[\s.-]\d{2,8}){1,4}"  # a trunk 0 (not a date: 09.15.2025)
    r"|\d{3}-\d{4}"  # 754-3010, a local number
    r")(?![\w,]|[.-]\d)"
)


_DIALLED = re.compile(r"\b(?:call|calls|dial|phone|number|tel|telephone|hotline|line|fax|ext|text)\b", re.I)


def phones(text: str) -> str:
    """+44 7700 900123 -> plus four four, seven seven zero zero, nine zero zero one two three.

    Digit by digit, group by group, as a newsroom reads a number out to be dialled."""

    def say(m: re.Match) -> str:
        raw = m.group(0)
        groups = re.findall(r"\d+", raw)
        if sum(len(g) for g in groups) < 7:
            return raw
        if re.fullmatch(r"\d{3}-\d{4}", raw) and not _DIALLED.search(m.string[max(0, m.start() - 40) : m.start()]):
            return raw  # "500-1000" is a range unless the sentence speaks of calling
        lead = "plus " if raw.startswith("+") else ""
        return lead + ", ".join(_digits(g) for g in groups)

    text = _PHONE.sub(say, text)
    text = _VANITY.sub(
        lambda m: f"one {'eight hundred' if m.group(1) == '800' else _digits(m.group(1))} {m.group(2)}", text
    )
    return _SHORT_DIALLED.sub(lambda m: m.group(1) + _digits(m.group(2)), text)


#: A toll-free number spelled as a word ("1-800-FLOWERS"): "one eight hundred FLOWERS", "one eight
#: eight eight ...".
_VANITY = re.compile(r"(?<![\w-])1-(8[0-8]{2})-([A-Z]{3,})\b")
#: A short number to call ("call 999", "dial 112", "text HELP to 61010"), said digit by digit; not
#: a title ("a manifesto called 279 Days").
_SHORT_DIALLED = re.compile(
    r"\b((?:call|calls|called|calling|dial|dials|dialled|dialed|dialling|dialing|ring)\s+(?=\d{3}\b)|"
    r"\btext\s+(?:\S+\s+to\s+)?)(\d{3,6})\b(?![.,]\d)(?!\s+(?:(?-i:[A-Z])|people\b|times\b|of\b))",
    re.I,
)


def alphanumerics(text: str) -> str:
    """G7 -> G seven, COVID-19 -> COVID nineteen, F-35 -> F thirty-five, 5G -> five G."""
    text = re.sub(
        r"\b([A-Z]{1,6}-?|[A-Z][A-Za-z]{1,5}-)(\d{1,3})\b(?![.,]\d)",
        lambda m: f"{m.group(1).rstrip('-')} {_words(int(m.group(2)))}",
        text,
    )
    text = re.sub(r"\b(\d{1,2})([A-Z]{1,2})\b", lambda m: f"{_words(int(m.group(1)))} {m.group(2)}", text)
    # a model number (777F, 320D): its figures one by one, as the maker says them
    return re.sub(r"\b(\d{3,4})([A-Z])\b", lambda m: f"{_digits(m.group(1))} {m.group(2)}", text)


def _duration(m: re.Match) -> str:
    parts = zip((int(m.group(1)), int(m.group(2)), int(m.group(3))), ("hour", "minute", "second"))
    return ", ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n)


def _race_time(m: re.Match) -> str:
    """3:59.4 -> 3 minutes 59.4 seconds."""
    minutes = int(m.group(1))
    return f"{minutes} minute{'' if minutes == 1 else 's'} {int(m.group(2))}.{m.group(3)} seconds"


def ratios(text: str) -> str:
    """3:1 -> 3 to 1 (a score or a ratio; 9:30 is a time, for the times step); a race time
    2:01:09 -> 2 hours, 1 minute, 9 seconds; 3:59.4 -> 3 minutes 59.4 seconds."""
    text = re.sub(r"(?<![\d:])(\d{1,2}):(\d{2}):(\d{2})(?![\d:])(?!\s?[ap]\.?m\b)", _duration, text)
    text = re.sub(r"(?<![\d:])(\d{1,2}):([0-5]\d)\.(\d{1,3})(?![\d:]|\.\d)", _race_time, text)
    return re.sub(r"(?<![\d:])(\d{1,3}):(\d)(?![\d:])", r"\1 to \2", text)


def slashes(text: str) -> str:
    """What a slash between figures still means once fractions and dates are read: 7/10 -> 7 out
    of 10, 3/2 -> 3 to 2 (a voice would say "slash")."""

    def say(m: re.Match) -> str:
        top, bottom = float(m.group(1)), int(m.group(2))
        return f"{m.group(1)} {'out of' if top <= bottom else 'to'} {bottom}"

    return re.sub(r"(?<![\d/.,])(\d+(?:\.\d+)?)\s?/\s?(\d+)(?![\d/])", say, text)


def glued(text: str) -> str:
    """billing.Save -> billing. Save (a full stop that lost its space); billing.save -> billing save.
    A domain ("example.com") keeps its dot."""

    def split(m: re.Match) -> str:
        left, right = m.group(1), m.group(2)
        if right.lower() in TLDS:
            return m.group(0)
        return f"{left}. {right}" if right[0].isupper() else f"{left} {right}"

    return re.sub(r"(?<![\w.@/])([a-z]{2,})\.([A-Za-z]{2,})\b(?![.@/]\w)", split, text)


def titles(text: str) -> str:
    """Gen Musa -> General Musa, Lt Col Ade -> Lieutenant Colonel Ade; Gen Z stays."""
    pattern = r"\b(" + "|".join(TITLES) + r")\b(?!\.)(?=\s+([A-Z][\w'’-]+))"

    def say(m: re.Match) -> str:
        return m.group(0) if m.group(2) in NOT_NAMES_AFTER_TITLE else TITLES[m.group(1)]

    return re.sub(pattern, say, text)


def _common_word(word: str) -> bool:
    """Whether a capital word of 4-5 letters is an ordinary English word: common (wordfreq's list)
    and sayable as a word (it starts the way English words do: "dna" and "irgc" do not)."""
    if not _ONSET.match(word):
        return False
    from wordfreq import zipf_frequency  # a maintained frequency list; imported only when needed

    return zipf_frequency(word, "en") >= COMMON_ZIPF


#: Capitals made of consonant-vowel syllables (NA-SA, O-PEC, FE-MA) are said as a word.
_SYLLABLES = re.compile(r"(?:[BCDFGHJKLMNPQRSTVWXZ]?[AEIOU]){2,}[BCDFGHJKLMNPQRSTVWXZ]?")


def acronyms(text: str) -> str:
    """One policy for capitals: NATO and NASA are words; USAID is "U.S. aid"; other capitals up
    to five letters are spelled (IRGC -> I.R.G.C), unless they are an ordinary word in capitals
    (NEW -> new); a headline or a shout in capitals is read as words."""
    words = re.findall(r"\b[A-Za-z][A-Za-z'’]*\b", text)
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    shouting = len(words) >= 3 and len(capitals) >= 0.6 * len(words)

    def say(m: re.Match) -> str:
        word = m.group(0)
        if word in ACRONYM_SAID:
            return ACRONYM_SAID[word]
        if word in ACRONYM_WORDS or (set(word) <= set(_ROMAN) and _roman(word) is not None):
            return word
        if word in ACRONYM_SPELLED:
            return ".".join(word)
        if shouting or word in SHOUTED or len(word) > SPELL_UP_TO:
            return word.lower()
        if len(word) > 3 and (_common_word(word.lower()) or (_SYLLABLES.fullmatch(word) and set(word) - set("AEIOU"))):
            return word.lower()  # a word in capitals, or sayable as one (NASA, CASA): as espeak would
        return ".".join(word)

    text = re.sub(r"\b([A-Z])o([A-Z])\b", r"\1.O.\2", text)  # MoU, MoD, BoE, DoJ: letters
    # capitals joined by a hyphen are a respelling's stress ("doo-AH-lay", the lexicon's)
    return re.sub(r"(?<![\w-])[A-Z]{2,}(?![\w-])(?!['’]?[a-z])", say, text)


_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
)


def american(text: str) -> str:
    """five hundred and forty-four -> five hundred forty-four: an American voice's figures. A scale
    that is no part of a number ("parts per million and one billion") keeps its "and"."""

    def drop(m: re.Match) -> str:
        counted = re.search(rf"\b(?:{_NUMBER_WORD}(?:-{_NUMBER_WORD})?|point \w+)\s$", _before(m))
        return m.group(1) + " " if counted else m.group(0)

    return re.sub(rf"\b(hundred|thousand|million|billion|trillion) and (?={_NUMBER_WORD}\b)", drop, text)


def urls(text: str) -> str:
    """URLs and e-mail addresses are not read out."""
    return _EMAIL.sub("", _URL.sub("", text))


def emoji(text: str) -> str:
    return _EMOJI.sub("", text)


def quotes_and_dashes(text: str) -> str:
    for old, new in QUOTES_AND_DASHES.items():
        text = text.replace(old, new)
    return text


_ABBREV_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")"
    r"(?=\s|$|[,;:)]|['’]s?\b|['’](?!\w))"  # "Corp.,", "Jr.'s", "Bros.'"
)
#: Titles in capitals ("MR. Anderson"), said as the title.
_SHOUTED_TITLES = {k.upper(): v for k, v in ABBREVIATIONS.items() if k[0].isupper() and not k.isupper() and "." in k}
_SHOUTED_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(_SHOUTED_TITLES, key=len, reverse=True)) + r")(?=\s+[A-Z])"
)
_NUMBERED_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(NUMBERED, key=len, reverse=True)) + r")\s?(?=\d)"
)


@functools.cache
def _states_re() -> re.Pattern[str]:
    """AP's state abbreviations after a place and a comma ("Montgomery County, Md."); a postal code
    there ("Austin, TX") is left to the acronyms step, which spells it."""
    ap = [k for k in states() if "." in k]
    return re.compile(
        r"(?<=[A-Za-z], )(" + "|".join(re.escape(k) for k in sorted(ap, key=len, reverse=True)) + r")(?=\s|$|,)"
    )


@functools.cache
def _party_re() -> re.Pattern[str]:
    """A lawmaker's party and state, AP's way: "D-N.Y.", "R-Texas", "I-VT"."""
    names = sorted({*states(), *states().values()}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])([DRI])-(" + "|".join(re.escape(k) for k in names) + r")(?![\w-])")


#: What AP's party letters stand for.
PARTIES: dict[str, str] = {"D": "Democrat", "R": "Republican", "I": "Independent"}
#: Abbreviations that are a street before a comma, a lower-case word or an address's end, and a
#: title before a name: (street, title).
STREET_OR_TITLE: dict[str, tuple[str, str]] = {"St": ("Street", "Saint"), "Dr": ("Drive", "Doctor")}
_STREET_RE = re.compile(r"\b(St|Dr|ST|DR)\b(\.?)")
_ADDRESS_BEFORE = re.compile(r"\d+[a-z]{0,2}\s+(?:[A-Z][\w'’.]*\s+){1,3}$")
_COMPASS_RE = re.compile(
    r"\b([NSEW])\.?\s+(?=(?:[A-Z][a-z]+|\d+(?:st|nd|rd|th))\s+(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Way|Parkway)\b)"
)
_COMPASS = {"N": "North", "S": "South", "E": "East", "W": "West"}


def _street_or_title(m: re.Match) -> str:
    """St and Dr decided by their neighbours: "12 High St." and "Mill Rd. for hours" are places,
    "St Albans" and "Dr Black" are a saint and a doctor."""
    street, title = STREET_OR_TITLE[m.group(1).title()]
    before, after = _before(m), _after(m)
    following = re.match(r"\s+([A-Za-z][\w'’]*)", after)
    named = following is not None and following.group(1)[0].isupper()
    stop = _kept_stop(m, m.group(2))
    if _ADDRESS_BEFORE.search(before) or (re.search(r"[A-Z][\w'’]*\s$", before) and not named):
        return street + stop
    if named:
        return title
    return street + stop if re.search(r"\w\s$", before) else m.group(0)


def abbreviations(text: str) -> str:
    """Gen. -> General, Dr. -> Doctor, No. 5 and #5 -> number 5, St. -> Saint or Street, MR. ->
    Mister, Montgomery County, Md. -> Maryland, N. Main Street -> North Main Street, p. 55 -> page
    55, Fig. 3 -> Figure 3."""
    text = _STREET_RE.sub(_street_or_title, text)
    text = _COMPASS_RE.sub(lambda m: _COMPASS[m.group(1)] + " ", text)
    if re.search(r", (?:[A-Z][a-z]{1,4}|[A-Z]\.[A-Z]|W\.Va)\.", text):  # only then load the states
        text = _states_re().sub(lambda m: states()[m.group(1)] + ("." if m.end() == len(text) else ""), text)
    if re.search(r"\b[DRI]-[A-Z]", text):
        text = _party_re().sub(lambda m: f"{PARTIES[m.group(1)]} of {states().get(m.group(2), m.group(2))}", text)
    text = _SHOUTED_RE.sub(lambda m: _SHOUTED_TITLES[m.group(1)], text)
    # At the very end, the dot also ended the sentence: it stays.
    text = _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(1)] + ("." if m.end() == len(text) else ""), text)
    text = _NUMBERED_RE.sub(lambda m: NUMBERED[m.group(1)] + " ", text)  # Fig. 3, pp. 10, c. 1950
    text = re.sub(r"\bNo\s?(?=\d)|(?<![\w&;])#\s?(?=\d)", "number ", text)  # No 10, #1
    text = re.sub(r"\b([Nn]umber) number ", r"\1 ", text)  # "the number #1 request"
    return re.sub(r"\bFY\s?(?=\d\d(?:\d\d)?\b)", "FY ", text)  # FY2024: then read as a year


def _symbol_alternatives() -> str:
    return "|".join(re.escape(k) for k in sorted(cldr.CURRENCY_SYMBOLS, key=len, reverse=True))


_AMOUNT = r"(?P<num>" + _NUMBER + r"|\.\d+)"
#: "$5 billion", "$5bn", and "$5-billion" (a Canadian and South African style).
_MAG = r"(?:(?:\s|-(?=[a-z]{4}))?(?P<mag>thousand|million|billion|trillion|lakh crore|lakh|crore|cr|bn|mn|tn|[kmb])\b)?"
_PER = r"(?:\s?/\s?(?P<per>" + "|".join(re.escape(k) for k in sorted(cldr.PER, key=len, reverse=True)) + r")\b)?"
_REPEAT = r"(?:\s(?:" + "|".join(sorted(CURRENCY_WORDS)) + r")\b)?"  # "$60 billion dollars": said once
_SYMBOL_FIRST = re.compile(
    r"(?<![\w$])(?P<sym>"
    + _symbol_alternatives()
    + r")\s?"
    + _AMOUNT
    + r"(?:\s?(?:to|-|–)\s?(?:"
    + _symbol_alternatives()
    + r")?(?P<upto>"
    + _NUMBER
    + r"))?"  # $5-10 million
    + _MAG
    + _PER
    + _REPEAT,
    re.I,
)
_CODE_FIRST = re.compile(r"\b(?P<code>[A-Z]{3})\s?" + _AMOUNT + _MAG + _PER + r"(?![\w.,]\d)")
_CODE_AFTER = re.compile(r"(?<![\w.])" + _AMOUNT + _MAG + r"\s?(?P<code>[A-Z]{3}|[€£¥₹₩₽₦₺₪¢])(?!\w)" + _PER)


def _money(num: str, mag: str | None, code: str, country: bool, upto: str | None = None) -> str:
    """ "1.23 billion Canadian dollars", "5 dollars and 1 cent", "25 cents": figures stay for numbers(),
    with their commas ("1200 million" would be read as a year)."""
    if num.startswith("."):
        num = "0" + num
    if upto:
        num = f"{num} to {upto}"
    if mag:
        return f"{num} {MAGNITUDES[mag.lower()]} {cldr.currency_name(code, True, country)}"
    whole, _, cents = num.partition(".")
    hundredths = int(cents[:2].ljust(2, "0")) if cents and len(cents) <= 2 else None
    if cents and hundredths is None:  # $1.234: a rate, read as a decimal
        return f"{num} {cldr.currency_name(code, True, country)}"
    if whole in ("0", "") and hundredths:
        return f"{hundredths} {cldr.minor_unit(code, hundredths != 1)}"
    out = f"{whole} {cldr.currency_name(code, whole != '1' or bool(upto), country)}"
    if hundredths:
        out += f" and {hundredths} {cldr.minor_unit(code, hundredths != 1)}"
    return out


def _per(m: re.Match) -> str:
    per = m.group("per")
    if not per:
        return ""
    word = cldr.per(per)
    return f" {'an' if word[0] in 'aeiou' or word == 'hour' else 'a'} {word}"  # "an ounce", "an hour"


def currency(text: str) -> str:
    """$32.95 -> 32 dollars and 95 cents; C$1.2bn -> 1.2 billion Canadian dollars; GBP 350 -> 350
    British pounds; $0.25 -> 25 cents; $10K -> 10 thousand dollars; $9/mo -> 9 dollars a month;
    Rs 71 lakh -> 71 lakh rupees; 80p -> 80 pence. The names are CLDR's (cldr.py)."""

    def by_symbol(m: re.Match) -> str:
        sym = next(k for k in cldr.CURRENCY_SYMBOLS if k.lower() == m.group("sym").lower())
        code = cldr.CURRENCY_SYMBOLS[sym]
        return _money(m.group("num"), m.group("mag"), code, sym in cldr.COUNTRY_SAID, m.group("upto")) + _per(m)

    def by_code(m: re.Match) -> str:
        code = m.group("code")
        if code in cldr.CURRENCY_SYMBOLS:  # "20€", "10¢"
            code = cldr.CURRENCY_SYMBOLS[code]
        elif code == "¢":
            return f"{m.group('num')} {cldr.minor_unit('USD', m.group('num') != '1')}" + _per(m)
        elif code not in cldr.iso_codes() or _common_word(code.lower()):  # TOP 10, ALL 3: words
            return m.group(0)
        return _money(m.group("num"), m.group("mag"), code, code not in _PLAIN_CODES) + _per(m)

    text = _NAIRA.sub("₦", text)
    text = _MONEY_SPAN.sub(" to ", text)  # "$1m-$2m": two amounts
    text = _SYMBOL_FIRST.sub(by_symbol, text)
    text = _CODE_FIRST.sub(by_code, text)
    text = _CODE_AFTER.sub(by_code, text)
    text = _PENCE.sub(lambda m: f"{m.group(1)} {cldr.minor_unit('GBP', m.group(1) != '1')}", text)
    return _CENTS.sub(_cents, text)


#: "fell 12c", "5c/litre": cents, after a word in lower case (a name's "4C" is no price).
_CENTS = re.compile(r"(?<![\w.,])(\d{1,2})c\b(?![\w'’-])" + _PER)


def _after_word(m: re.Match) -> bool:
    """Whether a match follows a word in lower case or a bracket: "fell 12c", "(12c)"; after a name
    ("Nokia 3c") a figure and a letter are a model."""
    return _before(m).endswith("(") or bool(re.fullmatch(r"[a-z]+[,:]?", _word_before(m)))


def _cents(m: re.Match) -> str:
    if not _after_word(m):
        return m.group(0)
    return f"{m.group(1)} {cldr.minor_unit('USD', m.group(1) != '1')}" + _per(m)


#: A dash between two amounts that each carry their symbol ("$1m-$2m", "€5bn–€6bn").
_MONEY_SPAN = re.compile(r"(?<=[\dkKmMbBn])\s?[-–]\s?(?=(?:" + _symbol_alternatives() + r")\d)")
#: Nigeria's press writes the naira "N" before a grouped amount ("N5,000"); "N95" is a mask.
_NAIRA = re.compile(r"(?<![\w$])N(?=\d{1,3}(?:,\d{3})+(?:\.\d+)?\b)")
#: "80p a week": pence, under a pound. Three figures or more are a video's lines ("720p").
_PENCE = re.compile(r"(?<![\w.,£$€])(\d{1,2})p\b(?![\w'’-]|\.\w)")


#: Codes said as the plain currency ("EUR 20" -> "20 euros", not "20 euros" with a country).
_PLAIN_CODES: frozenset[str] = frozenset(["EUR"])


_THIN_SPACES = "\u202f\u2009\u00a0 "


def grouping(text: str) -> str:
    """40 000 -> 40000 (thousands grouped by spaces, as CLDR's French and SI styles write them) and
    .08 -> 0.08 (a decimal with no leading zero); a telephone number was read before this."""
    text = re.sub(
        rf"(?<![\d,.])\d{{1,3}}(?:[{_THIN_SPACES}]\d{{3}})+(?![\d,]|\.\d)",
        lambda m: re.sub(rf"[{_THIN_SPACES}]", "", m.group(0)),
        text,
    )
    text = _EURO_AMOUNT.sub(lambda m: m.group(0).replace(".", "").replace(",", "."), text)
    return re.sub(r"(?<![\w.,])\.(\d+)\b", r"0.\1", text)


#: A euro amount written the continental way, "€25.000", "€2,50", "1.250,00 €": thousands by
#: dots, cents after a comma. Only the euro's: "$3.459" is a dollar price to the tenth of a cent.
_EURO_AMOUNT = re.compile(
    r"(?<=€)\s?\d{1,3}(?:\.\d{3})+(?:,\d{2})?(?!\d|[.,]\d)|(?<=€)\s?\d+,\d{2}(?!\d|[.,]\d)"
    r"|(?<![\d.,])\d{1,3}(?:\.\d{3})+(?:,\d{2})?(?=\s?€)|(?<![\d.,])\d+,\d{2}(?=\s?€)"
)


def percent(text: str) -> str:
    text = re.sub(r"(" + _NUMBER + r")\s?(%|per cent\b|pct\b)|(" + _NUMBER + r")pc\b", r"\1\3 percent", text)
    return re.sub(r"(" + _NUMBER + r")\s?pp\b", r"\1 percentage points", text)  # "3pp", "fell 2.5 pp"


def ordinals(text: str) -> str:
    return re.sub(
        r"\b(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)\b",
        lambda m: _words(int(m.group(1).replace(",", "")), to="ordinal"),
        text,
    )


def ranges(text: str) -> str:
    """2021–2023 -> 2021 to 2023, 52%-48% -> 52% to 48% (before dashes become pauses)."""
    return re.sub(r"\b(\d{1,4})(%?)\s?[–-]\s?(\d{1,4})\b(?!-)", r"\1\2 to \3", text)


_HALF = r"(?P<half>a\.m\.|p\.m\.|am\b|pm\b|a\.m\b|p\.m\b)"
_TIME_RE = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s?" + _HALF, re.I)
_TIME_SPAN = re.compile(r"\b(\d{1,2})(?:([:.])(\d{2}))?\s?[-–]\s?(?=\d{1,2}(?:[:.]\d{2})?\s?[ap]\.?m\b)", re.I)
_HALF_TO = re.compile(r"(?<=\d)(\s?[ap]\.?m\.?)\s?[-–]\s?(?=\d)", re.I)


#: A time of four figures before a time zone (Reuters' "0900 GMT", "1430 local time").
_ZONED = re.compile(
    r"(?<![\d.,:])\b([01]\d|2[0-3])([0-5]\d)(?=\s?(?:GMT|UTC|BST|CET|CEST|EET|EEST|MSK|IST|JST|AEST|AEDT|SAST|WAT|EAT|"
    r"EST|EDT|CST|CDT|MST|MDT|PST|PDT|ET|PT|Z|Zulu|hrs|local time)\b)"
)


def _hhmm(hh: str, mm: int) -> str:
    """0900 -> oh nine hundred, 1430 -> fourteen thirty, 0005 -> zero zero oh five."""
    hour = "zero zero" if hh == "00" else ("oh " if hh[0] == "0" else "") + _words(int(hh))
    return f"{hour} hundred" if not mm else hour + _minutes(mm)


def _minutes(mm: int) -> str:
    return (" oh " if mm < 10 else " ") + _words(mm) if mm else ""


def times(text: str) -> str:
    """9:30 a.m. -> nine thirty AM; 10 p.m. -> ten PM ("A M" would be read "uh em"); 3-4pm -> three
    to four PM; 13:02 -> thirteen oh two; 7:56:30 pm -> seven fifty-six and thirty seconds PM."""

    def say(m: re.Match) -> str:
        hour, minutes, seconds, half = m.group(1), m.group(2), m.group(3), m.group("half")
        words = _words(int(hour)) + _minutes(int(minutes or 0))
        if seconds and int(seconds):
            words += f" and {_words(int(seconds))} second{'s' if int(seconds) != 1 else ''}"
        stop = "." if half.endswith(".") and m.end() == len(text) else ""  # it also ended the sentence
        return f"{words} {'AM' if half.lower().startswith('a') else 'PM'}{stop}"

    def clock(m: re.Match) -> str:
        hh, minutes = m.group(1), int(m.group(2))
        hour = "zero zero" if hh == "00" else _words(int(hh))
        if minutes:
            return hour + _minutes(minutes)
        return f"{hour} hundred" if int(hh) > 12 else f"{hour} o'clock"  # 14:00: "fourteen hundred"

    text = _TIME_SPAN.sub(lambda m: m.group(0)[: m.end(3 if m.group(3) else 1) - m.start()] + " to ", text)
    text = _HALF_TO.sub(lambda m: m.group(1) + " to ", text)
    text = _TIME_RE.sub(say, text)
    text = re.sub(r"\b12[:.]00(?=\s+(?:noon|midnight)\b)", "twelve", text)  # not "twelve o'clock noon"
    text = _ZONED.sub(lambda m: _hhmm(m.group(1), int(m.group(2))), text)
    return re.sub(r"\b(\d{1,2}):(\d{2})\b(?!:\d)", clock, text)


def _unit_alternatives() -> str:
    symbols = [*cldr.UNIT_SYMBOLS, *cldr.UNIT_NAMES]
    return "|".join(re.escape(u).replace(r"\ ", r"\s?") for u in sorted(symbols, key=len, reverse=True))


_UNIT_RE = re.compile(
    r"(?P<num>"
    + _NUMBER
    + r"|\.\d+)(?:\s(?P<mag>thousand|million|billion|trillion))?(?P<space>\s?)(?P<unit>"
    + _unit_alternatives()
    + r")(?P<power>[²³]|(?<=[a-z])[23](?!\d))?"
    + r"(?:/(?P<per>"
    + "|".join(re.escape(k) for k in sorted(cldr.PER, key=len, reverse=True))
    + r")(?P<perpower>[²³])?)?"
    + r"(?![\w²³])(?!/\w)"
)
#: Each unit symbol by its letters alone: the pattern lets "sq km" be written with any spacing.
_UNIT_SPELLINGS = {u.replace(" ", ""): u for u in [*cldr.UNIT_SYMBOLS, *cldr.UNIT_NAMES]}
_FEET_INCHES = re.compile(r"\b(\d+)\s?(?:ft|foot|feet|[\'′])\s?(\d{1,2})\s?(?:in\b|[\"″])")
_POWERS = {"²": "square", "2": "square", "³": "cubic", "3": "cubic"}


def units(text: str) -> str:
    """3.5 km -> 3.5 kilometers, 250ml, 40 m², 10km/hr -> 10 kilometers per hour, 5 ft 2 in -> 5
    feet 2 inches, 2.4 billion m3 -> 2.4 billion cubic meters, 3h 20m -> 3 hours 20 minutes. The
    names are CLDR's (cldr.py); a symbol that is also a word ("in", "t") is a unit only glued to
    its figure."""

    def say(m: re.Match) -> str:
        symbol = _UNIT_SPELLINGS[re.sub(r"\s+", "", m.group("unit"))]  # "sq km", "sqkm", "sq  km"
        if m.group("space") and symbol in cldr.GLUED_ONLY and not re.match(r"\s+of\b", _after(m)):
            return m.group(0)  # "3 in 10", but "40 L of fuel"
        if symbol == '"' and not re.match(r"\s+[a-z]", _after(m)):
            return m.group(0)  # a closing quote after a figure, not inches
        many = m.group("num") not in ("1", "1.0") or bool(m.group("mag"))
        name = cldr.unit_name(symbol, many)
        if m.group("power"):
            name = f"{_POWERS[m.group('power')]} {name}"
        if m.group("per"):
            power = f"{_POWERS[m.group('perpower')]} " if m.group("perpower") else ""
            name += f" per {power}{cldr.per(m.group('per'))}"  # µg/m³: per cubic meter
        return " ".join(filter(None, (m.group("num"), m.group("mag"), name)))

    text = _FEET_INCHES.sub(lambda m: f"{m.group(1)} feet {m.group(2)} inches", text)
    text = _DOTTED_AREA.sub(lambda m: f"{m.group(1)} {m.group(2)}" + _kept_stop(m, m.group(3)), text)
    text = _PER_SYMBOL.sub(lambda m: f"per {cldr.unit_name(m.group(1), False)}", text)
    text = _HYPHENED.sub(lambda m: f"{m.group(1)}-{cldr.unit_name(_UNIT_SPELLINGS[m.group(2)], False)}", text)
    text = _DEGREES.sub(_degrees, text)
    text = _HOURS_MINUTES.sub(lambda m: f"{m.group(1)} {_hours(m.group(1))} {m.group(2)} {_mins(m.group(2))}", text)
    text = _UNIT_RE.sub(say, text)
    return _BEARING.sub(lambda m: f"{m.group(1)} {_COMPASS[m.group(2)].lower()}" + _kept_stop(m, m.group(3)), text)


#: "850 sq. ft.", "20 cu. m": the dotted spelling of an area or a volume.
_DOTTED_AREA = re.compile(r"(?<=\d )\b(sq|cu)\.\s?(ft|m|km|mi|yd|in)\b(\.?)")
#: "40.7° N": a latitude or a longitude once the degrees are said.
_BEARING = re.compile(r"\b(degrees?)\s?([NSEW])\b(?![\w'’-])(\.?)(?!\w)")


#: "per kWh", "per sq ft": one of the unit.
_PER_SYMBOL = re.compile(
    r"\bper\s+("
    + "|".join(re.escape(u) for u in sorted(_UNIT_SPELLINGS.values(), key=len, reverse=True) if len(u) > 1)
    + r")(?![\w²³/])"
)
#: "a 40-ft container", "a 5-km run": a unit in a compound before a noun, said in the singular.
_HYPHENED = re.compile(
    r"(?<![\w.])("
    + _NUMBER
    + r")-("
    + "|".join(re.escape(u) for u in sorted(_UNIT_SPELLINGS, key=len, reverse=True) if u not in cldr.GLUED_ONLY)
    + r")(?![-\w'’/²³])(?=\s+[a-z])"
)
_SCALES = {"C": "Celsius", "F": "Fahrenheit"}


#: Words a temperature follows ("hit 45C", "highs of 30C", "between 5C and 8C"); after others a
#: figure and C or F are a form or a model ("filed 13F reports", "iPhone 5C").
TEMPERATURE_AFTER: frozenset[str] = frozenset(
    ["hit", "hits", "hitting", "reach", "reached", "reaching", "reaches", "top", "topped", "tops", "of", "to",
     "at", "above", "below", "around", "about", "near", "nearly", "almost", "over", "under", "than", "exceed",
     "exceeded", "exceeding", "rose", "rise", "rises", "rising", "fell", "fall", "falls", "falling", "dropped",
     "drop", "dropping", "climbed", "climb", "soared", "plunged", "plummeted", "peaked", "peak", "peaking",
     "was", "were", "is", "be", "been", "highs", "lows", "high", "low", "minus", "between", "and", "or", "from",
     "until", "up", "down", "by", "record", "as", "some", "averaging", "average"]
)  # fmt: skip


def _degrees(m: re.Match) -> str:
    """A temperature after a word a temperature follows ("hit 45C", "highs of 113F") or in
    brackets ("(45C)"); after a name it is a model ("iPhone 5C"), after other words a form
    ("filed 13F reports")."""
    figure = m.group(1)
    if figure is not None:
        after = _word_before(m).rstrip(",:").lower()
        # "than the 80C" is a temperature, "the 13F filing" a form: F after "the" is a name's
        if (
            not _before(m).endswith("(")
            and after not in TEMPERATURE_AFTER
            and not (after == "the" and m.group(2) == "C")
        ):
            return m.group(0)
    return f"{figure or ''} degrees {_SCALES[m.group(2)]}".lstrip()


#: "30 degrees C", and a temperature glued to its scale: "45C", "-5C", "38.5C", "113F" (a model's
#: name, "787F", has three figures and no such heat).
_DEGREES = re.compile(r"(?:(?<![\w.,])(-?\d{1,2}(?:\.\d)?|1[0-3]\d(?=F))\s?|\bdegrees\s)([CF])\b(?![\w'’-])")
#: "3h 20m", "1h30min": hours and minutes, where "m" is no meter.
_HOURS_MINUTES = re.compile(r"\b(\d{1,3})\s?h\s?(\d{1,2})\s?m(?:in)?\b")


def _hours(n: str) -> str:
    return cldr.unit_name("hr", n != "1")


def _mins(n: str) -> str:
    return cldr.unit_name("min", n != "1")


def years(text: str) -> str:
    """Four-digit years are read as years: "in 2021" -> "in twenty twenty-one"; "the class of '09"
    -> "oh nine", "'69" -> "sixty-nine"."""
    text = re.sub(r"(?<![\w'’])['’](\d)(\d)\b(?!['’]?s\b|[.,:]\d)", _short_year, text)
    text = re.sub(
        rf"{_YEAR_BEFORE}(10\d\d|21\d\d)\b(?![,.]?\d)",
        lambda m: m.group(1) + _words(int(m.group(2)), to="year"),
        text,
        flags=re.I,
    )
    return re.sub(
        r"(?<![\d,.$€£])\b(1[1-9]\d\d|20\d\d)\b(?![,.]?\d)(?!\s?(?:percent|people|officers|troops|dollars|euros|pounds))",
        _year_or_count,
        text,
    )


#: Words before a year ("in 2100", "by 2150", "in 1066"): the 1000s and 2100s are years only after
#: one of them, and a number before 1900 is one there ("In 1850 troops were sent").
_YEAR_BEFORE = r"\b((?:in|by|until|till|year|before|after|since|circa)\s+)"


def _year_or_count(m: re.Match) -> str:
    """1100 to 2099 as a year, unless a number before 1900 counts something: "the 1400 workers",
    "1850 votes" (but "in 1850 troops were sent")."""
    value = int(m.group(1))
    counts = re.match(r"\s+[a-z]+s\b", _after(m)) and not re.search(_YEAR_BEFORE + r"$", _before(m), re.I)
    return _words(value) if value < 1900 and counts else _words(value, to="year")


def _short_year(m: re.Match) -> str:
    tens, ones = m.group(1), m.group(2)
    return f"oh {_words(int(ones))}" if tens == "0" else _words(int(tens + ones))


def numbers(text: str) -> str:
    """Whatever digits are left: 1,000 -> one thousand; 3.5 -> three point five."""
    return re.sub(r"(?<![\w.])(" + _NUMBER + r")(?![\w])", lambda m: _say_number(m.group(1)), text)


_PHRASES_RE = re.compile(r"(?<![\w/])(?:" + "|".join(re.escape(k) for k in PHRASES) + r")(?![\w/])")


def phrases(text: str) -> str:
    """24/7 -> twenty-four seven (figures a voice would read with a "slash")."""
    return _PHRASES_RE.sub(lambda m: PHRASES[m.group(0)], text)


def signs(text: str) -> str:
    """-3 -> minus 3 (a voice drops a bare minus sign), ±3 -> plus or minus 3, 18+ -> 18 plus."""
    text = re.sub(r"±\s?(?=[\d.])", "plus or minus ", text)
    text = re.sub(r"(?<![^\s(\[])\+(?=\d)(?![\d\s().-]{7,})", "plus ", text)  # "+2.5%"; "+44 20 ..." is a number
    text = re.sub(r"(?<=[\w%])\+(?=[\s,.;:!?)]|$)", " plus", text)  # 18+, $100k+, A+
    return re.sub(r"(?<![^\s(\[])[-\u2212](?=\d)", "minus ", text)  # after a space or a bracket only


def magnitudes(text: str) -> str:
    """1.2bn -> 1.2 billion, 1.5m people -> 1.5 million people, 20k -> 20 thousand, 1.2M -> 1.2
    million (with no currency: currency() has those); the 100m sprint and "48m." stay meters
    (see :data:`METER_CONTEXT`)."""

    def say(m: re.Match) -> str:
        number, suffix, after = m.group(1), m.group(2), m.group(3) or ""
        if suffix == "m" and (after.lower() in METER_CONTEXT or not after):
            return m.group(0)
        if suffix == "m" and after.lower() in ("and", "or") and m.string.endswith(("the ", "The "), 0, m.start()):
            return m.group(0)  # "the 100m and the 200m": races
        if suffix.lower() == "k" and after.lower() in ("run", "race", "walk", "resolution", "tv", "screen"):
            return m.group(0)
        if suffix in ("M", "K") and "." not in number and len(number) < 2:
            return m.group(0)  # 3M, 5K: a name or a race, not a quantity
        return f"{number} {MAGNITUDES[suffix.lower()]}" + (m.group(0)[m.end(2) - m.start(0) :] if after else "")

    return re.sub(r"\b(" + _NUMBER + r")(bn|tn|mn|m|k|M|K)\b(?=(?:\s+([\w-]+))?)", say, text)


#: After a fraction, words that make it a fraction, not a date ("1/20 of the ballots").
_FRACTION_AFTER = r"(?=\s?(?:of\b|%|percent\b))"


def _fraction(top: int, bottom: int) -> str:
    name = {2: "half", 4: "quarter"}.get(bottom) or _words(bottom, to="ordinal")
    plural = {"half": "halves"}.get(name, name + "s") if top > 1 else name
    return f"{_words(top)} {plural}"


def _glyph(m: re.Match) -> str:
    """½ -> 1/2 (a vulgar-fraction character), then read as any fraction."""
    import unicodedata

    whole, glyph = m.group(1) or "", m.group(2)
    top, _, bottom = unicodedata.normalize("NFKC", glyph).partition("\u2044")
    return f"{whole + ' ' if whole else ''}{top}/{bottom}"


def fractions(text: str) -> str:
    """1/2 -> one half, 3/4 -> three quarters, 2 1/2 -> two and one half, ½ -> one half, 1/20 of ->
    one twentieth of; 4x100 -> 4 by 100. A slash between figures that could be a date stays
    for the dates step unless the words around make it a fraction."""

    def mixed(m: re.Match) -> str:
        top, bottom = int(m.group(2)), int(m.group(3))
        if not 0 < top < bottom <= 100:
            return m.group(0)
        return f"{m.group(1)} and {_fraction(top, bottom)}"

    def plain(m: re.Match) -> str:
        top, bottom = int(m.group(1)), int(m.group(2))
        if not 0 < top < bottom <= 100 or (bottom > 10 and m.group(3) is None):
            return m.group(0)  # a date, a score, a ratio
        return _fraction(top, bottom)

    text = re.sub(r"(?:(\d+)\s?)?([\u00bc-\u00be\u2150-\u215e])", _glyph, text)
    text = re.sub(r"\b(?:the|other|a) (?=1/2\b)", lambda m: m.group(0) + "\x00", text)
    text = text.replace("\x001/2", "half")  # "the other 1/2" -> "the other half"
    text = re.sub(r"(?<![\d/.,])(\d{1,3}) (\d{1,2})/(\d{1,3})(?![\d/])", mixed, text)
    text = re.sub(r"(?<![\d/])(\d{1,2})/(\d{1,3})(?:st|nd|rd|th)\b", lambda m: _fraction(*map(int, m.groups())), text)
    text = re.sub(
        r"(?<![\d/.,])(\d{1,2})/(\d{1,3})(?![\d/])(?!\s+(?:" + _MONTH + r")\b)(" + _FRACTION_AFTER + r")?", plain, text
    )
    text = re.sub(r"\b(\d+)\s?x\s?(\d+)", r"\1 by \2", text)
    text = re.sub(r"\b(\d+)\^(\d+)\b", r"\1 to the power of \2", text)  # 10^6
    # "grew 10x", "1.8x the market": times; a bare "777x" is a model's name
    # "1x", "2x HDMI" are counts in a list
    return re.sub(r"(?<![\w.,])(?!1x)(\d{1,2}(?:\.\d+)?|\d{3,}\.\d+)x\b(?![-\w])(?!\s+[A-Z])", r"\1 times", text)


_MONTH = "|".join(MONTHS)


def _day(number: str) -> str | None:
    """A day of the month in words ("twenty-eighth"); None if the number cannot be one."""
    return _words(int(number), to="ordinal") if 1 <= int(number) <= 31 else None


def _month_day(m: re.Match) -> str:
    day = _day(m.group(2))
    return f"{m.group(1)} {day}" if day else m.group(0)


def _month_days(m: re.Match) -> str:
    first, last = _day(m.group(2)), _day(m.group(4))
    return f"{m.group(1)} {first} {m.group(3)} {last}" if first and last else m.group(0)


def _numeric_day(m: re.Match) -> str:
    """12/23 -> December twenty-third; 3/4 was a fraction (the fractions step has it)."""
    month, day = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1 <= day <= 31) or day <= 10:
        return m.group(0)
    return f"{MONTHS[month - 1]} {_day(m.group(2))}"


def _day_month(m: re.Match) -> str:
    day = _day(m.group(1))
    if not day:
        return m.group(0)
    the = "" if m.string.endswith(("the ", "The "), 0, m.start()) else "the "
    return f"{the}{day} of {m.group(2)}"


def _year(digits: str) -> str:
    """A two-digit year in a numeric date: '97 -> 1997, '04 -> 2004 (within the last 70 years or so)."""
    return digits if len(digits) == 4 else str((2000 if int(digits) < 30 else 1900) + int(digits))


def _full_date(month: int, day: int, year: str) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{MONTHS[month - 1]} {_words(day, to='ordinal')}, {_year(year)}"


def numeric_dates(text: str) -> str:
    """Numeric dates month first (en-US): see :func:`_numeric_dates`."""
    return _numeric_dates(text, day_first=False)


def numeric_dates_day_first(text: str) -> str:
    """Numeric dates day first (en-GB and most English locales but the US'): 3/4/2026 is 3 April."""
    return _numeric_dates(text, day_first=True)


def _numeric_dates(text: str, day_first: bool) -> str:
    """2015-03-03 and 2015/08/12 (ISO order); 3/3/04, 9-18-15, 02/22/2016 (month first, as in the
    US, unless the first number cannot be a month: 23/06/97); 13.5.2015 (dotted: day first) ->
    "March third, 2015", the year left for the years step."""

    def iso(m: re.Match) -> str:  # (year, separator, month, day)
        return _full_date(int(m.group(3)), int(m.group(4)), m.group(1)) or m.group(0)

    def us(m: re.Match) -> str:
        first, second = int(m.group(1)), int(m.group(3))
        month, day = (first, second) if first <= 12 else (second, first)
        if day_first and second <= 12:
            month, day = second, first
        return _full_date(month, day, m.group(4)) or m.group(0)

    def dotted(m: re.Match) -> str:  # day first, unless the second number cannot be a month
        first, second = int(m.group(1)), int(m.group(2))
        month, day = (second, first) if second <= 12 else (first, second)
        return _full_date(month, day, m.group(3)) or m.group(0)

    text = _ISO_TIME.sub(_iso_time, text)
    text = re.sub(r"(?<![\d/.-])(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?![\d/-])", iso, text)
    text = re.sub(r"(?<![\d/.-])(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-])", us, text)
    return re.sub(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d|\.\d)", dotted, text)


#: An ISO 8601 time stamp, "2024-12-03T14:05:00Z": the date, then "at" the hour and minute.
_ISO_TIME = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b")


def _iso_time(m: re.Match) -> str:
    offset = m.group(4)
    zone = " UTC" if offset == "Z" else ""
    if offset and offset != "Z":
        hours, minutes = int(offset[1:3]), int(offset[-2:])
        zone = f" UTC {'plus' if offset[0] == '+' else 'minus'} {hours}" + (f" {minutes}" if minutes else "")
    return f"{m.group(1)} at {m.group(2)}:{m.group(3)}{zone}"


def _expand_names(text: str) -> str:
    """Aug 8 -> August 8, Fri, Jul 18 -> Friday, July 18, JAN. 5 -> January 5, 22-23 Sept ->
    22-23 September: short month and day names next to a date (CLDR's, with AP's "Sept")."""
    months = cldr.month_abbreviations()
    days = cldr.day_abbreviations()
    month_words = "|".join([*months, *(m.lower() for m in MONTHS)])
    names = "|".join(months)
    either = {**months, **{m.lower(): m for m in MONTHS}}
    text = re.sub(  # "Sept.-Oct. 2023", "July-August": a span of months
        rf"\b({month_words})\.?\s?[-–/]\s?({month_words})\b(\.?)",
        lambda m: f"{either[m.group(1).lower()]} to {either[m.group(2).lower()]}" + _kept_stop(m, m.group(3)),
        text,
        flags=re.I,
    )
    text = re.sub(
        rf"\b({names})\b\.?(?=\s+\d{{1,2}}(?:st|nd|rd|th)?\b)|(?<=\d )({names})\b(\.?)",
        lambda m: months[(m.group(1) or m.group(2)).lower()] + _kept_stop(m, m.group(3) or ""),
        text,
        flags=re.I,
    )
    return re.sub(
        rf"\b({'|'.join(days)})\b\.?(?=,?\s+(?:{month_words}|the\s+\d|\d))",
        lambda m: days[m.group(1).lower()],
        text,
        flags=re.I,
    )


_ON_DAY = r"\b(on|from|to|until|till|since|by|through|before|after|between|and) "
_DAYS = "|".join(
    sorted({*cldr.day_abbreviations(), *(d.lower() for d in cldr.day_abbreviations().values())}, key=len, reverse=True)
)
#: "Monday-Friday", "Mon–Fri": a span of days.
_DAY_SPAN = re.compile(rf"\b({_DAYS})\.?\s?[-–]\s?({_DAYS})\b\.?", re.I)


def _day_name(word: str) -> str:
    return cldr.day_abbreviations().get(word.lower(), word.title())


def _day_span(m: re.Match) -> str:
    stop = _kept_stop(m, m.group(0)[-1] if m.group(0).endswith(".") else "")
    return f"{_day_name(m.group(1))} to {_day_name(m.group(2))}{stop}"


def dates(text: str) -> str:
    """November 28 -> November twenty-eighth; 5 June -> the fifth of June; Aug 8 - Aug 12 -> August
    eighth to August twelfth; from 10/1 to 11/7 -> from October first to November seventh;
    Mon-Fri -> Monday to Friday."""
    text = _expand_names(text)
    text = _DAY_SPAN.sub(_day_span, text)
    text = re.sub(rf"\b((?:{_MONTH})\s+\d{{1,2}})\s?[-–]\s?(?=(?:{_MONTH})\s+\d)", r"\1 to ", text)
    text = re.sub(_ON_DAY + r"(\d{1,2})/(\d{1,2})(?![\d/])", _month_day_of, text)
    text = re.sub(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])", _numeric_day, text)  # 12/23: no year
    text = re.sub(
        rf"(?<![\d,.])\b(\d{{1,2}})(?:st|nd|rd|th)?\s?([-–/]|to|through|and)\s?(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b",
        _days_month,
        text,
    )
    text = re.sub(rf"\b({_MONTH})\s+(\d{{1,2}})\s+(to|and)\s+(\d{{1,2}})\b(?![.,:]?\d)", _month_days, text)
    text = re.sub(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,:]?\d)", _month_day, text)
    return re.sub(rf"(?<![\d,.])\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b", _day_month, text)


def _month_day_of(m: re.Match) -> str:
    """ "from 10/1" -> "from October first": after a word that takes a date."""
    month, day = int(m.group(2)), _day(m.group(3))
    return f"{m.group(1)} {MONTHS[month - 1]} {day}" if 1 <= month <= 12 and day else m.group(0)


def _days_month(m: re.Match) -> str:
    """9-11 Oct -> the ninth to the eleventh of October; 5 and 7 May, 5/6 May -> the fifth and the
    seventh of May."""
    first, last = _day(m.group(1)), _day(m.group(3))
    joint = "and" if m.group(2) in ("and", "/") else "to"
    the = "" if m.string.endswith(("the ", "The "), 0, m.start()) else "the "
    return f"{the}{first} {joint} the {last} of {m.group(4)}" if first and last else m.group(0)


def decades(text: str) -> str:
    """the 1990s and 1990's -> the nineteen nineties; the '90s, 90's and 90s -> the nineties."""

    def plural(words: str) -> str:
        head, _, last = words.rpartition(" ")
        last = last[:-1] + "ies" if last.endswith("y") else last + "s"
        return f"{head} {last}".strip()

    text = re.sub(r"\b(1[1-9]\d0|20\d0)['’]?s\b", lambda m: plural(_words(int(m.group(1)), to="year")), text)
    text = re.sub(r"(?<![\w'.,$€£])'?([1-9]0)['’]?s\b", lambda m: plural(_words(int(m.group(1)))), text)  # not '00s
    # any other figure in the plural: "No. 1s", "the 747s", "1000s of fans"
    return re.sub(r"(?<![\w'.,$€£-])(\d{1,3}(?:,\d{3})+|\d+)s\b", _plural_figure, text)


def _plural_figure(m: re.Match) -> str:
    """1s -> ones, 6s -> sixes, 747s -> seven hundred forty-sevens, 1000s -> thousands; after a name
    a figure and an s are a model's ("iPhone 6s")."""
    if any(c.isupper() for c in _word_before(m)):
        return m.group(0)
    words = _words(int(m.group(1).replace(",", "")))
    if words.startswith("one ") and words.count(" ") == 1:
        return words[4:] + "s"  # "one thousand": thousands
    head, _, last = words.rpartition(" ")
    stem, _, tail = last.rpartition("-")
    tail = tail[:-1] + "ies" if tail.endswith("y") else tail + ("es" if tail.endswith(("x", "s")) else "s")
    return f"{head} {stem + '-' if stem else ''}{tail}".strip()


def _roman(numeral: str) -> int | None:
    """The value of a well-formed Roman numeral of I, V, X and L; None if it is not one."""
    values = [_ROMAN[c] for c in numeral]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    canonical = ""
    rest = total
    for value, symbol in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while rest >= value:
            canonical += symbol
            rest -= value
    return total if canonical == numeral else None


def roman_numerals(text: str) -> str:
    """World War II -> World War Two; Charles III -> Charles the Third (a voice says "Roman two")."""

    def say(m: re.Match) -> str:
        word, numeral = m.group(1), m.group(2)
        value = _roman(numeral)
        if value is None:
            return m.group(0)
        if word in ROMAN_CARDINAL_AFTER:
            return f"{word} {_words(value)}"
        if "L" in numeral or value > 39 or (len(numeral) == 1 and not _regnal(m)):  # "Then I", "Size XL"
            return m.group(0)
        return f"{word} the {_words(value, to='ordinal')}"

    return re.sub(r"\b([A-Z][a-z]+)\s+([IVXL]+)\b(?![\w.-]\w)", say, text)


#: Words before a monarch's name: after "Tsar Peter", "I" is a numeral whatever follows it.
MONARCH_TITLES: frozenset[str] = frozenset(
    ["King", "Queen", "Pope", "Emperor", "Empress", "Tsar", "Czar", "Tsarina", "Sultan", "Pharaoh", "Shah",
     "Kaiser", "Prince", "Princess", "Duke", "Duchess", "Emir", "Caliph", "Saint"]
)  # fmt: skip
#: Names a single letter follows that is no numeral.
NOT_REGNAL: frozenset[str] = frozenset(["Malcolm"])
#: A name this common as a word (wordfreq's Zipf scale) is a word before "I" ("Then I", "London I").
REGNAL_NAME_ZIPF = 5.2


def _regnal(m: re.Match) -> bool:
    """Whether "Henry V", "Charles I" is a monarch's number: a name (capitalized, not a common word,
    title, month or day) before it, and, for "I", which is also the pronoun, nothing after it but
    the sentence's punctuation or a possessive."""
    word, numeral, after = m.group(1), m.group(2), _after(m)
    if word in NOT_REGNAL or word in TITLES.values() or word in MONTHS or word.lower() in _DAY_NAMES:
        return False
    if numeral == "I" and not re.match(r"(?:['’]s\b|\s*[.,;:!?)]|\s*$|\s+(?:and|of|was|who)\b)", after):
        # before a verb, "I" is the pronoun ("In Paris I met") unless the name opens the sentence
        # or follows a monarch's title ("Peter I founded", "Tsar Peter I built")
        before = _before(m).rstrip()
        titled = _word_before(m) in MONARCH_TITLES
        opens = not before or before[-1] in '.!?"“('
        contraction = re.match(r"['’](?:m|ve|ll|d|re)\b", after)
        if not titled and (not opens or contraction or _opener(word)):
            return False
    initial = re.match(r"\.\s+([A-Z][a-z]+)", after)  # "Vladimir I. Lenin": an initial
    if initial and initial.group(1).lower() not in SENTENCE_OPENERS:
        return False
    from wordfreq import zipf_frequency  # a maintained frequency list; imported only when needed

    return zipf_frequency(word.lower(), "en") < REGNAL_NAME_ZIPF


#: Words that open a sentence before the pronoun ("Yesterday I", "Hopefully I") besides the
#: stopwords-iso list's: time words (adverbs in -ly are told by their ending).
_OPENERS_TOO = frozenset(["yesterday", "tonight", "tomorrow", "tonite", "lately", "earlier", "later"])


def _opener(word: str) -> bool:
    """Whether a capitalized word at a sentence's start is more likely an adverb than a name."""
    import stopwordsiso  # a maintained stopword list, already a dependency for Chinese and Japanese

    lower = word.lower()
    return lower.endswith("ly") or lower in _OPENERS_TOO or lower in stopwordsiso.stopwords("en")


_DAY_NAMES = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])


#: Letters that, without their dot, a voice reads as a word: "John A Smith" would say "uh".
KEEP_STOP_AFTER: frozenset[str] = frozenset({"A"})
# Before a small letter no voice ends a sentence; after a lower-case word the stop is a sentence's
# own ("billing. Save": the glued step put its space back).
_INNER_STOP = re.compile(r"\b([A-Z]\w*|\w)\.(?=\s+[A-Z])")


def inner_stops(text: str) -> str:
    """U.S. Army -> U.S Army, John F. Kennedy -> John F Kennedy, Acme Inc. Board -> Acme Inc Board.

    The tokenizer kept these full stops inside their sentence; the engine would end a sentence at
    each one before a capital (Piper does), with a falling tone and a pause in mid-phrase. Without
    the dot the letters are still spelled out.
    """

    def drop(m: re.Match) -> str:
        alone = m.start() == 0 or m.string[m.start() - 1] != "."
        return m.group(0) if alone and m.group(1) in KEEP_STOP_AFTER else m.group(1)

    return _INNER_STOP.sub(drop, text)


def whitespace(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class NamedStep:
    name: str
    fn: Step
    doc: str
    #: Whether the step writes English ("twenty twenty-one", "minus", "the third"): it is left
    #: out for other languages, whose engines read figures in their own language.
    english: bool = True


#: The default pipeline, in order. Earlier steps see the raw wording.
STEPS: tuple[NamedStep, ...] = (
    NamedStep("digit_runs", digit_runs, "a run of more than 15 digits is an identifier: said digit by digit"),
    NamedStep("urls", urls, "drop URLs and e-mail addresses", english=False),
    NamedStep("emoji", emoji, "drop emoji", english=False),
    NamedStep("phones", phones, "+44 7700 900123 -> plus four four, seven seven zero zero, ..."),
    NamedStep("glued", glued, "billing.Save -> billing. Save (a full stop that lost its space)", english=False),
    NamedStep("phrases", phrases, "24/7 -> twenty-four seven"),
    NamedStep("numeric_dates", numeric_dates, "2015-03-03, 3/3/04, 13.5.2015 -> March third, 2015"),
    NamedStep("grouping", grouping, "40 000 -> 40000, .5 -> 0.5 (thin-space thousands, a bare point)"),
    NamedStep("currency", currency, "$32.95, C$1.2bn, GBP 350, $0.25, $10K, $9/mo (CLDR's names)"),
    NamedStep(
        "magnitudes", magnitudes, "1.2bn -> 1.2 billion, 1.5m people -> 1.5 million people (the 100m sprint stays)"
    ),
    NamedStep("units", units, "3.5 km, 250ml, 40 m², 10 km/h, 5 ft 2 in (CLDR's names)"),
    NamedStep("alphanumerics", alphanumerics, "G7 -> G seven, COVID-19 -> COVID nineteen, 5G -> five G"),
    NamedStep("ranges", ranges, "2021–2023 -> 2021 to 2023"),
    NamedStep("quotes", quotes_and_dashes, "curly quotes, dashes and ellipses", english=False),
    NamedStep("abbreviations", abbreviations, "Gen. -> General, Dr. -> Doctor, No. 5, St. -> Saint or Street"),
    NamedStep("titles", titles, "Gen Musa -> General Musa (undotted titles before a name)"),
    NamedStep("signs", signs, "-3 -> minus 3"),
    NamedStep("percent", percent, "45% -> 45 percent"),
    NamedStep("ratios", ratios, "3:1 -> 3 to 1"),
    NamedStep("times", times, "9:30 a.m. -> nine thirty AM, 13:02 -> thirteen oh two"),
    NamedStep(
        "fractions", fractions, "3/4 -> three quarters, 2 1/2 -> two and a half, ½, 4x100 -> 4 by 100, 10x -> 10 times"
    ),
    NamedStep("dates", dates, "November 28 -> November twenty-eighth, 2015-03-03, 3/3/04, Aug 8"),
    NamedStep("slashes", slashes, "7/10 -> 7 out of 10, 3/2 -> 3 to 2"),
    NamedStep("ordinals", ordinals, "21st -> twenty-first, 1,000th -> one thousandth"),
    NamedStep("decades", decades, "the 1990s -> the nineteen nineties"),
    NamedStep("years", years, "in 2021 -> in twenty twenty-one"),
    NamedStep(
        "roman",
        roman_numerals,
        "World War II -> World War two, Scene XI -> Scene eleven, Henry V -> Henry the fifth",
    ),
    NamedStep("acronyms", acronyms, "IRGC -> I.R.G.C, NEW -> new, USAID -> U.S. aid, WWII; NATO stays"),
    NamedStep("numbers", numbers, "1,000 -> one thousand, 0063 -> zero zero six three"),
    NamedStep("american", american, "five hundred and forty -> five hundred forty (not for en-GB)"),
    NamedStep("whitespace", whitespace, "tidy spaces around punctuation", english=False),
    NamedStep("stops", inner_stops, "U.S. Army -> U.S Army: no sentence end inside a sentence"),
)
STEP_NAMES = tuple(s.name for s in STEPS)


#: English variants that say "five hundred and forty": the american step is left out for them.
BRITISH_STYLE: frozenset[str] = frozenset(
    ["en-gb", "en-uk", "en-au", "en-nz", "en-ie", "en-in", "en-za", "en-ng", "en-ke"]
)


def _steps(disabled: Iterable[str], language: str) -> list[NamedStep]:
    off = set(disabled)
    code = language.lower().replace("_", "-")
    english = base_language(code) == "en"
    if code in BRITISH_STYLE:
        off.add("american")
    steps = [s for s in STEPS if s.name not in off and (english or not s.english)]
    if english and cldr.day_first(code):  # the voice's locale orders numeric dates (CLDR's short format)
        steps = [dataclasses.replace(s, fn=numeric_dates_day_first) if s.name == "numeric_dates" else s for s in steps]
    return steps


def named_steps(disabled: Iterable[str] = (), language: str = "en") -> list[NamedStep]:
    """The steps to run for ``language``, with their names, ``disabled`` ones removed."""
    return _steps(disabled, language)


def pipeline(disabled: Iterable[str] = (), extra_first: Iterable[Step] = (), language: str = "en") -> list[Step]:
    """The steps to run for ``language``, with ``disabled`` ones removed and ``extra_first`` (e.g.
    a lexicon) in front."""
    return [*extra_first, *(s.fn for s in _steps(disabled, language))]


def normalize(text: str, steps: Iterable[Step] | None = None) -> str:
    for step in pipeline() if steps is None else steps:
        text = step(text)
    return text


def spans(before: str, after: str) -> list[tuple[str, str]]:
    """(written, spoken) for each stretch one step rewrote ("$32.95" -> "32 dollars and 95 cents"),
    by word: what ``lint --json`` shows, and what read-along maps back to the written words."""
    import difflib

    a, b = before.split(" "), after.split(" ")
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    a, b = a[head : len(a) - tail], b[head : len(b) - tail]
    if len(a) * len(b) > SPAN_WORK:  # difflib is quadratic: past this, the changed stretch is one span
        return [(" ".join(a), " ".join(b))]
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return [(" ".join(a[i1:i2]), " ".join(b[j1:j2])) for op, i1, i2, j1, j2 in ops if op != "equal"]


#: The most word pairs :func:`spans` compares one by one (a sentence of 300 words against its
#: reading); a longer changed stretch is reported whole.
SPAN_WORK = 100_000


def applied(text: str, disabled: Iterable[str] = (), language: str = "en") -> list[tuple[str, str, str]]:
    """(step, before, after) for each step that changed the text: what ``lint`` reports."""
    return trace(text, _steps(disabled, language))


def trace(text: str, steps: Iterable[NamedStep]) -> list[tuple[str, str, str]]:
    """(step, before, after) for each of ``steps`` that changed the text, in order."""
    out = []
    for step in steps:
        new = step.fn(text)
        if new != text and step.name != "whitespace":
            out.append((step.name, text, new))
        text = new
    return out
