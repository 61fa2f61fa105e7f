"""EDF and EDF+ files, read with ``edfio`` (data are memory-mapped, headers parsed strictly)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from types import MappingProxyType

import numpy as np

from emgviewer.lazy import lazy_module
from emgviewer.records.channels import Channel, select_channel
from emgviewer.records.errors import HeaderError, TruncatedDataError
from emgviewer.records.files import require_file, require_rate, require_sample_count, shorten
from emgviewer.records.metadata import RecordMetadata, frequency_hz
from emgviewer.records.record import Record
from emgviewer.records.units import uv_per_unit

edfio = lazy_module("edfio")  # imported when an EDF file is first opened, not at launch

EDF_MAGIC = b"0       "  # the 8-byte version field that opens every EDF header
FLOAT32_LIMIT = 1e30  # physical values beyond this cannot be held as float32 µV
_PREFILTER = re.compile(r"\b(HP|LP):\s*([\d.]+\s*k?Hz)", re.I)


def open_edf(path: Path) -> tuple[edfio.Edf, list[edfio.EdfSignal]]:
    """The parsed header (data stay on disk, memory-mapped) and its signal channels."""
    size = require_file(path, "EDF file")
    _check_layout(path, size)
    try:
        # What edfio would only warn about and then read in part (a data record cut short, more
        # or fewer records than the header says) was refused by _check_layout: no catch_warnings
        # here, whose filter swap is process-wide and would reach every other thread.
        edf = edfio.read_edf(path, lazy_load_data=True)
        signals = [s for s in edf.signals if s.label != "EDF Annotations"]
    except Exception as err:  # edfio raises ValueError/EdfError variants on bad headers
        raise HeaderError(path, f"not a valid EDF/EDF+ file ({shorten(str(err))})") from None
    return edf, signals


def _check_layout(path: Path, size: int) -> None:
    """The fixed EDF header fields that decide how much data there is, checked against the
    file's size before anything is read (edfio would read a truncated file in part)."""
    with open(path, "rb") as handle:
        head = handle.read(256)
        try:
            header_bytes = int(head[184:192].decode("ascii").strip())
            n_records = int(head[236:244].decode("ascii").strip())
            duration_s = float(head[244:252].decode("ascii").strip())
            n_signals = int(head[252:256].decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            raise HeaderError(path, "not a valid EDF/EDF+ file: the fixed EDF header fields (header size, number "
                                    "of records, record duration, number of signals) are not numbers") from None
        if n_signals <= 0 or header_bytes != 256 * (n_signals + 1):
            raise HeaderError(path, f"not a valid EDF/EDF+ file: header size {header_bytes} does not match "
                                    f"{n_signals} signal(s)")
        if not math.isfinite(duration_s) or duration_s <= 0:
            raise HeaderError(path, f"not a valid EDF/EDF+ file: data record duration {duration_s:g} s is not a "
                                    "positive finite number")
        handle.seek(256 + n_signals * 216)
        counts_text = handle.read(8 * n_signals)
    try:
        counts = [int(counts_text[8 * i: 8 * i + 8].decode("ascii").strip()) for i in range(n_signals)]
    except (UnicodeDecodeError, ValueError):
        raise HeaderError(path, "not a valid EDF/EDF+ file: the samples-per-record fields are not whole numbers") from None
    if any(c <= 0 for c in counts):
        raise HeaderError(path, "not a valid EDF/EDF+ file: every signal needs at least one sample per data record, "
                                f"got {counts}")
    if n_records < 0:
        return  # -1: still being recorded; edfio counts the records from the size
    record_bytes = 2 * sum(counts)
    require_sample_count(path, n_records * max(counts))
    data_bytes = max(size - header_bytes, 0)
    held = data_bytes // record_bytes
    if held < n_records:
        raise TruncatedDataError(path, f"holds {held} complete data record(s) but the header says {n_records}")
    if held > n_records:
        raise HeaderError(path, f"not a valid EDF/EDF+ file: it holds {held} data records but the header says "
                                f"{n_records}")
    if data_bytes % record_bytes:
        raise TruncatedDataError(path, f"ends {data_bytes % record_bytes} bytes into a data record after "
                                       f"{held} complete one(s)")


def read_edf(path: Path, channel: Channel = None) -> Record:
    """An EDF/EDF+ record's chosen channel, in µV, with its header's metadata."""
    edf, signals = open_edf(path)
    index = select_channel([s.label for s in signals], channel, path)
    chosen = signals[index]
    try:
        rate = require_rate(path, chosen.sampling_frequency)
        limits = (float(chosen.physical_min), float(chosen.physical_max))
    except HeaderError:
        raise
    except Exception as err:  # edfio parses these fields lazily, on first access
        raise HeaderError(path, f"channel {chosen.label!r}: unreadable header field ({shorten(str(err))})") from None
    if not all(math.isfinite(v) for v in limits) or limits[0] == limits[1]:
        raise HeaderError(path, f"channel {chosen.label!r}: physical range {limits} is not a finite, non-empty range")
    if not all(abs(v) < FLOAT32_LIMIT for v in limits):
        raise HeaderError(path, f"channel {chosen.label!r}: physical range {limits[0]:g} to {limits[1]:g} is beyond "
                                f"±{FLOAT32_LIMIT:g}, more than any recorder measures (and than µV values can hold)")
    units = chosen.physical_dimension
    scale = uv_per_unit(units)
    if scale is None:
        raise HeaderError(path, f"channel {chosen.label!r} has units {units!r}, not a voltage")
    try:
        signal = np.asarray(chosen.data, dtype=np.float64) * scale
    except Exception as err:
        raise HeaderError(path, f"cannot read the data of channel {chosen.label!r} ({err})") from None
    full_scale = (limits[0] * scale, limits[1] * scale)
    return Record(
        name=path.stem,
        signal_uv=signal.astype(np.float32),
        fs_hz=rate,
        source_path=path,
        format="EDF",
        metadata=edf_metadata(edf, chosen),
        channel=chosen.label,
        source_units=units,
        full_scale_uv=(min(full_scale), max(full_scale)),
    )


def edf_metadata(edf: edfio.Edf, signal: edfio.EdfSignal) -> RecordMetadata:
    """What an EDF header says of a record: patient, recording, start, prefiltering and the like."""
    fields = {
        "patient": edf.local_patient_identification.strip(),
        "recording": edf.local_recording_identification.strip(),
        "prefiltering": signal.prefiltering.strip(),
        "transducer": signal.transducer_type.strip(),
    }
    try:  # EDF+ patient field "code sex birthdate name"; plain EDF has free text here
        sex = edf.patient.sex
    except Exception:
        sex = None
    filters = {kind.upper(): frequency_hz(value) for kind, value in _PREFILTER.findall(signal.prefiltering)}
    return RecordMetadata(
        gender=sex if sex in ("M", "F") else None,
        high_pass_hz=filters.get("HP"),
        low_pass_hz=filters.get("LP"),
        electrode=fields["transducer"] or None,
        fields=MappingProxyType({k: v for k, v in fields.items() if v and v != "X"}),
    )


def read_edf_annotations(path: Path) -> list[tuple[float, float, str]]:
    """The EDF+ annotations of ``path`` as (onset s, duration s, text); [] for plain EDF."""
    edf, _ = open_edf(path)
    try:
        return [(float(a.onset), float(a.duration or 0.0), str(a.text)) for a in edf.annotations
                if str(a.text).strip()]
    except Exception as err:  # edfio parses the annotation signal lazily
        raise HeaderError(path, f"unreadable EDF+ annotations ({shorten(str(err))})") from None
