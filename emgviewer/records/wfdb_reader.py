"""WFDB records (``.hea`` + data file), including the N2001 ``.bin`` dialect.

The header is parsed by ``wfdb``; we add the checks whose absence would otherwise surface as
a numpy error or, worse, as silently short data.

N2001 dialect (format 16 in a ``.bin`` file): the digital value -32768 is the recorder
saturating at negative full scale, not WFDB's "invalid sample". We keep it as -2500 µV and
count it as clipping; elsewhere it becomes NaN as WFDB intends.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from emgviewer.lazy import lazy_module
from emgviewer.records.channels import Channel, select_channel
from emgviewer.records.errors import HeaderError, TruncatedDataError, UnsupportedFormatError
from emgviewer.records.files import require_file, require_sample_count
from emgviewer.records.metadata import parse_comments
from emgviewer.records.record import Record
from emgviewer.records.units import uv_per_unit
from emgviewer.records.wfdb_checks import check_header_text
from emgviewer.records.wfdb_header import PlainHeader, comments_as_written, gains_given, read_plain_header

# wfdb (and the pandas it imports) is loaded only for headers and formats read_plain_header
# leaves to it: an N2001 record opens without it.
wfdb = lazy_module("wfdb")
wfdb_signal = lazy_module("wfdb.io._signal")
_WFDB_DEFAULT_GAIN = 200.0  # WFDB: a gain of 0 means "uncalibrated, assume 200"
#: What the plain formats' samples can hold, and the value WFDB reserves for "no sample".
_PLAIN_RANGES = {"16": (-(2 ** 15), 2 ** 15 - 1), "32": (-(2 ** 31), 2 ** 31 - 1)}
_PLAIN_BYTES = {"16": 2, "32": 4}


def supported_formats() -> tuple[str, ...]:
    """The WFDB storage formats wfdb reads."""
    return tuple(wfdb_signal.DAT_FMTS)


def header_path_of(base: Path) -> Path:
    """The header file of the WFDB record at ``base``."""
    return Path(str(base) + ".hea")


def read_header(base: Path) -> "PlainHeader | wfdb.Record":
    """Parse ``<base>.hea`` (plain headers ourselves, the rest with wfdb), raising
    :class:`HeaderError` on anything garbled."""
    path = header_path_of(base)
    require_file(path, "header")
    check_header_text(path, base.name)
    header = read_plain_header(path)
    if header is not None:
        return header
    try:
        header = wfdb.rdheader(str(base))
    except Exception as err:  # wfdb raises bare ValueError/IndexError/... on bad text
        raise HeaderError(path, f"not a valid WFDB header ({_describe(err)})") from None
    if isinstance(header, wfdb.MultiRecord):
        raise UnsupportedFormatError(path, "multi-segment WFDB records are not supported; "
                                           "open one of its segments")
    if not header.n_sig:
        raise HeaderError(path, "the header declares no signal")
    if not header.fs or header.fs <= 0:
        raise HeaderError(path, f"invalid sampling rate {header.fs!r}")
    return header


def read_wfdb(base: Path, channel: Channel = None) -> Record:
    """Read one channel of the WFDB record whose header is ``<base>.hea``."""
    header = read_header(base)
    header_path = header_path_of(base)
    index = select_channel(header.sig_name or [f"signal {i}" for i in range(header.n_sig)],
                           channel, header_path)
    fmt = header.fmt[index]
    if fmt not in _PLAIN_RANGES and fmt not in supported_formats():
        raise UnsupportedFormatError(
            header_path,
            f"WFDB storage format {fmt!r} is not supported (supported: {', '.join(supported_formats())})",
        )
    data_path = header_path.parent / header.file_name[index]
    _check_data_length(header, index, data_path, header_path)
    n2001_dialect = fmt == "16" and data_path.suffix.lower() == ".bin"
    digital = _read_digital(base, header, index, data_path)

    units = header.units[index] or ""
    scale = uv_per_unit(units)
    if scale is None:
        raise HeaderError(header_path, f"units {units!r} cannot be converted to µV")
    gain = float(header.adc_gain[index]) or _WFDB_DEFAULT_GAIN
    baseline = float(header.baseline[index])
    signal = _physical_uv(digital, gain, baseline, scale)

    low, high = _digital_range(header, index)
    if not n2001_dialect:
        invalid = _PLAIN_RANGES[fmt][0] if fmt in _PLAIN_RANGES else wfdb_signal.INVALID_SAMPLE_VALUE.get(fmt)
        if invalid is not None:
            signal[digital == invalid] = np.nan
            if low == invalid:
                low += 1
    full_scale = (float(_physical_uv(np.array([low]), gain, baseline, scale)[0]),
                  float(_physical_uv(np.array([high]), gain, baseline, scale)[0]))
    return Record(
        name=header.record_name,
        signal_uv=signal,
        fs_hz=float(header.fs),
        source_path=data_path,
        format="N2001" if n2001_dialect else "WFDB",
        metadata=parse_comments(comments_as_written(header)),
        channel=(header.sig_name[index] if header.sig_name else "") or "",
        source_units=units,
        calibrated=gains_given(header_path)[index],
        full_scale_uv=full_scale,
        opened_path=header_path,
    )


def _read_digital(base: Path, header, index: int, data_path: Path) -> np.ndarray:
    """Digital samples of one signal. Plain little-endian 16/32-bit data with one sample per
    frame (every N2001 record) is read directly, in a third of wfdb's time; everything else
    goes through wfdb."""
    fmt = header.fmt[index]
    frames = header.samps_per_frame or [1] * header.n_sig
    same_file = [i for i, name in enumerate(header.file_name) if name == header.file_name[index]]
    if fmt in _DIRECT_DTYPES and header.sig_len and all(frames[i] == 1 for i in same_file):
        offset = (header.byte_offset[index] or 0) if header.byte_offset else 0
        interleaved = np.fromfile(data_path, dtype=_DIRECT_DTYPES[fmt],
                                  count=header.sig_len * len(same_file), offset=offset)
        return interleaved.reshape(header.sig_len, len(same_file))[:, same_file.index(index)]
    try:
        return wfdb.rdrecord(str(base), channels=[index], physical=False).d_signal[:, 0]
    except Exception as err:
        raise HeaderError(data_path, f"wfdb could not read the data ({_describe(err)})") from None


_DIRECT_DTYPES = {"16": np.dtype("<i2"), "32": np.dtype("<i4")}


def _physical_uv(digital: np.ndarray, gain: float, baseline: float, scale: float,
                 chunk: int = 1 << 18) -> np.ndarray:
    # Same arithmetic as wfdb's p_signal ((d - baseline) / gain in float64), so values agree
    # with wfdb to the last float32 bit; in chunks, so a long record never holds a float64 copy.
    # 2-MB chunks stay in the cache: 90 ms for 42 M samples, against 200 ms with 32-MB ones.
    out = np.empty(digital.shape, dtype=np.float32)
    for first in range(0, digital.size, chunk):
        physical = (digital[first: first + chunk] - baseline) / gain
        if scale != 1.0:
            physical *= scale
        out[first: first + chunk] = physical
    return out


def _digital_range(header, index: int) -> tuple[int, int]:
    resolution = header.adc_res[index] if header.adc_res else 0
    if resolution:
        zero = header.adc_zero[index] if header.adc_zero else 0
        return zero - 2 ** (resolution - 1), zero + 2 ** (resolution - 1) - 1
    fmt = header.fmt[index]
    low, high = _PLAIN_RANGES[fmt] if fmt in _PLAIN_RANGES else wfdb_signal.SAMPLE_VALUE_RANGE[fmt]
    return int(low), int(high)


def _check_data_length(header, index: int, data_path: Path, header_path: Path) -> None:
    size = require_file(data_path, "data file named in the header")
    if not header.sig_len:
        # Length not declared: wfdb reads what is there, so the file's size bounds it.
        bytes_per_sample = _bytes_per_sample(header.fmt[index]) or 1
        require_sample_count(data_path, int(size / bytes_per_sample), "the data file")
        return
    require_sample_count(header_path, int(header.sig_len))
    same_file = [i for i, name in enumerate(header.file_name) if name == header.file_name[index]]
    frame = sum((header.samps_per_frame or [1] * header.n_sig)[i] for i in same_file)
    bytes_per_sample = _bytes_per_sample(header.fmt[index])
    if bytes_per_sample is None:
        return  # compressed (FLAC) formats: length is not a function of file size
    offset = (header.byte_offset[index] or 0) if header.byte_offset else 0
    needed = offset + math.ceil(header.sig_len * frame * bytes_per_sample)
    if size < needed:
        held = int((size - offset) / (frame * bytes_per_sample)) if size > offset else 0
        raise TruncatedDataError(
            data_path,
            f"data file holds {max(held, 0)} samples but the header ({header_path.name}) "
            f"says {header.sig_len}",
        )


def _bytes_per_sample(fmt: str) -> float | None:
    return _PLAIN_BYTES[fmt] if fmt in _PLAIN_BYTES else wfdb_signal.BYTES_PER_SAMPLE.get(fmt)


def _describe(err: Exception) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
