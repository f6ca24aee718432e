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

Step = Callable[[str], str]

#: Abbreviations spoken in full. A trailing dot is part of the match.
ABBREVIATIONS: dict[str, str] = {
    "Gen.": "General",
    "Lt.": "Lieutenant",
    "Col.": "Colonel",
    "Capt.": "Captain",
    "Sgt.": "Sergeant",
    "Adm.": "Admiral",
    "Dr.": "Doctor",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Ms.": "Miz",
    "Prof.": "Professor",
    "Sen.": "Senator",
    "Rep.": "Representative",
    "Gov.": "Governor",
    "Pres.": "President",
    "Sr.": "Senior",
    "Jr.": "Junior",
    "Mt.": "Mount",
    "Ft.": "Fort",
    "vs.": "versus",
    "etc.": "et cetera",
    "e.g.": "for example",
    "i.e.": "that is",
    "approx.": "approximately",
    "Jan.": "January",
    "Feb.": "February",
    "Aug.": "August",
    "Sept.": "September",
    "Oct.": "October",
    "Nov.": "November",
    "Dec.": "December",
}

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

_EMOJI = re.compile(
    # Pictographs, symbols, flags, dingbats, variation selectors and joiners. A regex rather than
    # the `emoji` package: dropping is all we do, and these ranges are stable Unicode blocks.
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\ufe0f\u200d\u20e3]+"
)
_URL = re.compile(r"\b(?:https?://|www\.)\S+[^\s.,;:!?)\]'\"]", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


def _say_number(token: str) -> str:
    value = token.replace(",", "")
    if "." in value:
        whole, frac = value.split(".", 1)
        return f"{num2words(int(whole))} point {' '.join(num2words(int(d)) for d in frac)}"
    return num2words(int(value))


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
    text = _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    text = re.sub(r"\bNo\.\s?(?=\d)", "number ", text)
    text = re.sub(r"\bSt\.(?=\s+[A-Z])", "Saint", text)
    text = re.sub(r"(?<=[a-z] )St\.", "Street", text)
    return text


_CURRENCY_RE = re.compile(
    r"(?P<sym>US\$|[$€£¥₹])\s?(?P<num>"
    + _NUMBER
    + r")(?:\s?(?P<mag>thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?",
    re.I,
)


def currency(text: str) -> str:
    """$32.95 -> 32 dollars and 95 cents; $1.2 billion -> 1.2 billion dollars; £3m -> 3 million pounds."""

    def say(m: re.Match) -> str:
        unit, sub = CURRENCIES[m.group("sym").upper() if m.group("sym") == "us$" else m.group("sym")]
        num = m.group("num").replace(",", "")
        mag = m.group("mag")
        if mag:
            return f"{num} {MAGNITUDES[mag.lower()]} {_PLURAL.get(unit, unit + 's')}"
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
    return re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: num2words(int(m.group(1)), to="ordinal"), text)


def ranges(text: str) -> str:
    """2021–2023 -> 2021 to 2023 (before dashes become pauses)."""
    return re.sub(r"\b(\d{1,4})\s?[–-]\s?(\d{1,4})\b(?!-)", r"\1 to \2", text)


_TIME_RE = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(a\.m\.|p\.m\.|am\b|pm\b)", re.I)


def times(text: str) -> str:
    """9:30 a.m. -> nine thirty AM; 10 p.m. -> ten PM ("A M" would be read "uh em")."""

    def say(m: re.Match) -> str:
        hour, minutes, half = m.group(1), m.group(2), m.group(3)
        words = num2words(int(hour))
        if minutes and int(minutes):
            mm = int(minutes)
            words += (" oh " if mm < 10 else " ") + num2words(mm)
        stop = "." if half.endswith(".") and m.end() == len(text) else ""  # it also ended the sentence
        return f"{words} {'AM' if half.lower().startswith('a') else 'PM'}{stop}"

    text = _TIME_RE.sub(say, text)
    return re.sub(
        r"\b(\d{1,2}):(\d{2})\b",
        lambda m: f"{m.group(1)} {m.group(2)}" if m.group(2) != "00" else f"{m.group(1)} o'clock",
        text,
    )


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
        lambda m: num2words(int(m.group(1)), to="year"),
        text,
    )


def numbers(text: str) -> str:
    """Whatever digits are left: 1,000 -> one thousand; 3.5 -> three point five."""
    return re.sub(r"(?<![\w.])(" + _NUMBER + r")(?![\w])", lambda m: _say_number(m.group(1)), text)


#: Letters that, without their dot, a voice reads as a word: "John A Smith" would say "uh".
KEEP_STOP_AFTER: frozenset[str] = frozenset({"A"})
_INNER_STOP = re.compile(r"(\w+)\.(?=\s+\S)")


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


#: The default pipeline, in order. Earlier steps see the raw wording.
STEPS: tuple[NamedStep, ...] = (
    NamedStep("urls", urls, "drop URLs and e-mail addresses"),
    NamedStep("emoji", emoji, "drop emoji"),
    NamedStep("ranges", ranges, "2021–2023 -> 2021 to 2023"),
    NamedStep("quotes", quotes_and_dashes, "curly quotes, dashes and ellipses"),
    NamedStep("abbreviations", abbreviations, "Gen. -> General, Dr. -> Doctor, No. 5"),
    NamedStep("currency", currency, "$32.95, $1.2 billion, €40, £3m"),
    NamedStep("percent", percent, "45% -> 45 percent"),
    NamedStep("times", times, "9:30 a.m. -> nine thirty AM"),
    NamedStep("units", units, "3.5 km, 40 m²"),
    NamedStep("ordinals", ordinals, "21st -> twenty-first"),
    NamedStep("years", years, "in 2021 -> in twenty twenty-one"),
    NamedStep("numbers", numbers, "1,000 -> one thousand"),
    NamedStep("whitespace", whitespace, "tidy spaces around punctuation"),
    NamedStep("stops", inner_stops, "U.S. Army -> U.S Army: no sentence end inside a sentence"),
)
STEP_NAMES = tuple(s.name for s in STEPS)


def pipeline(disabled: Iterable[str] = (), extra_first: Iterable[Step] = ()) -> list[Step]:
    """The steps to run, with ``disabled`` ones removed and ``extra_first`` (e.g. a lexicon) in front."""
    off = set(disabled)
    return [*extra_first, *(s.fn for s in STEPS if s.name not in off)]


def normalize(text: str, steps: Iterable[Step] | None = None) -> str:
    for step in pipeline() if steps is None else steps:
        text = step(text)
    return text


def applied(text: str, disabled: Iterable[str] = ()) -> list[tuple[str, str, str]]:
    """(step, before, after) for each step that changed the text: what ``lint`` reports."""
    out = []
    off = set(disabled)
    for step in STEPS:
        if step.name in off:
            continue
        new = step.fn(text)
        if new != text and step.name != "whitespace":
            out.append((step.name, text, new))
        text = new
    return out
