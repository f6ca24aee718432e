"""Python 3.10 support: tomllib arrived in 3.11; tomli is the same parser."""

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["tomllib"]
