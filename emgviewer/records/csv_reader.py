"""Text records: one value per line, or ``time,value`` rows.

- Values are in the unit the column header names (``amplitude_uV``, ``value (mV)``); without a
  unit they are raw numbers, shown uncalibrated (a number with no unit is not a voltage).
- Time is in seconds unless its header says ``ms``; the rate is taken from the time column,
  which must be evenly spaced to within half a sample.
- A one-column file needs its rate from a comment line (``# fs_hz: 4000``) or the caller.
- Other ``# key: value`` comment lines become metadata, as in WFDB headers.
"""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path
from typing import Iterator

import numpy as np

from emgviewer.records.errors import HeaderError, InvalidValueError, UnsupportedFormatError
from emgviewer.records.files import require_file, require_rate, shorten
from emgviewer.records.metadata import parse_comments
from emgviewer.records.record import Record
from emgviewer.records.units import uv_per_unit

_RATE_COMMENT = re.compile(r"^\s*(?:fs_hz|fs|sampling[ _]rate|sampling[ _]frequency)\s*[:=]\s*(\S*)", re.I)
_UNIT_IN_NAME = re.compile(r"(?:^|[_\s(\[])([µμu]v|mv|v|ms|s)[)\]]?\s*$", re.I)


def read_csv(path: Path, fs_hz: float | None = None) -> Record:
    """A CSV record: one value per line with a stated rate, or time,value rows; units from the header."""
    require_file(path, "CSV file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedFormatError(path, "not a text file (not UTF-8)") from None
    comments = [match[1].strip() for match in _COMMENT.finditer(text)]
    rate_from_comment = _rate_from_comments(path, comments)
    lines = _data_lines(text)
    first = next(lines, None)
    delimiter = _delimiter(first[1]) if first else None
    names = _column_names(first[1], delimiter) if first else None
    if first is None or (names is not None and next(lines, None) is None):
        raise InvalidValueError(path, "holds no numeric rows")
    values = _parse(path, text, delimiter, skip_lines=first[0] if names is not None else 0)
    if values.shape[1] == 1:
        rate = require_rate(path, fs_hz) if fs_hz is not None else rate_from_comment
        if rate is None:
            raise HeaderError(path, "one-column CSV needs a sampling rate: add a line "
                                    "'# fs_hz: 4000' or pass --fs-hz")
        amplitude = values[:, 0]
    elif values.shape[1] == 2:
        time_scale = 1e-3 if names and _unit(names[0]) == "ms" else 1.0
        rate = (require_rate(path, fs_hz) if fs_hz is not None
                else require_rate(path, _rate_from_time(path, values[:, 0] * time_scale), "rate of the time column"))
        amplitude = values[:, 1]
    else:
        raise UnsupportedFormatError(
            path, f"{values.shape[1]} columns; expected one value per line or time,value rows")
    value_unit = _unit(names[-1]) if names else None
    scale = uv_per_unit(value_unit) if value_unit not in (None, "s", "ms") else None
    with np.errstate(over="ignore"):  # beyond float32 becomes inf, refused just below
        signal = (amplitude * (scale or 1.0)).astype(np.float32)
    if not np.isfinite(signal).all():
        number, line = _nth_row(text, int(np.argmax(~np.isfinite(signal))), names is not None)
        raise InvalidValueError(path, f"line {number}: {shorten(line)!r} is beyond the range of a "
                                      "32-bit float")
    return Record(
        name=path.stem,
        signal_uv=signal,
        fs_hz=float(rate),
        source_path=path,
        format="CSV",
        metadata=parse_comments([c for c in comments if not _RATE_COMMENT.match(c)]),
        channel=names[-1] if names else "",
        source_units=value_unit or "",
        calibrated=scale is not None,
    )


_COMMENT = re.compile(r"^[ \t]*#(.*)$", re.M)


def _data_lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered (1-based) non-blank, non-comment lines, one at a time: a large file is never
    held as a list of lines."""
    for number, line in enumerate(io.StringIO(text), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


def _nth_row(text: str, index: int, has_names: bool) -> tuple[int, str]:
    """The ``index``-th data row (0-based, after the column names) and its line number."""
    return next(itertools.islice(_data_lines(text), index + int(has_names), None))


def _rate_from_comments(path: Path, comments: list[str]) -> float | None:
    for comment in comments:
        match = _RATE_COMMENT.match(comment)
        if match:
            return require_rate(path, match[1], "sampling rate comment")
    return None


def _delimiter(line: str) -> str | None:
    for candidate in (",", ";", "\t"):
        if candidate in line:
            return candidate
    return None  # whitespace


def _tokens(line: str, delimiter: str | None) -> list[str]:
    return [t.strip() for t in line.split(delimiter)]


def _column_names(line: str, delimiter: str | None) -> list[str] | None:
    """The header row's names, or ``None`` when the first row is numbers."""
    tokens = _tokens(line, delimiter)
    try:
        [float(t) for t in tokens]
    except ValueError:
        return tokens
    return None


def _parse(path: Path, text: str, delimiter: str | None, skip_lines: int) -> np.ndarray:
    """numpy's C parser over the whole text (comments and blank lines skipped), then the
    first bad line found one line at a time only if it fails."""
    try:
        values = np.loadtxt(io.StringIO(text), delimiter=delimiter, comments="#", skiprows=skip_lines,
                            ndmin=2, dtype=np.float64)
    except ValueError:
        raise _first_bad_value(path, text, delimiter, skip_lines) from None
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        number, line = _nth_row(text, int(np.argmax(bad)), skip_lines > 0)
        raise InvalidValueError(path, f"line {number}: {shorten(line)!r} is not a finite number "
                                      f"({int(bad.sum())} such row(s))")
    return values


def _first_bad_value(path: Path, text: str, delimiter: str | None, skip_lines: int) -> InvalidValueError:
    rows = ((n, line) for n, line in _data_lines(text) if n > skip_lines)
    width = None
    for number, line in rows:
        tokens = _tokens(line, delimiter)
        width = len(tokens) if width is None else width
        if len(tokens) != width:
            return InvalidValueError(path, f"line {number}: {len(tokens)} values, expected {width}")
        for token in tokens:
            try:
                float(token)
            except ValueError:
                return InvalidValueError(path, f"line {number}: {shorten(token)!r} is not a number")
    return InvalidValueError(path, "holds values that are not numbers")


def _rate_from_time(path: Path, time_s: np.ndarray) -> float:
    if time_s.size < 2 or time_s[-1] <= time_s[0]:
        raise HeaderError(path, "time column must increase")
    rate = (time_s.size - 1) / (time_s[-1] - time_s[0])
    expected = time_s[0] + np.arange(time_s.size) / rate
    worst = int(np.argmax(np.abs(time_s - expected)))
    if abs(time_s[worst] - expected[worst]) > 0.5 / rate:
        raise HeaderError(path, f"time column is not evenly spaced (row {worst + 1} of the data "
                                f"is off by more than half a sample at {rate:g} Hz)")
    return float(rate)


def _unit(name: str) -> str | None:
    match = _UNIT_IN_NAME.search(name)
    return match[1].lower() if match else None
