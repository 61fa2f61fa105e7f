"""File checks shared by the readers, so every reader fails with the same clear errors."""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

from emgviewer.records.errors import (
    EmptyFileError,
    HeaderError,
    MissingFileError,
    UnreadableFileError,
)

#: Above this many samples a record is refused before anything is allocated (2 GB of
#: float32, over 5 hours at the N2001 rate): a header that claims more is wrong or hostile.
MAX_SAMPLES = 500_000_000
#: Rates above this are not EMG (and make every duration round to nothing).
MAX_RATE_HZ = 10_000_000.0


def require_file(path: Path, role: str = "file") -> int:
    """Check that ``path`` is a non-empty readable file and return its size in bytes.

    ``role`` names what the file is for in the message ("header", "data file", ...).
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise MissingFileError(path, f"{role} not found") from None
    except OSError as err:
        raise UnreadableFileError(path, f"cannot read {role}: {err.strerror}") from None
    size = status.st_size
    if stat.S_ISDIR(status.st_mode):
        raise UnreadableFileError(path, f"is a folder, not a {role}")
    if not stat.S_ISREG(status.st_mode):
        # Opening a FIFO blocks until a writer comes: never open what is not a plain file.
        raise UnreadableFileError(path, f"is not a regular file (a pipe, socket or device), not a {role}")
    try:
        with open(path, "rb"):
            pass
    except OSError as err:
        raise UnreadableFileError(path, f"cannot read {role}: {err.strerror}") from None
    if size == 0:
        raise EmptyFileError(path, f"{role} is empty (0 bytes)")
    return size


def require_rate(path: Path, value: object, what: str = "sampling rate") -> float:
    """A rate as a float, or :class:`HeaderError` when it is not a positive finite number of Hz."""
    try:
        rate = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise HeaderError(path, f"{what} {shorten(str(value))!r} is not a number") from None
    if not math.isfinite(rate) or rate <= 0 or rate > MAX_RATE_HZ:
        raise HeaderError(path, f"{what} {shorten(str(value))} Hz is not a usable rate "
                                f"(a positive finite number up to {MAX_RATE_HZ:g} Hz)")
    return rate


def require_sample_count(path: Path, count: int, what: str = "the header") -> int:
    """``count`` if a record may hold that many samples, else a HeaderError naming ``what`` claimed them."""
    if count > MAX_SAMPLES:
        raise HeaderError(path, f"{what} claims {count:,} samples; emgviewer reads at most "
                                f"{MAX_SAMPLES:,} per record")
    return count


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut for a one-line message (a bad 50 MB line must not be echoed whole)."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"
