"""Quantitative MUAP analysis of one channel: detection, sorting, averaging, measures, marks."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from emgviewer.analysis.muap import reference
from emgviewer.analysis.muap.detect import detect
from emgviewer.analysis.muap.firing import Firing, firing, recruitment_frequency, recruitment_ratio
from emgviewer.analysis.muap.plausibility import implausible_reasons
from emgviewer.analysis.muap.sort import sort_discharges
from emgviewer.analysis.muap.waveform import WaveformMeasures, averaged_templates, measure
from emgviewer.lazy import threadpoolctl

#: Schema of ``MuapAnalysis.to_dict`` (the CLI's JSON); raise it when a field changes meaning.
#: 2: units carry ``implausible`` reasons; the summary's means and ``n_units`` are over the
#: plausible units only, ``n_implausible`` counts the others.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class MotorUnit:
    """One motor unit found in a record: its discharges, averaged potential, measures and firing."""

    label: str  # "U1", "U2", ... by amplitude, largest first
    discharges: np.ndarray  # sample index of each discharge's alignment point, ascending
    template_uv: np.ndarray  # averaged potential on the record's signal, centred on the alignment point
    measures: WaveformMeasures
    firing: Firing
    locked_components_ms: tuple[float, ...]  # time-locked parts sorted apart, then merged back
    marks: dict[str, str | None] = field(default_factory=dict)  # measure -> within | above | below
    #: Why this is not a plausible single motor unit (``plausibility``); such a unit is shown,
    #: and kept out of the record's means.
    implausible: tuple[str, ...] = ()

    def template_times_ms(self, fs_hz: float) -> np.ndarray:
        """The template's sample times in ms, 0 at the alignment point."""
        half = self.template_uv.size // 2
        return (np.arange(self.template_uv.size) - half) / fs_hz * 1e3

    def to_dict(self, fs_hz: float) -> dict:
        """The unit as JSON types (discharge times in s)."""
        return {
            "label": self.label,
            "discharges_s": [round(float(i) / fs_hz, 6) for i in self.discharges],
            "measures": self.measures.to_dict(),
            "firing": self.firing.to_dict(),
            "locked_components_ms": list(self.locked_components_ms),
            "marks": dict(self.marks),
            "implausible": list(self.implausible),
        }


@dataclass(frozen=True)
class RecordSummary:
    """A record's MUAP measures over its plausible units, each marked against the reference
    (within, above, below); units flagged implausible are counted apart and left out."""

    n_units: int  # the plausible units, which the means are over
    mean_amplitude_uv: float | None
    mean_duration_ms: float | None
    polyphasic_share: float | None
    recruitment_ratio: float | None
    recruitment_frequency_hz: float | None
    marks: dict[str, str | None]
    n_implausible: int = 0

    def to_dict(self) -> dict:
        """The summary as JSON types."""
        return {key: getattr(self, key) for key in self.__dataclass_fields__}


@dataclass(frozen=True)
class MuapAnalysis:
    """Everything one MUAP analysis found: the band and threshold it used, its units, the summary,
    what it left unexplained."""

    fs_hz: float
    duration_s: float
    band_hz: tuple[float, float]  # the analysis band (detection and sorting only)
    noise_uv: float  # in the analysis band
    threshold_uv: float
    n_candidates: int
    n_unexplained: int  # candidate peaks that no unit, or sum of units, explains
    units: tuple[MotorUnit, ...]
    summary: RecordSummary

    def to_dict(self) -> dict:
        """The analysis as JSON types (``emgviewer muap --format json``; its schema version first)."""
        return {
            "schema": SCHEMA_VERSION,
            "fs_hz": self.fs_hz,
            "duration_s": self.duration_s,
            "analysis_band_hz": list(self.band_hz),
            "noise_uv": self.noise_uv,
            "threshold_uv": self.threshold_uv,
            "n_candidates": self.n_candidates,
            "n_unexplained": self.n_unexplained,
            "summary": self.summary.to_dict(),
            "units": [unit.to_dict(self.fs_hz) for unit in self.units],
        }


def analyse_muaps(signal_uv: np.ndarray, fs_hz: float, calibrated: bool = True) -> MuapAnalysis:
    """Find, sort and measure the motor units of one channel of needle EMG in µV
    (``calibrated=False``: raw units, so the threshold has no µV floor)."""
    # Its matrix products are small (a few hundred segments x a few hundred template shifts).
    # A multi-threaded BLAS spends longer waking and waiting for its threads than computing
    # them, and far longer when another job holds the cores: one thread each is faster.
    with _blas_libraries().limit(limits=1, user_api="blas"):
        return _analyse(np.asarray(signal_uv), fs_hz, calibrated)


@lru_cache(maxsize=1)
def _blas_libraries():
    """The BLAS libraries loaded, numpy's among them, found once: each search of the process's
    libraries costs 3-4 ms once onnxruntime and Qt are loaded."""
    return threadpoolctl.ThreadpoolController()


def _analyse(signal: np.ndarray, fs_hz: float, calibrated: bool) -> MuapAnalysis:
    detection = detect(signal, fs_hz, calibrated=calibrated)
    sorting = sort_discharges(detection, fs_hz)
    # A shift can put a discharge by the very edge a sample outside the record.
    trains = [t[(t >= 0) & (t < signal.size)] for t in sorting.trains]
    templates = averaged_templates(signal, fs_hz, trains) if trains else []
    measured = sorted(((measure(template, fs_hz), train, template, locked) for train, template, locked
                       in zip(trains, templates, sorting.locked_components_ms)),
                      key=lambda item: -item[0].amplitude_uv)
    units = []
    for i, (measures, train, template, locked) in enumerate(measured):
        fired = firing(train / fs_hz)
        units.append(MotorUnit(f"U{i + 1}", train, template, measures, fired, locked,
                               {key: ref.mark(getattr(measures, key)) for key, ref in reference.UNIT.items()},
                               implausible_reasons(fired.mean_rate_hz, fired.idi_cv, measures.amplitude_uv,
                                                   detection.threshold_uv)))
    return MuapAnalysis(
        fs_hz=float(fs_hz), duration_s=signal.size / fs_hz, band_hz=detection.band_hz,
        noise_uv=detection.noise_uv, threshold_uv=detection.threshold_uv,
        n_candidates=int(detection.peaks.size), n_unexplained=int(sorting.unassigned.size),
        units=tuple(units), summary=_summary(units, fs_hz))


def unit_means(units) -> dict[str, float | None]:
    """Mean amplitude, mean duration and polyphasic share of ``units`` (``None`` each for none):
    a record's summary, a person's pooled sites and a learned verdict's inputs all take these."""
    if not units:
        return dict(mean_amplitude_uv=None, mean_duration_ms=None, polyphasic_share=None)
    return dict(mean_amplitude_uv=float(np.mean([u.measures.amplitude_uv for u in units])),
                mean_duration_ms=float(np.mean([u.measures.duration_ms for u in units])),
                polyphasic_share=float(np.mean([u.measures.polyphasic for u in units])))


def _summary(all_units: list[MotorUnit], fs_hz: float) -> RecordSummary:
    units = [u for u in all_units if not u.implausible]
    values = unit_means(units)
    if not units:
        values.update(recruitment_ratio=None, recruitment_frequency_hz=None)
    else:
        values.update(recruitment_ratio=recruitment_ratio([u.firing.mean_rate_hz for u in units]),
                      recruitment_frequency_hz=recruitment_frequency([u.discharges / fs_hz for u in units]))
    marks = {key: ref.mark(values[key]) for key, ref in reference.RECORD.items()}
    return RecordSummary(n_units=len(units), marks=marks, n_implausible=len(all_units) - len(units), **values)
