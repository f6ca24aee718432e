"""Word timings: when each spoken word of a chunk is said.

Piper and Kokoro say when each phoneme is spoken (their duration predictors' frames). A chunk's
phonemes are one stream, in which espeak-ng joins some words ("of the" becomes one phoneme word)
and reads others in context, so the stream is matched against each word's own phonemes
(:func:`from_phonemes`) rather than cut at its spaces. An engine that gives no durations (gTTS)
gets :func:`estimate`: the clip's speech shared among its words by their letters.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence

#: A spoken word: a lexicon's ``[[ phonemes ]]`` is one, whatever spaces it holds.
_WORD = re.compile(r"\[\[.*?\]\]|\S+")
#: Marks that a word's own phonemes and the stream's may differ by (stress, length, ties), and
#: Piper's sentence start, end and padding symbols.
_IGNORED = frozenset("ˈˌːˑ‿͡ ^$_")
#: A phoneme that is no sound of a word: a space or a punctuation mark.
_GAP = re.compile(r"[\s.,;:!?\"'“”‘’()\[\]—–…-]+")

#: Part of the clip key of engines that time words (their ``identity``): bump it when the times
#: this module gives for the same phones change, so cached clips are timed again.
VERSION = 1

#: When a chunk's words and phonemes are more than this many pairs to compare (difflib is
#: quadratic), the words are timed by :func:`estimate` within the stream instead.
MATCH_WORK = 400_000

#: (phoneme, start ms, end ms) in a clip.
Phone = tuple[str, float, float]
#: (start ms, end ms) of each spoken word in a clip.
Times = tuple[tuple[int, int], ...]


def spoken_words(speech: str) -> list[str]:
    """The words of a chunk's speech, as they are timed: tokens with a letter or a digit."""
    return [w for w in _WORD.findall(speech) if any(c.isalnum() for c in w)]


def own_phonemes(word: str) -> str | None:
    """The phonemes a lexicon entry gives a word (``[[ ... ]]``), else None: the engine reads it."""
    if word.startswith("[[") and word.endswith("]]"):
        return word[2:-2].strip()
    return None


def _key(phonemes: str) -> str:
    return "".join(c for c in phonemes if c not in _IGNORED and not _GAP.fullmatch(c))


def _sound(phone: str) -> bool:
    """Whether a phone is part of a word: a stress or length mark is (Kokoro gives it frames), a
    space, a punctuation mark or Piper's start, end and padding are not."""
    return bool(phone) and not _GAP.fullmatch(phone) and phone not in ("^", "$", "_")


def shifted(phones: Sequence[Phone], ms: float) -> list[Phone]:
    """The phones ``ms`` later (earlier if negative): where a voice's sound lags its frames."""
    return [(p, max(0.0, a + ms), max(0.0, b + ms)) for p, a, b in phones]


def from_phonemes(words: Sequence[str], phonemes_of: Callable[[str], str], phones: Sequence[Phone]) -> Times:
    """Each word's (start, end) in ms: the span of the phones matched to its own phonemes.

    ``phonemes_of(word)`` reads one word alone; ``phones`` is the engine's stream for the chunk.
    A word whose phonemes match none of the stream (espeak read it differently in context) lies
    between its neighbours; every word gets a time, in order.
    """
    sounds = [i for i, (p, _, _) in enumerate(phones) if _key(p)]
    stream = "".join(_key(phones[i][0]) for i in sounds)
    owner: list[int] = []
    own = []
    for n, word in enumerate(words):
        key = _key(own_phonemes(word) or phonemes_of(word))
        own.append(key)
        owner += [n] * len(key)
    if not sounds or len(owner) * len(stream) > MATCH_WORK:
        return estimate(words, phones[0][1] if phones else 0, phones[-1][2] if phones else 0)
    first: list[int | None] = [None] * len(words)
    last: list[int | None] = [None] * len(words)
    matcher = difflib.SequenceMatcher(None, "".join(own), stream, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            n, phone = owner[a + k], sounds[b + k]
            first[n] = phone if first[n] is None else first[n]
            last[n] = phone
    return _fill(first, last, phones)


def _fill(first: list[int | None], last: list[int | None], phones: Sequence[Phone]) -> Times:
    """Times from each word's first and last matched phone. A word also takes the unmatched
    sounds around it, up to the pauses (spaces, marks) on either side, so a phone read differently
    in context ("the" said "ðɪ") is still its; a word that matched nothing ("a" said "ɐ", not
    "eɪ") takes the sounds left between its neighbours, or none."""
    spans: list[tuple[int, int] | None] = []
    done = -1  # the last phone taken by a word
    n = 0
    while n < len(first):
        lo, hi = first[n], last[n]
        if lo is not None and hi is not None and lo > done:
            while lo - 1 > done and _sound(phones[lo - 1][0]):
                lo -= 1  # its sounds back to the pause before it
            spans.append((lo, hi))
            done, n = hi, n + 1
            continue
        run = n  # words n..run-1 matched nothing: share the sounds up to the next word's
        while run < len(first) and (first[run] is None or (first[run] or 0) <= done):
            run += 1
        limit = first[run] if run < len(first) and first[run] is not None else len(phones)
        free = [i for i in range(done + 1, limit or 0) if _sound(phones[i][0])]
        for k in range(n, run):
            share = free[len(free) * (k - n) // (run - n) : len(free) * (k - n + 1) // (run - n)]
            spans.append((share[0], share[-1]) if share else None)
            done = share[-1] if share else done
        n = run
    return _times(_forward(spans, phones), phones)


def _forward(spans: list[tuple[int, int] | None], phones: Sequence[Phone]) -> list[tuple[int, int] | None]:
    """Each word's end reaches on over unmatched sounds, up to a pause or the next word."""
    out = list(spans)
    for n, span in enumerate(out):
        if span is None:
            continue
        following = next((s[0] for s in out[n + 1 :] if s is not None), len(phones))
        lo, hi = span
        while hi + 1 < following and _sound(phones[hi + 1][0]):
            hi += 1
        out[n] = (lo, hi)
    return out


def _times(spans: list[tuple[int, int] | None], phones: Sequence[Phone]) -> Times:
    """Spans of phones as ms; a word with none lasts no time, where the previous one ended."""
    times: list[tuple[int, int]] = []
    at = round(phones[0][1])
    for span in spans:
        if span is None:
            times.append((at, at))
            continue
        times.append((round(phones[span[0]][1]), round(phones[span[1]][2])))
        at = times[-1][1]
    return tuple(times)


def _weight(word: str) -> int:
    """A word's share of an estimated clip: its letters, and a pause's worth after punctuation."""
    letters = sum(c.isalnum() for c in word)
    pause = 4 if word[-1] in ".!?" else 2 if word[-1] in ",;:—–" else 0
    return max(1, letters) + pause


def estimate(words: Sequence[str], start_ms: float, end_ms: float) -> Times:
    """Times shared out by :func:`_weight` over ``start_ms``–``end_ms`` (the clip's speech)."""
    weights = [_weight(w) for w in words]
    total = sum(weights) or 1
    times, done = [], 0
    for word, weight in zip(words, weights, strict=True):
        pause = weight - max(1, sum(c.isalnum() for c in word))
        a = start_ms + (end_ms - start_ms) * done / total
        done += weight
        b = start_ms + (end_ms - start_ms) * (done - pause) / total
        times.append((round(a), round(b)))
    return tuple(times)
