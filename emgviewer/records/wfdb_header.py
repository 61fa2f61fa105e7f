"""Reading a plain single-segment WFDB header without importing ``wfdb``.

``wfdb`` imports pandas at module level (about 0.6 s of a 2-s launch), and the first trace of
every N2001 record waited for it. Headers whose signals are all stored as plain 16- or 32-bit
samples, one per frame and without skew (every N2001 record, the PhysioNet EMG records) are
read here, into the attribute names ``wfdb.rdheader`` uses; anything else returns ``None`` and
the caller asks ``wfdb``. The text has already passed :func:`check_header_text`. Field rules:
header(5), https://physionet.org/physiotools/wag/header-5.htm; the values are tested equal to
``wfdb.rdheader``'s on every N2001 and PhysioNet header we have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from emgviewer.records.wfdb_checks import FORMAT_FIELD, GAIN_FIELD, header_text

#: Storage formats read directly (little-endian 16- and 32-bit two's complement).
PLAIN_FORMATS = ("16", "32")
_DEFAULT_GAIN = 200.0  # header(5): a missing or zero gain means uncalibrated, 200 units per mV assumed
_DEFAULT_RATE = 250.0


@dataclass
class PlainHeader:
    """The fields of ``wfdb.Record`` that the readers use, by the same names."""

    record_name: str
    n_sig: int
    fs: float
    sig_len: int | None
    file_name: list[str] = field(default_factory=list)
    fmt: list[str] = field(default_factory=list)
    samps_per_frame: list[int] = field(default_factory=list)
    byte_offset: list[int | None] = field(default_factory=list)
    adc_gain: list[float] = field(default_factory=list)
    baseline: list[int] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    adc_res: list[int | None] = field(default_factory=list)
    adc_zero: list[int | None] = field(default_factory=list)
    sig_name: list[str | None] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # stripped, as wfdb gives them
    #: The comments with their leading spaces: PhysioNet indents a field's continuation line.
    comment_lines: list[str] = field(default_factory=list)


def comments_as_written(header) -> list[str]:
    """A header's comments for the metadata parser: a plain header's keep their indentation (a
    PhysioNet field continued on the next line), wfdb's come stripped."""
    return getattr(header, "comment_lines", None) or header.comments


def read_plain_header(path: Path) -> PlainHeader | None:
    """The header at ``path`` when it is plain (see the module docstring), else ``None``."""
    raw_lines = header_text(path).splitlines()
    lines = [line.strip() for line in raw_lines]
    comment_lines = [raw.lstrip()[1:].rstrip() for raw in raw_lines if raw.lstrip().startswith("#")]
    comments = [line.strip() for line in comment_lines]
    fields = [line.split() for line in lines if line and not line.startswith("#")]
    if not fields:
        return None
    record = fields[0]
    if "/" in record[0] or len(record) < 2:
        return None
    n_sig = int(record[1])
    header = PlainHeader(record[0], n_sig, float(record[2].split("/")[0]) if len(record) > 2 else _DEFAULT_RATE,
                         int(record[3]) if len(record) > 3 else None, comments=comments,
                         comment_lines=comment_lines)
    if len(fields) < 1 + n_sig:
        return None
    for tokens in fields[1:1 + n_sig]:
        if not _signal(header, tokens):
            return None
    return header


def gains_given(path: Path) -> list[bool]:
    """Per signal line: whether it states a non-zero gain. header(5): a missing or zero gain
    means the signal is uncalibrated (wfdb reports 200 for both, so it cannot tell)."""
    fields = [line.split() for line in _lines(path) if line and not line.startswith("#")]
    given = []
    for tokens in fields[1:]:
        gain = GAIN_FIELD.match(tokens[2]) if len(tokens) > 2 else None
        given.append(gain is not None and float(gain[1]) != 0.0)
    return given


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in header_text(path).splitlines()]



def _signal(header: PlainHeader, tokens: list[str]) -> bool:
    storage = FORMAT_FIELD.match(tokens[1]) if len(tokens) > 1 else None
    if storage is None or storage[1] not in PLAIN_FORMATS or storage[3] is not None:
        return False
    if storage[2] is not None and int(storage[2]) != 1:
        return False
    gain_text = GAIN_FIELD.match(tokens[2]) if len(tokens) > 2 else None
    if len(tokens) > 2 and gain_text is None:
        return False
    gain = float(gain_text[1]) if gain_text else 0.0
    adc_res = int(tokens[3]) if len(tokens) > 3 else None
    adc_zero = int(tokens[4]) if len(tokens) > 4 else None
    if gain_text and gain_text[2] is not None:
        baseline = int(gain_text[2])
    else:
        baseline = adc_zero or 0  # header(5): the baseline defaults to the ADC zero
    header.file_name.append(tokens[0])
    header.fmt.append(storage[1])
    header.samps_per_frame.append(1)
    header.byte_offset.append(int(storage[4]) if storage[4] is not None else None)
    header.adc_gain.append(gain or _DEFAULT_GAIN)
    header.baseline.append(baseline)
    header.units.append((gain_text[3] if gain_text and gain_text[3] else None) or "mV")
    header.adc_res.append(adc_res)
    header.adc_zero.append(adc_zero)
    header.sig_name.append(" ".join(tokens[8:]) or None)
    return True


__all__ = ["PLAIN_FORMATS", "PlainHeader", "gains_given", "read_plain_header"]
