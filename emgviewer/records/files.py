"""File checks shared by the readers, so every reader fails with the same clear errors."""

from __future__ import annotations

import os
from pathlib import Path

from emgviewer.records.errors import (
    EmptyFileError,
    MissingFileError,
    UnreadableFileError,
)


def require_file(path: Path, role: str = "file") -> int:
    """Check that ``path`` is a non-empty readable file and return its size in bytes.

    ``role`` names what the file is for in the message ("header", "data file", ...).
    """
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise MissingFileError(path, f"{role} not found") from None
    except OSError as err:
        raise UnreadableFileError(path, f"cannot read {role}: {err.strerror}") from None
    if os.path.isdir(path):
        raise UnreadableFileError(path, f"is a folder, not a {role}")
    try:
        with open(path, "rb"):
            pass
    except OSError as err:
        raise UnreadableFileError(path, f"cannot read {role}: {err.strerror}") from None
    if size == 0:
        raise EmptyFileError(path, f"{role} is empty (0 bytes)")
    return size
