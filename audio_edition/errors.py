"""Named errors and the exit statuses they map to, in one place (as httpie does)."""

from __future__ import annotations

import enum
import errno as _errno


class ExitStatus(enum.IntEnum):
    """Documented exit codes of the ``audio-edition`` command."""

    OK = 0
    #: ``lint --strict`` found names with no lexicon entry; ``check`` found a problem.
    FINDINGS = 1
    USAGE = 2
    INPUT = 3
    ENGINE = 4
    ENCODING = 5
    IO = 6
    #: The worker fleet: the broker is unreachable, or no chunk came back in time.
    FLEET = 7
    #: A bug in audio-edition: please report it.
    INTERNAL = 70
    SIGINT = 130
    SIGTERM = 143


class AudioEditionError(Exception):
    """Base class. ``str(error)`` is a one-line message a user can act on."""

    status: ExitStatus = ExitStatus.IO


class UsageError(AudioEditionError):
    """An option or a combination of options that cannot work."""

    status = ExitStatus.USAGE


class InputError(AudioEditionError):
    """The input cannot be read as a story: missing, empty, binary, wrong encoding."""

    status = ExitStatus.INPUT


class EngineError(AudioEditionError):
    """A TTS engine failed. The message names the probable cause."""

    status = ExitStatus.ENGINE


class EncodingError(AudioEditionError):
    """ffmpeg could not decode, measure or encode audio."""

    status = ExitStatus.ENCODING


class OutputError(AudioEditionError):
    """An output or cache location cannot be written."""

    status = ExitStatus.IO


class FleetError(AudioEditionError):
    """The Celery fleet cannot voice the chunks: broker unreachable, workers silent or misconfigured."""

    status = ExitStatus.FLEET


class Interrupted(AudioEditionError):
    """The run was stopped by SIGINT or SIGTERM."""

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = signum
        self.status = ExitStatus.SIGTERM if signum == signal.SIGTERM else ExitStatus.SIGINT
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


def exit_status_for(error: BaseException) -> ExitStatus:
    """The one mapping from exceptions to exit statuses."""
    if isinstance(error, AudioEditionError):
        return error.status
    if isinstance(error, KeyboardInterrupt):
        return ExitStatus.SIGINT
    if isinstance(error, (PermissionError, IsADirectoryError, OSError)):
        return ExitStatus.IO
    return ExitStatus.IO


#: What a user can do about the operating system's errors that reach the command line.
OS_ADVICE = {
    _errno.ENOSPC: "the disk is full: free some space, or write elsewhere",
    _errno.EDQUOT: "the disk quota is used up: free some space, or write elsewhere",
    _errno.EROFS: "the file system is read-only: write elsewhere (-o, --cache-dir)",
    _errno.EACCES: "permission denied: write elsewhere, or fix the folder's permissions",
    _errno.EPERM: "not permitted: write elsewhere, or fix the folder's permissions",
}


def advice(error: OSError) -> str:
    """What went wrong, said so that a user knows what to do."""
    return OS_ADVICE.get(error.errno or 0) or error.strerror or str(error)


def describe(error: BaseException) -> str:
    """The one-line message of an error that leaves the command: an OSError names its file and
    what to do, not ``[Errno 30] Read-only file system: '...'``."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    if isinstance(error, OSError) and not isinstance(error, AudioEditionError):
        return f"{error.filename}: {advice(error)}" if error.filename else advice(error)
    return str(error)
