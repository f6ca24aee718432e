"""The one table of what the tool knows of each language it names.

Each language's stopword list (which prose.py uses to tell prose from chrome, and to tell which
language a page is in) and whether its letters are Latin (which the pipeline uses to warn that a
story is not in the voice's script). What a library knows is not listed again: ISO 639-2 codes for
the ID3 language frame come from langcodes (publish/tags.py), and month, currency and unit names
from CLDR through Babel (text/cldr.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    #: Its stopword list: jusText's name for it (stopwords-iso's for Chinese, Japanese and Thai,
    #: prose.ISO_STOPLISTS). None: the page's language is detected from all the lists.
    stoplist: str | None
    #: Whether its letters lie in Basic Latin to Latin Extended-B (Vietnamese's mostly do not).
    latin: bool


#: By ISO 639-1 code. Where two codes share a list (no, nb), the first names its language.
LANGUAGES: dict[str, Language] = {
    "en": Language("English", True),
    "fr": Language("French", True),
    "de": Language("German", True),
    "es": Language("Spanish", True),
    "it": Language("Italian", True),
    "pt": Language("Portuguese", True),
    "nl": Language("Dutch", True),
    "ru": Language("Russian", False),
    "pl": Language("Polish", True),
    "sv": Language("Swedish", True),
    "da": Language("Danish", True),
    "no": Language("Norwegian_Bokmal", True),
    "zh": Language("Chinese", False),
    "ja": Language("Japanese", False),
    "th": Language("Thai", False),
    "nb": Language("Norwegian_Bokmal", True),
    "fi": Language("Finnish", True),
    "tr": Language("Turkish", True),
    "id": Language("Indonesian", True),
    "ms": Language("Malay", True),
    "cs": Language("Czech", True),
    "sk": Language("Slovak", True),
    "hu": Language("Hungarian", True),
    "ro": Language("Romanian", True),
    "el": Language("Greek", False),
    "uk": Language("Ukrainian", False),
    "ca": Language("Catalan", True),
    "hr": Language("Croatian", True),
    "sr": Language("Serbian", False),
    "bg": Language("Bulgarian", False),
    "sw": Language("Swahili", True),
    "vi": Language("Vietnamese", False),
    "sl": Language(None, True),
    "et": Language(None, True),
    "lv": Language(None, True),
    "lt": Language(None, True),
}
