"""The console script's first code: until the command's own handlers are in place (importing
click and the settings takes tens of milliseconds), Ctrl-C or SIGTERM ends the process with one
line and the usual status, not a traceback."""

import os
import signal


def _early(signum: int, frame: object) -> None:
    os.write(2, b"audio-edition: interrupted\n")
    os._exit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGINT, _early)
    signal.signal(signal.SIGTERM, _early)
    from .cli import main as command  # under the early handlers

    command()


if __name__ == "__main__":
    main()
