"""Our own check of a WFDB header's text, before ``wfdb`` parses it.

wfdb's header pattern reads a leading prefix of each field, so a rate of ``-100``, ``nan`` or
``abc`` is silently read as the default 250 Hz, ``1e300`` as 1 Hz and a length of ``1e12`` as 1.
A wrong rate is a wrong reading of every duration and frequency, so each field wfdb would
misread is checked here against the specification (record line and signal lines of
https://physionet.org/physiotools/wag/header-5.htm) and refused with a message naming it.
Only the record's own data file may be named: a header cannot point at another record's
data, at itself, or outside its folder.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from emgviewer.records.errors import HeaderError, UnsupportedFormatError
from emgviewer.records.files import MAX_SAMPLES, require_rate, shorten

MAX_HEADER_BYTES = 1 << 20  # real headers are a few hundred bytes
_INT = re.compile(r"^\d+$")
_FLOAT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_RATE = re.compile(rf"^({_FLOAT})(?:/{_FLOAT})?(?:\({_FLOAT}\))?$")
#: A signal line's storage field FORMAT[xSAMPLES][:SKEW][+OFFSET] and gain field
#: GAIN[(BASELINE)][/UNITS], each part captured (wfdb_header reads them with these too).
FORMAT_FIELD = re.compile(r"^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$")
GAIN_FIELD = re.compile(rf"^({_FLOAT})(?:\(([+-]?\d+)\))?(?:/(\S*))?$")
MAX_ADC_RESOLUTION = 32


def header_text(path: Path) -> str:
    """A header's text: UTF-8 when it is (a file named "récord" names itself so), else Latin-1,
    which reads any byte (WFDB's own headers are ASCII, which both read alike)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def check_header_text(path: Path, record_name: str) -> None:
    """Raise :class:`HeaderError` for a field wfdb would misread; ``path`` is the ``.hea``."""
    size = path.stat().st_size
    if size > MAX_HEADER_BYTES:
        raise _invalid(path, f"{size:,} bytes is far too large for a WFDB header")
    try:
        text = header_text(path)
    except OSError as err:
        raise _invalid(path, f"cannot read the header ({err.strerror})") from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise _invalid(path, "the header holds no record line")
    n_signals = _record_line(path, lines[0].split())
    if len(lines) - 1 < n_signals:
        raise _invalid(path, f"the record line declares {n_signals} signal(s) but "
                                f"{len(lines) - 1} signal line(s) follow")
    for number, line in enumerate(lines[1:1 + n_signals], start=1):
        _signal_line(path, number, line.split(), record_name)


def _record_line(path: Path, tokens: list[str]) -> int:
    if tokens and "/" in tokens[0]:
        raise UnsupportedFormatError(path, "multi-segment WFDB records are not supported; open one of its segments")
    if len(tokens) < 2:
        raise _invalid(path, "the record line needs at least a name and a number of signals")
    if not _INT.match(tokens[1]) or int(tokens[1]) == 0:
        raise _invalid(path, f"number of signals {shorten(tokens[1])!r} is not a positive integer")
    if len(tokens) < 3:
        raise _invalid(path, "the record line gives no sampling rate")
    rate = _RATE.match(tokens[2])
    if rate is None:
        raise _invalid(path, f"sampling rate {shorten(tokens[2])!r} is not a number")
    try:
        require_rate(path, rate[1])
    except HeaderError as err:
        raise _invalid(path, err.problem) from None
    if len(tokens) >= 4:
        if not _INT.match(tokens[3]):
            raise _invalid(path, f"number of samples {shorten(tokens[3])!r} is not a whole number")
        if int(tokens[3]) > MAX_SAMPLES:
            raise _invalid(path, f"the header claims {int(tokens[3]):,} samples; emgviewer reads "
                                    f"at most {MAX_SAMPLES:,} per record")
    return int(tokens[1])


def _invalid(path: Path, why: str) -> HeaderError:
    return HeaderError(path, f"not a valid WFDB header: {why}")


def _signal_line(path: Path, number: int, tokens: list[str], record_name: str) -> None:
    where = f"signal line {number}"
    if len(tokens) < 2:
        raise _invalid(path, f"{where} needs a file name and a storage format")
    file_name = tokens[0]
    own = Path(file_name)
    if ("/" in file_name or "\\" in file_name or own.stem != record_name
            or own.suffix.lower() in ("", ".hea")):
        raise _invalid(path, f"{where} names the data file {shorten(file_name)!r}; only the record's "
                                f"own data file ({record_name}.dat or {record_name}.bin) is read")
    if not FORMAT_FIELD.match(tokens[1]):
        raise _invalid(path, f"{where}: storage format {shorten(tokens[1])!r} is not of the form "
                                "FORMAT[xSAMPLES][:SKEW][+OFFSET]")
    if len(tokens) >= 3:
        gain = GAIN_FIELD.match(tokens[2])
        if gain is None or not math.isfinite(float(gain[1])):
            raise _invalid(path, f"{where}: gain {shorten(tokens[2])!r} is not a finite number")
    if len(tokens) >= 4 and (not _INT.match(tokens[3]) or int(tokens[3]) > MAX_ADC_RESOLUTION):
        raise _invalid(path, f"{where}: ADC resolution {shorten(tokens[3])!r} is not a whole "
                                f"number of bits up to {MAX_ADC_RESOLUTION}")
    if len(tokens) >= 5 and not re.match(r"^[+-]?\d+$", tokens[4]):
        raise _invalid(path, f"{where}: ADC zero {shorten(tokens[4])!r} is not a whole number")
