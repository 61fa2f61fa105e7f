"""``read_record``: open any supported recording by any of its files or by its base path.

The reader is chosen by extension, and the file's first bytes must agree with it; a file
with an unknown extension is recognised by its content.
"""

from __future__ import annotations

import codecs
import re
import struct
from pathlib import Path

from emgviewer.records.channels import Channel
from emgviewer.records.errors import (
    HeaderError,
    MissingFileError,
    RecordError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from emgviewer.records.files import require_file, shorten
from emgviewer.records.formats import FORMATS, TEXT_FORMAT, WFDB_FORMAT, format_of, unsupported_message
from emgviewer.records.record import Record
from emgviewer.records.wfdb_reader import header_path_of, read_wfdb

#: What a parser may raise on input it did not foresee: turned into a RecordError naming the
#: file, so that one strange file is a line in a list, never the end of a folder's run.
PARSER_ERRORS = (ValueError, TypeError, OverflowError, ZeroDivisionError, IndexError, KeyError,
                  AttributeError, struct.error, UnicodeError, EOFError, RecursionError)


def read_record(path: str | Path, channel: Channel = None, fs_hz: float | None = None) -> Record:
    """Read one channel of a recording, in µV.

    ``path`` may be a WFDB header (``.hea``), its data file (``.bin``/``.dat``), the record's
    base path without extension, an EDF/EDF+, WAV or CSV file. ``channel`` picks a channel of
    a multi-channel file by index or name (default: the first). ``fs_hz`` gives the rate of a
    one-column CSV. Raises a :class:`~emgviewer.records.errors.RecordError` subclass, and
    nothing else for any content of the file.
    """
    if str(path) == "":
        raise MissingFileError(Path(""), "no file named")
    path = Path(path)
    try:
        return _dispatch(path, channel, fs_hz)
    except RecordError:
        raise
    except MemoryError:
        raise UnreadableFileError(path, "too large to hold in memory") from None
    except OSError as err:
        raise UnreadableFileError(path, f"cannot read: {err.strerror or err}") from None
    except PARSER_ERRORS as err:
        raise HeaderError(path, f"could not be read ({type(err).__name__}: {shorten(str(err))})") from None


def _dispatch(path: Path, channel: Channel, fs_hz: float | None) -> Record:
    if path.is_dir():
        raise UnreadableFileError(path, "is a folder; open a record file, or index the folder")
    kind = format_of(path)
    if kind is WFDB_FORMAT:
        return kind.read(path, channel, fs_hz)  # a header or a data file: the reader checks both
    if not path.exists() and header_path_of(path).exists():
        return read_wfdb(path, channel)  # a base path such as data/N2001A01BB02
    require_file(path, "record file")
    head = _first_bytes(path)
    if kind is not None:
        if kind.magic is not None and not head.startswith(kind.magic):
            raise UnsupportedFormatError(path, f"named like a {kind.name} file, but {kind.magic_missing}")
        return kind.read(path, channel, fs_hz)
    for candidate in FORMATS:  # an unknown suffix: the content decides
        if candidate.magic is not None and head.startswith(candidate.magic):
            return candidate.read(path, channel, fs_hz)
    if head and _looks_like_text(head) and _looks_like_numbers(head):
        return TEXT_FORMAT.read(path, channel, fs_hz)
    raise UnsupportedFormatError(path, unsupported_message())


def _first_bytes(path: Path, count: int = 512) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(count)


def _looks_like_text(head: bytes) -> bool:
    try:  # incremental: the 512-byte cut may split a multi-byte character
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _looks_like_numbers(head: bytes) -> bool:
    """A text file of unknown kind is read as CSV only if its first data line (after comments
    and one header row) is numbers: a README is not a recording."""
    lines = [line.strip() for line in head.decode("utf-8", "ignore").splitlines()[:20]]
    lines = [line for line in lines if line and not line.startswith("#")]
    for line in lines[:2]:
        tokens = [t for t in re.split(r"[,;\t ]+", line) if t]
        try:
            [float(t) for t in tokens]
            return bool(tokens)
        except ValueError:
            continue
    return False
