"""The words a news text abbreviates, read once from ``data/words.toml``: the one table that the
tokenizer (chunks.py), the speech steps (normalize.py) and lint share, so that a full stop the
voice expands ("Dept." -> "Department") is also one the tokenizer knows not to split at."""

from __future__ import annotations

import functools
from importlib import resources

from .._compat import tomllib

_DATA = tomllib.loads(resources.files("audio_edition").joinpath("data/words.toml").read_text("utf-8"))

#: Dotted abbreviations and what the voice says for them ("Dept." -> "Department").
ABBREVIATIONS: dict[str, str] = {k: v["say"] for k, v in _DATA["dotted"].items() if "say" in v}
#: Undotted titles before a name ("Gen Musa") and what the voice says.
TITLES: dict[str, str] = dict(_DATA["titles"])
#: Abbreviations (lower-case, without the final full stop) whose full stop never ends a sentence:
#: the dotted ones marked so, and every title written with a full stop ("Maj. Gen. Musa").
NEVER_ENDS: frozenset[str] = frozenset(
    [k[:-1].lower() for k, v in _DATA["dotted"].items() if v["ends"] == "never"] + [t.lower() for t in TITLES]
)
#: ... and those whose full stop ends one only before a word that opens a sentence.
MAY_END: frozenset[str] = frozenset(k[:-1].lower() for k, v in _DATA["dotted"].items() if v["ends"] == "may")
#: Labels said as a word before a figure ("Fig. 3" -> "Figure 3"), each also in lower case.
NUMBERED: dict[str, str] = {
    **{k.lower(): v.lower() for k, v in _DATA["numbered"].items()},
    **_DATA["numbered"],
}
#: ... whose full stop ends no sentence before a figure (lower-case, without the full stop).
NO_END_BEFORE_FIGURE: frozenset[str] = frozenset(k[:-1] for k in NUMBERED if k.islower())
SENTENCE_OPENERS: frozenset[str] = frozenset(_DATA["openers"]["words"])
MONTHS: tuple[str, ...] = tuple(_DATA["months"]["names"])


@functools.cache
def states() -> dict[str, str]:
    """The 50 states' AP abbreviations and postal codes and what the voice says for them ("Md.",
    "MD" -> "Maryland"), from the ``us`` package (maintained US state metadata, imported only
    when a step needs it). "D.C." is not among them: "Washington, D.C." is said as written."""
    import us

    ap = {state.ap_abbr: state.name for state in us.states.STATES if state.ap_abbr and state.ap_abbr != state.name}
    return {**{state.abbr: state.name for state in us.states.STATES}, **ap}
