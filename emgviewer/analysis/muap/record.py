"""MUAP analysis of a whole record, with what limits the reading of its reference marks."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from emgviewer.analysis.muap import reference
from emgviewer.analysis.muap.analysis import MuapAnalysis, analyse_muaps
from emgviewer.analysis.muap.reference import marked
from emgviewer.analysis.stacking import MUAP_MAX_S
from emgviewer.records.record import Record

#: A record's mean is judged on about this many MUAPs in clinical multi-MUP analysis.
CLINICAL_MIN_UNITS = 20
#: Below this rate the sharpest spikes fall between samples and their amplitude is underread.
FULL_RATE_HZ = 10_000.0
#: What the viewer and a learned verdict analyse of a long record: its first minute (an
#: hour-long record would take minutes and gigabytes in the background).
VIEWER_SPAN_S = MUAP_MAX_S

_DERIVED_LOCK = threading.Lock()


@dataclass(frozen=True)
class RecordMuaps:
    """A record's MUAP analysis, with what limits the reading of its reference marks (muscle,
    electrode, calibration)."""

    record: Record
    analysis: MuapAnalysis
    notes: tuple[str, ...]  # what limits the reference marks, in plain words
    references_apply: bool  # muscle, electrode and calibration match the references

    def to_dict(self) -> dict:
        """The analysis as JSON types; marks are ``null`` where the references do not apply."""
        out = {"record": self.record.name, "path": str(self.record.source_path),
               "references_apply": self.references_apply, "notes": list(self.notes),
               **self.analysis.to_dict()}
        if not self.references_apply:
            for item in [out["summary"], *out["units"]]:
                item["marks"] = {key: None for key in item["marks"]}
        return out

    def mark(self, marks: dict[str, str | None], key: str) -> str | None:
        """The reference mark ``key`` in ``marks``, or ``None`` where the references do not apply to this record."""
        return marks.get(key) if self.references_apply else None

    def summary_line(self) -> str:
        """The record's MUAP summary in one line, values marked ↑/↓ against the references."""
        s = self.analysis.summary
        mark = lambda key: self.mark(s.marks, key)  # noqa: E731
        poly = None if s.polyphasic_share is None else 100 * s.polyphasic_share
        apart = f" (+{s.n_implausible} implausible, left out)" if s.n_implausible else ""
        return (f"{s.n_units} unit{'s' if s.n_units != 1 else ''}{apart}; mean amplitude "
                f"{marked(s.mean_amplitude_uv, mark('mean_amplitude_uv'), '.0f', ' µV')}, mean duration "
                f"{marked(s.mean_duration_ms, mark('mean_duration_ms'), '.1f', ' ms')}, polyphasic "
                f"{marked(poly, mark('polyphasic_share'), '.0f', '%')}, recruitment ratio "
                f"{marked(s.recruitment_ratio, mark('recruitment_ratio'), '.1f')}, recruitment frequency "
                f"{marked(s.recruitment_frequency_hz, mark('recruitment_frequency_hz'), '.1f', ' Hz')}")


def record_muaps(record: Record, max_duration_s: float | None = VIEWER_SPAN_S) -> RecordMuaps:
    """The record's MUAP analysis, made once per record and span and shared by everyone who
    asks: the learned verdict, the viewer's panel, the report and ``emgviewer muap`` all read
    this one. ``max_duration_s``: the first so many seconds (``None``: all of it); a record no
    longer than that has one analysis whatever the span asked. Kept on the record
    (``Record.derived``), so it goes when the record does. A failure is raised every time,
    never kept."""
    span = None if max_duration_s is None or record.duration_s <= max_duration_s else float(max_duration_s)
    key = ("muaps", span)
    with _DERIVED_LOCK:
        found = record.derived.get(key)
    if found is None:
        found = analyse_record(record, max_duration_s=span)
        with _DERIVED_LOCK:  # two threads may both analyse; the first kept is everyone's
            found = record.derived.setdefault(key, found)
    return found


def analyse_record(record: Record, max_duration_s: float | None = None) -> RecordMuaps:
    """``max_duration_s``: analyse only the record's first so many seconds (the viewer's
    background analysis of an hour-long record would take minutes and gigabytes); said in the
    notes. Discharge times stay in the record's time."""
    signal = record.signal_uv
    notes_first = []
    if max_duration_s is not None and record.duration_s > max_duration_s:
        signal = signal[: int(max_duration_s * record.fs_hz)]
        notes_first.append(f"the first {max_duration_s:g} s of this {record.duration_s / 60:.1f}-min record "
                           "analysed (emgviewer muap analyses all of it)")
    analysis = analyse_muaps(signal, record.fs_hz, calibrated=record.calibrated)
    notes, applies = _limits(record, analysis)
    return RecordMuaps(record, analysis, tuple(notes_first + notes), applies)


def _limits(record: Record, analysis: MuapAnalysis) -> tuple[list[str], bool]:
    notes, applies = [], True
    if not record.calibrated:
        notes.append("the file carries no calibration: amplitudes are in raw units and no reference applies")
        applies = False
    muscle = record.metadata.stated_muscle() or ("biceps brachii" if record.muscle_code == "BB" else None)
    if muscle is None:
        notes.append(f"muscle not stated; the reference values are for the {reference.MUSCLE}")
        applies = False
    elif "biceps" not in muscle:
        notes.append(f"muscle {muscle}; the reference values are for the {reference.MUSCLE}")
        applies = False
    electrode = record.metadata.stated_electrode()
    if electrode is not None and "concentric" not in electrode:
        notes.append(f"electrode {electrode}; the reference values are for a {reference.ELECTRODE}")
        applies = False
    if record.quality.fraction_clipped > 0:
        notes.append(f"{record.quality.fraction_clipped:.1%} of samples at the recorder's full scale: "
                     "clipped potentials are underread")
    if record.fs_hz < FULL_RATE_HZ:
        notes.append(f"sampled at {record.fs_hz / 1e3:g} kHz: the sharpest spikes are underread")
    n = analysis.summary.n_units
    if 0 < n < CLINICAL_MIN_UNITS:
        found = "found" if not analysis.summary.n_implausible else "in the means"
        notes.append(f"{n} unit{'s' if n != 1 else ''} {found}; a clinical mean is judged on about "
                     f"{CLINICAL_MIN_UNITS} MUAPs, so the record's marks are indicative")
    if analysis.summary.n_implausible:
        k = analysis.summary.n_implausible
        notes.append(f"{k} unit{'s' if k != 1 else ''} not plausible as one motor unit in a low contraction "
                     "(firing rate, rhythm or size), shown and kept out of the means")
    if n == 0:
        notes.append("no plausible motor unit was found" if analysis.units else
                     "no motor unit was found (no discharge rose clearly above the background)")
    return notes, applies
