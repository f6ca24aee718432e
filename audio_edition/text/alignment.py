"""Written words to spoken ones: a sentence's words as written get the times of the words said.

The lexicon and the speech steps rewrite stretches of a sentence ("$32.95" is said "thirty-two
dollars and ninety-five cents"). The written and spoken words are compared as a diff (difflib,
on words reduced to their letters and digits): a word kept as written takes its spoken word's
time; a rewritten stretch takes the time of what it became, as one unit (one written word to
several spoken) or word for word (as many written as spoken: "Dr." to "Doctor"); words said but
not written ("dollars" after "billion") lengthen the written word before them; a written word
that is not said ("—", an emoji) lasts no time, where the next word starts.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

#: Past this many word pairs (a sentence of 300 words against its reading, as normalize.spans),
#: the written words share the spoken ones by position instead of by a diff.
MATCH_WORK = 100_000

Times = Sequence[tuple[int, int]]


def written_words(text: str) -> list[str]:
    """The words of a sentence as written and shown: its text split at white space."""
    return text.split()


def _key(word: str) -> str:
    return "".join(c for c in word.casefold() if c.isalnum())


def written_times(written: Sequence[str], spoken: Sequence[str], times: Times) -> list[tuple[int, int]]:
    """(start, end) in ms for each written word, from the spoken words' ``times``."""
    if not written:
        return []
    if not spoken:
        return [(0, 0)] * len(written)
    said = [i for i, w in enumerate(written) if _key(w)]  # punctuation alone is not said
    out: list[tuple[int, int] | None] = [None] * len(written)
    a, b = [_key(written[i]) for i in said], [_key(w) for w in spoken]
    if len(a) * len(b) > MATCH_WORK:
        for n, i in enumerate(said):
            lo, hi = n * len(b) // len(a), max(n * len(b) // len(a), (n + 1) * len(b) // len(a) - 1)
            out[i] = (times[lo][0], times[hi][1])
    else:
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            before = out[said[i1 - 1]] if i1 else None
            if op == "insert" and before is not None:  # said, not written ("$5 bn" ends "dollars")
                out[said[i1 - 1]] = (before[0], times[j2 - 1][1])
            for k in range(i1, i2):
                out[said[k]] = _time(op, k - i1, i2 - i1, j1, j2, times)
    return _between(out, times)


def _time(op: str, k: int, count: int, j1: int, j2: int, times: Times) -> tuple[int, int] | None:
    """The time of the ``k``-th of ``count`` written words of one diff block."""
    if op == "delete":
        return None  # written, not said: placed by _between
    if op == "equal" or j2 - j1 == count:
        return times[j1 + k]
    return (times[j1][0], times[j2 - 1][1])


def _between(out: list[tuple[int, int] | None], times: Times) -> list[tuple[int, int]]:
    """Words with no time (not said) last none, where the next said word starts."""
    following = times[-1][1]
    for i in range(len(out) - 1, -1, -1):
        if out[i] is None:
            out[i] = (following, following)
        following = out[i][0]  # type: ignore[index]
    return [t for t in out if t is not None]
