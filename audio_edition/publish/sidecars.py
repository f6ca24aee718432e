"""Sidecars for players and podcast apps, all derived from the manifest.

- ``OUT.vtt``: WebVTT captions of at most two lines of 42 characters, a long sentence split at
  its phrases, cue ids naming the sentence (``p3.s2``, then ``p3.s2.2`` ...), each word's start
  as an inline timestamp;
- ``OUT.chapters.json``: Podcasting 2.0 chapters (``version 1.2.0``);
- ``OUT.transcript.json``: Podcasting 2.0 JSON transcript, one segment per word.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .manifest import Word

if TYPE_CHECKING:
    from .manifest import Manifest, Sentence


def timestamp(ms: int) -> str:
    """WebVTT time: ``hh:mm:ss.ttt``."""
    h, rest = divmod(int(ms), 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, t = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{t:03d}"


def _cue_text(text: str) -> str:
    # A cue payload may not contain "-->" or a blank line; & and < must be escaped.
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


#: Captions read best at about 42 characters a line and two lines a cue (the BBC's and Netflix's
#: subtitle guidelines).
LINE_CHARS = 42
CUE_LINES = 2
#: Words a phrase begins with: a cue may end before them (or after a comma, a colon, a dash).
PHRASE_OPENERS = frozenset(
    ["and", "but", "or", "nor", "so", "yet", "that", "which", "who", "whom", "whose", "where", "when", "while",
     "because", "although", "though", "after", "before", "since", "until", "if", "as", "than", "to", "with",
     "without", "for", "from", "in", "on", "at", "by", "of"]
)  # fmt: skip


def _lines(words: list[str]) -> list[str]:
    """Greedy lines of at most :data:`LINE_CHARS` (a longer word stands on a line alone)."""
    out: list[str] = []
    for word in words:
        if out and len(out[-1]) + 1 + len(word) <= LINE_CHARS:
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def _boundary(words: list[str], i: int) -> bool:
    """Whether a phrase ends before ``words[i]``."""
    return words[i - 1][-1] in ",;:—–)" or words[i].lower().strip("\"'“‘(") in PHRASE_OPENERS


def captions(text: str) -> list[list[str]]:
    """A sentence as caption cues: each a list of at most :data:`CUE_LINES` lines, the sentence cut
    at a phrase boundary where one leaves the cue at least 40 % full, else between words."""
    cues: list[list[str]] = []
    current: list[str] = []
    for word in text.split():
        if len(_lines([*current, word])) <= CUE_LINES:
            current.append(word)
            continue
        cut = max((i for i in range(1, len(current)) if _boundary(current, i)), default=0)
        if cut < 0.4 * len(current):
            cut = len(current)
        cues.append(current[:cut])
        current = [*current[cut:], word]
    if current:
        cues.append(current)
    return [_two_lines(words) for words in cues]


def _two_lines(words: list[str]) -> list[str]:
    """A cue's words on one line, or on two split where a phrase ends and the lines are most even."""
    if len(" ".join(words)) <= LINE_CHARS or len(words) < 2:
        return [" ".join(words)]
    splits = [i for i in range(1, len(words)) if max(len(" ".join(words[:i])), len(" ".join(words[i:]))) <= LINE_CHARS]
    if not splits:
        return _lines(words)
    best = min(
        splits, key=lambda i: (not _boundary(words, i), abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def vtt(manifest: Manifest) -> str:
    """The captions: each cue from its first word's start to the next cue's, each word after the
    first preceded by its start (``<00:00:01.500>``, the karaoke timestamps of the WebVTT spec).
    A manifest without word times (an older build) shares each sentence's time by the cues' length."""
    lines = ["WEBVTT", ""]
    for s in manifest.sentences:
        lines += _cues(s)
    return "\n".join(lines)


def _cues(s: Sentence) -> list[str]:
    """One sentence's cues, ids ``p3.s2``, ``p3.s2.2`` ..., as lines of the file."""
    cues = captions(s.text)
    words = s.words
    starts, done = [], 0
    for cue in cues:
        if words:
            starts.append(words[done].start_ms if done else s.start_ms)
            done += sum(len(line.split()) for line in cue)
        else:
            total = sum(len(" ".join(c)) for c in cues) or 1
            starts.append(s.start_ms + (s.end_ms - s.start_ms) * done // total)
            done += len(" ".join(cue))
    ends = [*starts[1:], s.end_ms]
    lines: list[str] = []
    done = 0
    for n, (cue, begin, end) in enumerate(zip(cues, starts, ends, strict=True), 1):
        cue_id = s.id if n == 1 else f"{s.id}.{n}"
        text = [_cue_text(x) for x in cue]
        if words:
            text, done = _timed_lines(cue, words, done, begin, end)
        lines += [cue_id, f"{timestamp(begin)} --> {timestamp(end)}", *text, ""]
    return lines


def _timed_lines(cue: list[str], words: list[Word], done: int, begin: int, end: int) -> tuple[list[str], int]:
    """A cue's lines with a timestamp tag before each word that starts after the last tag and
    before the cue ends (the spec asks for tags in order, inside the cue); the words used."""
    out, last = [], begin
    for line in cue:
        pieces = []
        for word in line.split():
            at = words[done].start_ms
            tag = f"<{timestamp(at)}>" if last < at < end else ""
            last = max(last, at) if tag else last
            pieces.append(tag + _cue_text(word))
            done += 1
        out.append(" ".join(pieces))
    return out, done


def _shared(sentence: Sentence) -> list[Word]:
    """Word times for a manifest that has none (made before words were timed): the sentence's
    time shared by the words' lengths."""
    words = sentence.text.split()
    total = sum(len(w) + 1 for w in words) or 1
    start, span, done, out = sentence.start_ms, sentence.end_ms - sentence.start_ms, 0, []
    for word in words:
        first = start + span * done // total
        done += len(word) + 1
        out.append(Word(word, first, start + span * (done - 1) // total))
    return out


def chapters_json(manifest: Manifest) -> str:
    chapters = []
    for c in manifest.chapters:
        entry: dict[str, Any] = {"startTime": round(c.start_ms / 1000, 3), "title": c.title}
        entry["endTime"] = round(c.end_ms / 1000, 3)
        if c.url:
            entry["url"] = c.url
        chapters.append(entry)
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=2) + "\n"


def transcript_json(manifest: Manifest) -> str:
    """The Podcasting 2.0 JSON transcript, a segment per word (the format allows any span)."""
    speaker = manifest.author or manifest.publication
    segments = [
        {
            "speaker": speaker,
            "startTime": round(w.start_ms / 1000, 3),
            "endTime": round(w.end_ms / 1000, 3),
            "body": w.text,
        }
        for s in manifest.sentences
        for w in s.words or _shared(s)
    ]
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=2) + "\n"


def sidecar_paths(mp3: Path) -> dict[str, Path]:
    mp3 = Path(mp3)
    return {
        "vtt": mp3.with_suffix(".vtt"),
        "chapters": mp3.with_name(mp3.stem + ".chapters.json"),
        "transcript": mp3.with_name(mp3.stem + ".transcript.json"),
    }


def render_all(manifest: Manifest) -> dict[str, str]:
    return {"vtt": vtt(manifest), "chapters": chapters_json(manifest), "transcript": transcript_json(manifest)}
