"""Sidecars for players and podcast apps, all derived from the manifest.

- ``OUT.vtt``: WebVTT, one cue per sentence, cue ids naming the sentence (``p3.s2``);
- ``OUT.chapters.json``: Podcasting 2.0 chapters (``version 1.2.0``);
- ``OUT.transcript.json``: Podcasting 2.0 JSON transcript segments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


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


def vtt(manifest: dict[str, Any]) -> str:
    lines = ["WEBVTT", ""]
    for p in manifest["paragraphs"]:
        for s in p["sentences"]:
            lines += [s["id"], f"{timestamp(s['start_ms'])} --> {timestamp(s['end_ms'])}", _cue_text(s["text"]), ""]
    return "\n".join(lines)


def chapters_json(manifest: dict[str, Any]) -> str:
    chapters = []
    for c in manifest["chapters"]:
        entry: dict[str, Any] = {"startTime": round(c["start_ms"] / 1000, 3), "title": c["title"]}
        if c.get("end_ms") is not None:
            entry["endTime"] = round(c["end_ms"] / 1000, 3)
        if c.get("url"):
            entry["url"] = c["url"]
        chapters.append(entry)
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=2) + "\n"


def transcript_json(manifest: dict[str, Any]) -> str:
    segments = [
        {
            "speaker": manifest.get("author") or manifest.get("publication"),
            "startTime": round(s["start_ms"] / 1000, 3),
            "endTime": round(s["end_ms"] / 1000, 3),
            "body": s["text"],
        }
        for p in manifest["paragraphs"]
        for s in p["sentences"]
    ]
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=2) + "\n"


def sidecar_paths(mp3: Path) -> dict[str, Path]:
    mp3 = Path(mp3)
    return {
        "vtt": mp3.with_suffix(".vtt"),
        "chapters": mp3.with_name(mp3.stem + ".chapters.json"),
        "transcript": mp3.with_name(mp3.stem + ".transcript.json"),
    }


def render_all(manifest: dict[str, Any]) -> dict[str, str]:
    return {"vtt": vtt(manifest), "chapters": chapters_json(manifest), "transcript": transcript_json(manifest)}
