"""Errors for recordings that cannot be read.

Every message names the file and the problem, so the CLI and the UI can show it as it is.
"""

from __future__ import annotations

from pathlib import Path


class RecordError(Exception):
    """A recording (or folder) could not be read. ``str(err)`` is ``"<path>: <problem>"``."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class MissingFileError(RecordError):
    """The file, or a file the record needs (its header or its data file), does not exist."""


class UnreadableFileError(RecordError):
    """The file exists but the operating system refuses to read it."""


class EmptyFileError(RecordError):
    """The file has zero bytes."""


class HeaderError(RecordError):
    """The header is garbled or contradicts itself."""


class UnsupportedFormatError(RecordError):
    """The file is of a kind, or uses a storage format, that no reader handles."""


class TruncatedDataError(RecordError):
    """The data file holds fewer samples than the header promises."""


class InvalidValueError(RecordError):
    """A text record holds a value that is not a finite number."""


class ChannelError(RecordError):
    """The requested channel does not exist in the record."""


class NoRecordsError(RecordError):
    """A folder holds no recording that any reader recognises."""
