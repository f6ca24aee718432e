"""Speech normalization: a list of small ``str -> str`` steps (gTTS's pre-processors, grown up).

Only the text sent to the engine goes through here; transcripts keep the original wording.
Each step has a name so that a user can switch it off (``--no-normalize currency``).
Rules are data: the tables below, not branches in code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from num2words import num2words

from ..settings import base_language
from .words import ABBREVIATIONS, MONTHS, TITLES

Step = Callable[[str], str]

# ABBREVIATIONS, TITLES and MONTHS: words.py (one table, shared with the tokenizer).

CURRENCIES: dict[str, tuple[str, str]] = {
    "$": ("dollar", "cent"),
    "US$": ("dollar", "cent"),
    "€": ("euro", "cent"),
    "£": ("pound", "penny"),
    "¥": ("yen", "sen"),
    "₹": ("rupee", "paisa"),
}
_PLURAL = {"penny": "pence", "yen": "yen", "sen": "sen", "paisa": "paise"}

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
}

UNITS: dict[str, tuple[str, str]] = {
    "km²": ("square kilometer", "square kilometers"),
    "m²": ("square meter", "square meters"),
    "km2": ("square kilometer", "square kilometers"),
    "sq km": ("square kilometer", "square kilometers"),
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "bps": ("basis point", "basis points"),
    "bp": ("basis point", "basis points"),
    "mph": ("mile per hour", "miles per hour"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "m": ("meter", "meters"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "mi": ("mile", "miles"),
    "ft": ("foot", "feet"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
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
     "UNAIDS", "FRELIMO", "RENAMO", "UNITA", "POTUS", "SCOTUS", "NIMBY", "GIF", "JPEG", "PIN", "SIM", "RAM",
     "ROM", "LAN", "WAN", "SWAT", "TASS", "OFCOM", "OFSTED", "NEET", "LIDAR", "RADAR", "LASER", "SCUBA",
     "UNIFIL", "MONUSCO", "AMISOM", "FRONTEX", "INTERPOL", "EUROPOL", "AM", "PM", "OK"]
)  # fmt: skip
#: Said their own way.
ACRONYM_SAID: dict[str, str] = {"USAID": "U.S. aid", "UNHCR": "U.N.H.C.R", "UNRWA": "UNRWA", "NAACP": "N double A C P"}
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
    ["War", "Phase", "Type", "Part", "Chapter", "Title", "Class", "Category", "Stage", "Level", "Bowl",
     "Vatican", "Act", "Article", "Volume", "Book", "Round", "Grade", "Apollo", "Olympiad", "Series",
     "Episode", "Artemis", "Gemini", "Mercury", "Voyager", "Pioneer", "Mariner", "Viking", "Surveyor",
     "Ranger", "Explorer", "Skylab", "Vostok", "Soyuz", "Luna", "Chandrayaan", "Mangalyaan", "Tianwen",
     "Chang'e", "Shenzhou", "Starship", "Falcon", "Titan", "Saturn", "Atlas", "Delta", "Ariane", "Vega",
     "WrestleMania", "Rocky", "Creed", "Frozen", "Toy", "Story", "Mission", "Operation", "Generation",
     "Wave", "Tier", "Block", "Batch", "Section", "Schedule", "Annex", "Amendment", "Protocol", "Pillar",
     "Group", "Division", "League", "Formula", "Zone", "Grid", "Unit", "Reactor", "Platform", "Terminal"]
)  # fmt: skip
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}

_EMOJI = re.compile(
    # Pictographs, symbols, flags, dingbats, variation selectors and joiners. A regex rather than
    # the `emoji` package: dropping is all we do, and these ranges are stable Unicode blocks.
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\ufe0f\u200d\u20e3]+"
)
_URL = re.compile(r"\b(?:https?://|www\.)\S+[^\s.,;:!?)\]'\"]", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


#: Longer runs of digits are an identifier (an account, a tracking number), read digit by digit.
MAX_QUANTITY_DIGITS = 15


def _words(number: int, **how: str) -> str:
    """num2words, without the commas it puts after thousands (a voice pauses at each)."""
    if len(str(abs(number))) > MAX_QUANTITY_DIGITS:
        return " ".join(num2words(int(d)) for d in str(abs(number)))
    return num2words(number, **how).replace(",", "")


def _say_number(token: str) -> str:
    value = token.replace(",", "")
    if "." in value:
        whole, frac = value.split(".", 1)
        return f"{_words(int(whole))} point {' '.join(_words(int(d)) for d in frac)}"
    return _words(int(value))


def _digits(group: str) -> str:
    return " ".join("zero" if d == "0" else _words(int(d)) for d in group)


_PHONE = re.compile(r"(?<![\w.,])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)|\d{2,5})(?:[\s.-]\d{2,5}){1,4}(?![\w.,]?\d)")


def phones(text: str) -> str:
    """0803 123 4567 -> zero eight zero three, one two three, four five six seven.

    A run of digit groups is a telephone number when it starts with 0, + or a bracket, or has
    the 3-3-4 dashes of a North American one; a quantity ("3 000") does not.
    """

    def say(m: re.Match) -> str:
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        plain = re.fullmatch(r"\d{3}-\d{3}-\d{4}", raw)
        if len(digits) < 7 or not (raw[0] in "+(0" or plain):
            return raw
        groups = re.findall(r"\d+", raw)
        lead = "plus " if raw.startswith("+") else ""
        return lead + ", ".join(_digits(g) for g in groups)

    return _PHONE.sub(say, text)


def alphanumerics(text: str) -> str:
    """G7 -> G seven, COVID-19 -> COVID nineteen, F-35 -> F thirty-five, 5G -> five G."""
    text = re.sub(
        r"\b([A-Z]{1,6}-?|[A-Z][A-Za-z]{1,5}-)(\d{1,3})\b(?![.,]\d)",
        lambda m: f"{m.group(1).rstrip('-')} {_words(int(m.group(2)))}",
        text,
    )
    return re.sub(r"\b(\d{1,2})([A-Z]{1,2})\b", lambda m: f"{_words(int(m.group(1)))} {m.group(2)}", text)


def _duration(m: re.Match) -> str:
    parts = zip((int(m.group(1)), int(m.group(2)), int(m.group(3))), ("hour", "minute", "second"))
    return ", ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n)


def ratios(text: str) -> str:
    """3:1 -> 3 to 1 (a score or a ratio; 9:30 is a time, for the times step); a race time
    2:01:09 -> 2 hours, 1 minute, 9 seconds."""
    text = re.sub(r"(?<![\d:])(\d{1,2}):(\d{2}):(\d{2})(?![\d:])", _duration, text)
    return re.sub(r"(?<![\d:])(\d{1,3}):(\d)(?![\d:])", r"\1 to \2", text)


def slashes(text: str) -> str:
    """What a slash between figures still means once fractions and dates are read: 7/10 -> 7 out
    of 10, 3/2 -> 3 to 2 (a voice would say "slash")."""

    def say(m: re.Match) -> str:
        top, bottom = int(m.group(1)), int(m.group(2))
        return f"{top} out of {bottom}" if top <= bottom else f"{top} to {bottom}"

    return re.sub(r"(?<![\d/])(\d+)\s?/\s?(\d+)(?![\d/])", say, text)


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
        if len(word) > 3 and _common_word(word.lower()):
            return word.lower()
        return ".".join(word)

    # capitals joined by a hyphen are a respelling's stress ("doo-AH-lay", the lexicon's) or a compound
    return re.sub(r"(?<![\w-])[A-Z]{2,}(?![\w-])(?!['’]?[a-z])", say, text)


def american(text: str) -> str:
    """five hundred and forty-four -> five hundred forty-four: an American voice's figures."""
    return re.sub(
        r"\b(hundred|thousand|million|billion|trillion) and (?=(?:one|two|three|four|five|six|seven|eight|nine|"
        r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
        r"fifty|sixty|seventy|eighty|ninety)\b)",
        r"\1 ",
        text,
    )


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
    r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?=\s|$)"
)


def abbreviations(text: str) -> str:
    """Gen. -> General, Dr. -> Doctor, No. 5 -> number 5, St. -> Saint or Street."""
    # At the very end, the dot also ended the sentence: it stays.
    text = _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(1)] + ("." if m.end() == len(text) else ""), text)
    text = re.sub(r"\bNo\.\s?(?=\d)", "number ", text)
    text = re.sub(r"\bc\.\s?(?=\d)", "circa ", text)  # c. 1950
    text = re.sub(r"\bFY\s?(?=\d\d(?:\d\d)?\b)", "FY ", text)  # FY2024: then read as a year
    text = re.sub(r"\bSt\.(?=\s+[A-Z])", "Saint", text)
    text = re.sub(r"(?<=[a-z] )St\.", "Street", text)
    return text


_CURRENCY_RE = re.compile(
    r"(?P<sym>US\$|[$€£¥₹])\s?(?P<num>"
    + _NUMBER
    + r")(?:\s?(?:to|-)\s?\$?(?P<upto>"  # $5-10 million: the range is in millions too
    + _NUMBER
    + r"))?(?:\s?(?P<mag>thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?"
    + r"(?:\s(?:"
    + "|".join(sorted(CURRENCY_WORDS))
    + r")\b)?",  # "$60 billion dollars": said once
    re.I,
)


def currency(text: str) -> str:
    """$32.95 -> 32 dollars and 95 cents; $1.2 billion -> 1.2 billion dollars; £3m -> 3 million pounds."""

    def say(m: re.Match) -> str:
        unit, sub = CURRENCIES[m.group("sym").upper() if m.group("sym") == "us$" else m.group("sym")]
        num = m.group("num").replace(",", "")
        mag, upto = m.group("mag"), m.group("upto")
        if upto:  # a range: "5 to 10 million dollars"
            num = f"{num} to {upto.replace(',', '')}"
        if mag:
            return f"{num} {MAGNITUDES[mag.lower()]} {_PLURAL.get(unit, unit + 's')}"
        if upto:
            return f"{num} {_PLURAL.get(unit, unit + 's')}"
        whole, _, cents = num.partition(".")
        units = unit if whole == "1" else _PLURAL.get(unit, unit + "s")
        out = f"{whole} {units}"
        if cents and int(cents[:2].ljust(2, "0")):
            c = int(cents[:2].ljust(2, "0"))
            out += f" and {c} {sub if c == 1 else _PLURAL.get(sub, sub + 's')}"
        return out

    return _CURRENCY_RE.sub(say, text)


def percent(text: str) -> str:
    return re.sub(r"(" + _NUMBER + r")\s?(%|per cent\b)", r"\1 percent", text)


def ordinals(text: str) -> str:
    return re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: _words(int(m.group(1)), to="ordinal"), text)


def ranges(text: str) -> str:
    """2021–2023 -> 2021 to 2023, 52%-48% -> 52% to 48% (before dashes become pauses)."""
    return re.sub(r"\b(\d{1,4})(%?)\s?[–-]\s?(\d{1,4})\b(?!-)", r"\1\2 to \3", text)


_TIME_RE = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(a\.m\.|p\.m\.|am\b|pm\b)", re.I)


def times(text: str) -> str:
    """9:30 a.m. -> nine thirty AM; 10 p.m. -> ten PM ("A M" would be read "uh em")."""

    def say(m: re.Match) -> str:
        hour, minutes, half = m.group(1), m.group(2), m.group(3)
        words = _words(int(hour))
        if minutes and int(minutes):
            mm = int(minutes)
            words += (" oh " if mm < 10 else " ") + _words(mm)
        stop = "." if half.endswith(".") and m.end() == len(text) else ""  # it also ended the sentence
        return f"{words} {'AM' if half.lower().startswith('a') else 'PM'}{stop}"

    def clock(m: re.Match) -> str:
        hour, minutes = int(m.group(1)), m.group(2)
        if minutes != "00":
            return f"{hour} {minutes}"
        return f"{hour} hundred" if hour > 12 else f"{hour} o'clock"  # 14:00: "fourteen hundred"

    text = _TIME_RE.sub(say, text)
    return re.sub(r"\b(\d{1,2}):(\d{2})\b", clock, text)


_UNIT_RE = re.compile(
    r"(?P<num>"
    + _NUMBER
    + r")\s?(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    + r")(?![\w²])"
)


def units(text: str) -> str:
    def say(m: re.Match) -> str:
        one, many = UNITS[m.group("unit")]
        return f"{m.group('num')} {one if m.group('num') == '1' else many}"

    return _UNIT_RE.sub(say, text)


def years(text: str) -> str:
    """Four-digit years are read as years: "in 2021" -> "in twenty twenty-one"."""
    return re.sub(
        r"(?<![\d,.$€£])\b(1[1-9]\d\d|20\d\d)\b(?![,.]?\d)(?!\s?(?:percent|people|officers|troops|dollars|euros|pounds))",
        lambda m: _words(int(m.group(1)), to="year"),
        text,
    )


def numbers(text: str) -> str:
    """Whatever digits are left: 1,000 -> one thousand; 3.5 -> three point five."""
    return re.sub(r"(?<![\w.])(" + _NUMBER + r")(?![\w])", lambda m: _say_number(m.group(1)), text)


_PHRASES_RE = re.compile(r"(?<![\w/])(?:" + "|".join(re.escape(k) for k in PHRASES) + r")(?![\w/])")


def phrases(text: str) -> str:
    """24/7 -> twenty-four seven (figures a voice would read with a "slash")."""
    return _PHRASES_RE.sub(lambda m: PHRASES[m.group(0)], text)


def signs(text: str) -> str:
    """-3 -> minus 3 (a voice drops a bare minus sign)."""
    return re.sub(r"(?<![^\s(\[])[-\u2212](?=\d)", "minus ", text)  # after a space or a bracket only


def magnitudes(text: str) -> str:
    """1.2bn -> 1.2 billion, 1.5m people -> 1.5 million people, 20k -> 20 thousand (with no
    currency: currency() has those); the 100m sprint stays meters (see :data:`METER_CONTEXT`)."""

    def say(m: re.Match) -> str:
        number, suffix, after = m.group(1), m.group(2), m.group(3) or ""
        if suffix == "m" and after.lower() in METER_CONTEXT:
            return m.group(0)
        if suffix == "k" and after.lower() in ("run", "race", "walk", "resolution", "tv", "screen"):
            return m.group(0)
        return f"{number} {MAGNITUDES[suffix]}" + (m.group(0)[m.end(2) - m.start(0) :] if after else "")

    return re.sub(r"\b(" + _NUMBER + r")(bn|tn|mn|m|k)\b(?=(?:\s+([\w-]+))?)", say, text)


def fractions(text: str) -> str:
    """1/2 -> one half, 3/4 -> three quarters, 2/3 -> two thirds; 4x100 -> 4 by 100."""

    def say(m: re.Match) -> str:
        top, bottom = int(m.group(1)), int(m.group(2))
        if not 0 < top < bottom <= 10:
            return m.group(0)  # a date, a score, a ratio
        name = {2: "half", 4: "quarter"}.get(bottom) or _words(bottom, to="ordinal")
        plural = {"half": "halves"}.get(name, name + "s") if top > 1 else name
        return f"{_words(top)} {plural}"

    text = re.sub(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])", say, text)
    return re.sub(r"\b(\d+)\s?x\s?(\d+)", r"\1 by \2", text)


_MONTH = "|".join(MONTHS)


def _numeric_date(m: re.Match) -> str:
    first, second, year = int(m.group(1)), int(m.group(2)), m.group(3)
    month, day = (first, second) if first <= 12 else (second, first)  # US order unless it cannot be
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return f"{MONTHS[month - 1]} {day}, {year}"


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
    return f"the {day} of {m.group(2)}" if day else m.group(0)


def dates(text: str) -> str:
    """November 28 -> November twenty-eighth; 5 June -> the fifth of June; 11/28/2026 -> November
    twenty-eighth, 2026 (month first, as in the US, unless the first number cannot be a month)."""
    text = re.sub(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])", _numeric_date, text)
    text = re.sub(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])", _numeric_day, text)  # 12/23: no year
    text = re.sub(rf"\b({_MONTH})\s+(\d{{1,2}})\s+(to|and)\s+(\d{{1,2}})\b(?![.,:]?\d)", _month_days, text)
    text = re.sub(rf"\b({_MONTH})\s+(\d{{1,2}})\b(?![.,:]?\d)", _month_day, text)
    return re.sub(rf"(?<![\d,.])\b(\d{{1,2}})\s+({_MONTH})\b", _day_month, text)


def decades(text: str) -> str:
    """the 1990s -> the nineteen nineties; the '90s -> the nineties."""

    def plural(words: str) -> str:
        head, _, last = words.rpartition(" ")
        last = last[:-1] + "ies" if last.endswith("y") else last + "s"
        return f"{head} {last}".strip()

    text = re.sub(r"\b(1[1-9]\d0|20\d0)s\b", lambda m: plural(_words(int(m.group(1)), to="year")), text)
    return re.sub(r"(?<!\w)'([1-9]0)s\b", lambda m: plural(_words(int(m.group(1)))), text)  # not '00s


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
        if len(numeral) == 1 or "L" in numeral or value > 39:  # "Then I", "Malcolm X", "Size XL"
            return m.group(0)
        return f"{word} the {_words(value, to='ordinal')}"

    return re.sub(r"\b([A-Z][a-z]+)\s+([IVXL]+)\b(?![\w.-]\w)", say, text)


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
    NamedStep("urls", urls, "drop URLs and e-mail addresses", english=False),
    NamedStep("emoji", emoji, "drop emoji", english=False),
    NamedStep("phones", phones, "0803 123 4567 -> zero eight zero three, one two three, ..."),
    NamedStep("alphanumerics", alphanumerics, "G7 -> G seven, COVID-19 -> COVID nineteen, 5G -> five G"),
    NamedStep("glued", glued, "billing.Save -> billing. Save (a full stop that lost its space)", english=False),
    NamedStep("phrases", phrases, "24/7 -> twenty-four seven"),
    NamedStep("ranges", ranges, "2021–2023 -> 2021 to 2023"),
    NamedStep("quotes", quotes_and_dashes, "curly quotes, dashes and ellipses", english=False),
    NamedStep("abbreviations", abbreviations, "Gen. -> General, Dr. -> Doctor, No. 5"),
    NamedStep("titles", titles, "Gen Musa -> General Musa (undotted titles before a name)"),
    NamedStep("signs", signs, "-3 -> minus 3"),
    NamedStep("currency", currency, "$32.95, $1.2 billion, €40, £3m"),
    NamedStep(
        "magnitudes", magnitudes, "1.2bn -> 1.2 billion, 1.5m people -> 1.5 million people (the 100m sprint stays)"
    ),
    NamedStep("percent", percent, "45% -> 45 percent"),
    NamedStep("ratios", ratios, "3:1 -> 3 to 1"),
    NamedStep("times", times, "9:30 a.m. -> nine thirty AM"),
    NamedStep("units", units, "3.5 km, 40 m², 25bp, 40°"),
    NamedStep("fractions", fractions, "3/4 -> three quarters, 4x100 -> 4 by 100"),
    NamedStep("dates", dates, "November 28 -> November twenty-eighth"),
    NamedStep("slashes", slashes, "7/10 -> 7 out of 10, 3/2 -> 3 to 2"),
    NamedStep("ordinals", ordinals, "21st -> twenty-first"),
    NamedStep("decades", decades, "the 1990s -> the nineteen nineties"),
    NamedStep("years", years, "in 2021 -> in twenty twenty-one"),
    NamedStep(
        "roman",
        roman_numerals,
        "World War II -> World War two, Artemis II -> Artemis two, Charles III -> Charles the third",
    ),
    NamedStep("acronyms", acronyms, "IRGC -> I.R.G.C, NEW -> new, USAID -> U.S. aid; NATO stays"),
    NamedStep("numbers", numbers, "1,000 -> one thousand"),
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
    return [s for s in STEPS if s.name not in off and (english or not s.english)]


def pipeline(disabled: Iterable[str] = (), extra_first: Iterable[Step] = (), language: str = "en") -> list[Step]:
    """The steps to run for ``language``, with ``disabled`` ones removed and ``extra_first`` (e.g.
    a lexicon) in front."""
    return [*extra_first, *(s.fn for s in _steps(disabled, language))]


def normalize(text: str, steps: Iterable[Step] | None = None) -> str:
    for step in pipeline() if steps is None else steps:
        text = step(text)
    return text


def applied(text: str, disabled: Iterable[str] = (), language: str = "en") -> list[tuple[str, str, str]]:
    """(step, before, after) for each step that changed the text: what ``lint`` reports."""
    out = []
    for step in _steps(disabled, language):
        new = step.fn(text)
        if new != text and step.name != "whitespace":
            out.append((step.name, text, new))
        text = new
    return out
