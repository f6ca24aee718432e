"""Names a voice says for symbols, from CLDR (through Babel): currencies, units, months and days.

One table per fact: what the written symbol *is* (an ISO currency code, a CLDR unit id) is typed
here once; how it is *said*, singular and plural, comes from CLDR, the data every platform's
formatter uses. The few things CLDR does not name (cents and pence, basis points) are tables here.
"""

from __future__ import annotations

import functools
from typing import Literal

#: Spoken in American newsroom English; the voices' en-GB and en-US differ in figures, not in these.
LOCALE = "en_US"

#: Currency symbols and prefixes -> ISO 4217 code. A bare symbol ("$", "£") is said without its
#: country ("dollars"); a prefixed one ("HK$", "C$") and a code ("CAD 3") with it.
CURRENCY_SYMBOLS: dict[str, str] = {
    "$": "USD", "US$": "USD", "U.S.$": "USD", "HK$": "HKD", "C$": "CAD", "CA$": "CAD", "A$": "AUD",
    "AU$": "AUD", "NZ$": "NZD", "S$": "SGD", "Mex$": "MXN", "MX$": "MXN", "NT$": "TWD", "R$": "BRL",
    "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", "₦": "NGN", "₺": "TRY",
    "₪": "ILS", "₱": "PHP", "₫": "VND", "฿": "THB", "₴": "UAH", "Rs.": "INR", "Rs": "INR", "Rp": "IDR",
    "R": "ZAR", "RM": "MYR", "KSh": "KES", "GH¢": "GHS", "GH₵": "GHS", "₵": "GHS",
}  # fmt: skip
#: Prefixed symbols whose country is said ("C$5" -> "five Canadian dollars"); US$ says "U.S. dollars".
COUNTRY_SAID: frozenset[str] = frozenset(
    ["US$", "U.S.$", "HK$", "C$", "CA$", "A$", "AU$", "NZ$", "S$", "Mex$", "MX$", "NT$", "R$", "KSh", "GH¢", "GH₵"]
)
#: The hundredth part, which CLDR does not name: (singular, plural); "cent" for any other.
MINOR_UNITS: dict[str, tuple[str, str]] = {
    "GBP": ("penny", "pence"), "INR": ("paisa", "paise"), "RUB": ("kopek", "kopeks"),
    "CHF": ("centime", "centimes"), "CNY": ("fen", "fen"), "JPY": ("sen", "sen"), "ILS": ("agora", "agorot"),
}  # fmt: skip
#: Said as their initials ("US dollars" would be read "us dollars").
_INITIALS = {"US ": "U.S. ", "UAE ": "U.A.E. ", "Israeli new ": "Israeli "}  # and the name in use


@functools.cache
def iso_codes() -> frozenset[str]:
    """Every ISO 4217 code CLDR names (USD, GBP, KWD ...)."""
    from babel import Locale

    names = Locale.parse(LOCALE).currencies
    # "(1979-2007)": a currency no longer in use; its code is more likely something else
    return frozenset(code for code, name in names.items() if len(code) == 3 and code.isupper() and "(" not in name)


@functools.cache
def currency_name(code: str, many: bool, country: bool = True) -> str:
    """ "Canadian dollars" (``country``) or "dollars"; CLDR's name for ``code``."""
    from babel.numbers import get_currency_name

    name = get_currency_name(code, 2 if many else 1, locale=LOCALE)
    for written, said in _INITIALS.items():
        name = name.replace(written, said)
    return name if country else name.split()[-1]


def minor_unit(code: str, many: bool) -> str:
    one, more = MINOR_UNITS.get(code, ("cent", "cents"))
    return more if many else one


#: Unit symbols -> CLDR unit id (case matters: "mg" is not "Mg"). ``GLUED_ONLY`` ones are units
#: only straight after a figure ("2l", "100t"): spaced, they are words ("3 in 10", "a 5 t-shirt").
UNIT_SYMBOLS: dict[str, str] = {
    "km": "length-kilometer", "m": "length-meter", "cm": "length-centimeter", "mm": "length-millimeter",
    "µm": "length-micrometer", "μm": "length-micrometer", "mi": "length-mile", "ft": "length-foot",
    "yd": "length-yard", "in": "length-inch", '"': "length-inch", "″": "length-inch",
    "kg": "mass-kilogram", "g": "mass-gram", "mg": "mass-milligram", "µg": "mass-microgram",
    "μg": "mass-microgram", "mcg": "mass-microgram", "lb": "mass-pound", "lbs": "mass-pound",
    "oz": "mass-ounce", "t": "mass-ton",
    "l": "volume-liter", "L": "volume-liter", "ml": "volume-milliliter", "mL": "volume-milliliter",
    "cl": "volume-centiliter", "dl": "volume-deciliter", "gal": "volume-gallon", "qt": "volume-quart",
    "tbsp": "volume-tablespoon", "tsp": "volume-teaspoon", "fl oz": "volume-fluid-ounce",
    "W": "power-watt", "kW": "power-kilowatt", "MW": "power-megawatt", "GW": "power-gigawatt",
    "hp": "power-horsepower", "kWh": "energy-kilowatt-hour", "Hz": "frequency-hertz",
    "kHz": "frequency-kilohertz", "MHz": "frequency-megahertz", "GHz": "frequency-gigahertz",
    "V": "electric-volt", "mA": "electric-milliampere",
    "KB": "digital-kilobyte", "kB": "digital-kilobyte", "MB": "digital-megabyte", "GB": "digital-gigabyte",
    "TB": "digital-terabyte", "Mb": "digital-megabit", "Gb": "digital-gigabit",
    "mph": "speed-mile-per-hour", "kph": "speed-kilometer-per-hour", "kmh": "speed-kilometer-per-hour",
    "kmph": "speed-kilometer-per-hour",
    "ha": "area-hectare", "°C": "temperature-celsius", "ºC": "temperature-celsius",
    "°F": "temperature-fahrenheit", "ºF": "temperature-fahrenheit", "°": "angle-degree",
    "ms": "duration-millisecond", "sec": "duration-second", "secs": "duration-second",
    "min": "duration-minute", "mins": "duration-minute", "hr": "duration-hour", "hrs": "duration-hour",
    "yr": "duration-year", "yrs": "duration-year",
}  # fmt: skip
GLUED_ONLY: frozenset[str] = frozenset(["t", "l", "L", "in", "W", "ha"])
#: Names CLDR does not have, or says in a way a newsroom does not.
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "bp": ("basis point", "basis points"), "bps": ("basis point", "basis points"),
    "MWh": ("megawatt hour", "megawatt hours"), "GWh": ("gigawatt hour", "gigawatt hours"),
    "TWh": ("terawatt hour", "terawatt hours"), "Mbps": ("megabit per second", "megabits per second"),
    "Gbps": ("gigabit per second", "gigabits per second"), "kbps": ("kilobit per second", "kilobits per second"),
    "sq ft": ("square foot", "square feet"), "sq mi": ("square mile", "square miles"),
    "sq km": ("square kilometer", "square kilometers"), "sq m": ("square meter", "square meters"),
    "cu ft": ("cubic foot", "cubic feet"), "cu m": ("cubic meter", "cubic meters"), "kV": ("kilovolt", "kilovolts"),
    "mAh": ("milliamp hour", "milliamp hours"), "bpd": ("barrel per day", "barrels per day"),
    "b/d": ("barrel per day", "barrels per day"), "bbl/d": ("barrel per day", "barrels per day"), "mpg": ("mile per gallon", "miles per gallon"),
    "rpm": ("revolution per minute", "revolutions per minute"), "hPa": ("hectopascal", "hectopascals"),
    "Gt": ("gigatonne", "gigatonnes"), "ppm": ("part per million", "parts per million"),
    "ppb": ("part per billion", "parts per billion"),
}  # fmt: skip
#: After "/" in a compound unit ("km/h", "$5/mo"): what one of them is called.
PER: dict[str, str] = {
    "h": "hour", "hr": "hour", "s": "second", "sec": "second", "min": "minute", "mo": "month",
    "month": "month", "yr": "year", "year": "year", "wk": "week", "week": "week", "day": "day", "d": "day",
    "kg": "kilogram", "lb": "pound", "g": "gram", "l": "liter", "L": "liter", "litre": "litre",
    "liter": "liter", "gal": "gallon",
    "km": "kilometer", "mi": "mile", "m": "meter", "ft": "foot", "sq ft": "square foot", "oz": "ounce",
    "kWh": "kilowatt hour", "MWh": "megawatt hour", "share": "share", "person": "person", "head": "head",
    "barrel": "barrel", "bbl": "barrel", "tonne": "tonne", "ton": "ton", "t": "ton",
}  # fmt: skip


def per(symbol: str) -> str:
    """What one of ``symbol`` is called after a "/" ("mo" -> "month"), in any case ("/Month")."""
    return PER.get(symbol) or _PER_FOLDED[symbol.lower()]


_PER_FOLDED = {k.lower(): v for k, v in PER.items()}


@functools.cache
def unit_name(symbol: str, many: bool) -> str:
    """ "kilometers" for ``km``: CLDR's long name without the figure, or :data:`UNIT_NAMES`'."""
    if symbol in UNIT_NAMES:
        return UNIT_NAMES[symbol][many]
    from babel.units import format_unit

    said = format_unit(2 if many else 1, UNIT_SYMBOLS[symbol], length="long", locale=LOCALE)
    return said.split(" ", 1)[1]


def _names(kind: str, width: Literal["abbreviated", "wide"]) -> list[str]:
    from babel import dates

    table = (
        dates.get_month_names(width, locale=LOCALE) if kind == "month" else dates.get_day_names(width, locale=LOCALE)
    )
    keys = range(1, 13) if kind == "month" else range(7)
    return [table[k] for k in keys]


@functools.cache
def months() -> tuple[str, ...]:
    return tuple(_names("month", "wide"))


@functools.cache
def month_abbreviations() -> dict[str, str]:
    """ "Aug" -> "August", "Sept" -> "September" (CLDR's and AP's short forms), for lookups
    in any case."""
    table = {abbr.lower(): full for abbr, full in zip(_names("month", "abbreviated"), months())}
    table["sept"] = "September"
    return table


@functools.cache
def day_abbreviations() -> dict[str, str]:
    """ "Fri" -> "Friday", "Tues" -> "Tuesday"."""
    wide = _names("day", "wide")
    table = {abbr.lower(): full for abbr, full in zip(_names("day", "abbreviated"), wide)}
    table.update({"tues": "Tuesday", "thur": "Thursday", "thurs": "Thursday", "weds": "Wednesday"})
    return table


@functools.cache
def day_first(language: str) -> bool:
    """Whether ``language``'s (a BCP 47 tag's) numeric dates put the day first: "3/4/2026" is the
    3rd of April in en-GB and March 4th in en-US. CLDR's short date pattern says."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_date_format

    try:
        pattern = get_date_format("short", locale=Locale.parse(language.replace("-", "_"))).pattern
    except (UnknownLocaleError, ValueError):
        return False
    return 0 <= pattern.find("d") < pattern.find("M")
