"""Python 3.10 support (tomllib arrived in 3.11; tomli is the same parser) and the one TOML reader."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["read_toml", "tomllib"]


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """Parse a user's TOML file (rules, lexicon, config); ``label`` names it in the one-line error."""
    from .errors import UsageError

    try:
        return tomllib.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{label}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{label}: not valid TOML ({exc})") from None
    except RecursionError:
        raise UsageError(f"{label}: not valid TOML (nested too deep)") from None
    except (IsADirectoryError, PermissionError, OSError) as exc:
        raise UsageError(f"{label}: cannot be read ({exc.strerror or exc})") from None
