"""``python -m audio_edition``: the early signal handlers go in before anything else is imported
(``_entry.py`` says why), so runpy's import of the entry module is covered too."""

import signal

from ._entry import _early, main  # noqa: E402 - os and signal only: imported in microseconds

signal.signal(signal.SIGINT, _early)
signal.signal(signal.SIGTERM, _early)

if __name__ == "__main__":
    main()
