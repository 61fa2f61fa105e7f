"""EDF and EDF+ files, read with ``edfio`` (data are memory-mapped, headers parsed strictly)."""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

import edfio
import numpy as np

from emgviewer.records.channels import Channel, select_channel
from emgviewer.records.errors import HeaderError
from emgviewer.records.files import require_file
from emgviewer.records.metadata import RecordMetadata, frequency_hz
from emgviewer.records.record import Record
from emgviewer.records.units import uv_per_unit

EDF_MAGIC = b"0       "  # the 8-byte version field that opens every EDF header
_PREFILTER = re.compile(r"\b(HP|LP):\s*([\d.]+\s*k?Hz)", re.I)


def open_edf(path: Path) -> tuple[edfio.Edf, list[edfio.EdfSignal]]:
    """The parsed header (data stay on disk, memory-mapped) and its signal channels."""
    require_file(path, "EDF file")
    try:
        edf = edfio.read_edf(path, lazy_load_data=True)
    except Exception as err:  # edfio raises ValueError/EdfError variants on bad headers
        raise HeaderError(path, f"not a valid EDF/EDF+ file ({err})") from None
    return edf, [s for s in edf.signals if s.label != "EDF Annotations"]


def read_edf(path: Path, channel: Channel = None) -> Record:
    edf, signals = open_edf(path)
    index = select_channel([s.label for s in signals], channel, path)
    chosen = signals[index]
    units = chosen.physical_dimension
    scale = uv_per_unit(units)
    if scale is None:
        raise HeaderError(path, f"channel {chosen.label!r} has units {units!r}, not a voltage")
    try:
        signal = np.asarray(chosen.data, dtype=np.float64) * scale
    except Exception as err:
        raise HeaderError(path, f"cannot read the data of channel {chosen.label!r} ({err})") from None
    full_scale = (chosen.physical_min * scale, chosen.physical_max * scale)
    return Record(
        name=path.stem,
        signal_uv=signal.astype(np.float32),
        fs_hz=float(chosen.sampling_frequency),
        source_path=path,
        format="EDF",
        metadata=edf_metadata(edf, chosen),
        channel=chosen.label,
        source_units=units,
        full_scale_uv=(min(full_scale), max(full_scale)),
    )


def edf_metadata(edf: edfio.Edf, signal: edfio.EdfSignal) -> RecordMetadata:
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
