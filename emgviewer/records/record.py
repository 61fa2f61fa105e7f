"""The one in-memory model of a recording, whatever file it came from."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emgviewer.records.metadata import RecordMetadata
from emgviewer.records.n2001 import N2001Id, parse_n2001_name
from emgviewer.records.quality import QualityFlags, measure_quality


@dataclass(frozen=True)
class Record:
    """One channel of needle EMG in µV, with what its file says about it.

    ``signal_uv`` is read-only float32. ``full_scale_uv`` is the recorder's (low, high)
    range in µV when the format tells it; samples there are clipped, not data.
    """

    name: str
    signal_uv: np.ndarray
    fs_hz: float
    source_path: Path
    format: str  # "N2001", "WFDB", "EDF", "WAV" or "CSV"
    metadata: RecordMetadata = field(default_factory=RecordMetadata)
    channel: str = ""
    #: Units the file stored before conversion to µV ("" when the file states none).
    source_units: str = "uV"
    #: False when the file carries no calibration (WAV, unlabelled CSV): values are raw units.
    calibrated: bool = True
    full_scale_uv: tuple[float, float] | None = None
    #: The file the reader was given when it is not ``source_path`` (a WFDB record's header):
    #: the reader's marks are named after it (``annotations.record_sidecar``).
    opened_path: Path | None = None
    quality: QualityFlags = field(init=False)
    #: What is derived from the signal once and shared by everyone who asks (the MUAP analysis:
    #: ``analysis.muap.record.record_muaps``). Not an init field: ``dataclasses.replace`` (a
    #: resampled copy) starts with its own.
    derived: dict = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.fs_hz, (int, float)) and math.isfinite(self.fs_hz) and self.fs_hz > 0):
            raise ValueError(f"fs_hz must be a positive finite number, got {self.fs_hz!r}")
        signal = np.asarray(self.signal_uv, dtype=np.float32)
        if signal.ndim != 1:
            raise ValueError(f"signal_uv must be one channel, got shape {signal.shape}")
        signal.flags.writeable = False
        object.__setattr__(self, "signal_uv", signal)
        object.__setattr__(self, "source_path", Path(self.source_path))
        object.__setattr__(self, "quality", measure_quality(signal, self.full_scale_uv, fs_hz=self.fs_hz))

    @property
    def n_samples(self) -> int:
        """How many samples the record holds."""
        return int(self.signal_uv.size)

    @property
    def duration_s(self) -> float:
        """The record's length in seconds."""
        return self.n_samples / self.fs_hz

    @property
    def n2001(self) -> N2001Id | None:
        """The N2001 name's parts, or ``None`` for another record."""
        return parse_n2001_name(self.name)

    @property
    def group(self) -> str | None:
        """N2001 group letter (A, C, M), ``None`` for other records."""
        ident = self.n2001
        return ident.group if ident else None

    @property
    def subject_id(self) -> str | None:
        """The N2001 subject ("A01"), or ``None`` for another record."""
        ident = self.n2001
        return ident.subject_id if ident else None

    @property
    def muscle_code(self) -> str | None:
        """The N2001 muscle code ("BB"), or ``None``."""
        ident = self.n2001
        return ident.muscle_code if ident else None

    @property
    def truth(self) -> str | None:
        """Ground truth class ("ALS", "control", "myopathy") from the name, else the header."""
        ident = self.n2001
        if ident is not None:
            return ident.group_class
        return self.metadata.truth_from_diagnosis()
