"""``emgviewer muap PATH... [--format table|csv|json] [--out FILE [--force]]``

Quantitative MUAP analysis of each record: its motor units, their measures and firing, the
record's summary, each marked against the biceps reference values (see
``emgviewer.analysis.muap.reference``). Bad files are reported one line each on stderr and
skipped; the others are still analysed, and the exit status is then 1.

``--by-subject`` pools the plausible units of each person's records (N2001: a subject's records
are the sites of one muscle) into a muscle-level multi-MUP summary and its reading
(``emgviewer.analysis.muap.muscle``): one row per subject instead of the units.

JSON (``--format json``), schema 2 (units carry ``implausible``; the summary's means are over
the plausible units, ``n_implausible`` counts the others)::

    {"schema": 2, "tool": "emgviewer muap", "version": ...,
     "references": {"unit": {measure: {"low", "high", "unit", "source"}}, "record": {...}},
     "records": [{"record", "path", "references_apply", "notes": [...], "fs_hz", "duration_s",
                  "analysis_band_hz", "noise_uv", "threshold_uv", "n_candidates", "n_unexplained",
                  "summary": {"n_units", "n_implausible", "mean_amplitude_uv", "mean_duration_ms",
                              "polyphasic_share", "recruitment_ratio",
                              "recruitment_frequency_hz", "marks": {measure: mark}},
                  "units": [{"label", "discharges_s": [...], "measures": {...},
                             "firing": {...}, "locked_components_ms", "marks", "implausible"}]}]}

With ``--by-subject``: {"schema": 2, "tool": "emgviewer muap --by-subject", "version", "criteria",
"subjects": [MuscleSummary.to_dict()]}.

A mark is "within", "above", "below", or null (no value, or the references do not apply to
this record). CSV has one row per unit (a record without units gets one row with an empty
unit), with the record's summary repeated on each row.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from emgviewer import __version__
from emgviewer.analysis.muap import MuapAnalysisError, reference
from emgviewer.analysis.muap.muscle import MIN_UNITS, OUTLIER_SHARE, MuscleSummary, by_person
from emgviewer.analysis.muap.record import RecordMuaps, record_muaps
from emgviewer.analysis.muap.reference import marked
from emgviewer.cli.common import collect_records, emit, error, positive_hz, refuse_output
from emgviewer.csv_cells import safe_row
from emgviewer.records import RecordError, read_record

CSV_COLUMNS = (
    "record", "unit", "n_discharges", "mean_rate_hz", "idi_cv", "amplitude_uv", "amplitude_mark",
    "duration_ms", "duration_mark", "phases", "polyphasic", "turns", "area_uv_ms", "thickness_ms",
    "size_index", "satellites_ms", "implausible", "record_units", "record_implausible_units",
    "record_mean_amplitude_uv", "record_mean_duration_ms", "record_polyphasic_share", "recruitment_ratio",
    "recruitment_frequency_hz", "references_apply",
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``muap`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "muap", help="measure the motor unit potentials of records",
        description="Find each record's motor units, average their potentials and measure them "
                    "(amplitude, duration, phases, turns, area, size index, firing, recruitment), "
                    "marked against biceps reference values. Research and teaching tool, not a "
                    "medical device.")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="record files or folders")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table: units per record; csv: one row per unit; json: everything, with "
                             "discharge times (schema in emgviewer.cli.muap)")
    parser.add_argument("--by-subject", action="store_true",
                        help="pool each person's records (sites of one muscle) into a muscle-level multi-MUP "
                             "summary with its reading from published reference values: neurogenic, "
                             "myopathic, normal or indeterminate")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    parser.add_argument("--fs-hz", type=positive_hz, metavar="HZ",
                        help="sampling rate of one-column CSV files that do not state it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Analyse each record's motor units and print or write the table, CSV or JSON; 1 if any record failed."""
    if refuse_output(args.out, args.force, inputs=args.paths):
        return 1
    targets, failed = collect_records(args.paths)
    results = []
    for outcome in analyse_each(targets, args.fs_hz):
        if isinstance(outcome, str):
            error(outcome)
            failed += 1
        else:
            results.append(outcome)
    if args.by_subject:
        text = {"table": subject_table, "csv": subject_csv, "json": subject_json}[args.format](by_person(results))
    else:
        text = {"table": table, "csv": csv_text, "json": json_text}[args.format](results)
    if not emit(text, args.out, args.force):
        return 1
    return 1 if failed else 0


def analyse_each(paths: list[Path], fs_hz: float | None = None) -> Iterator[RecordMuaps | str]:
    """Each record's analysis, or the one-line reason it could not be analysed."""
    for path in paths:
        try:
            record = read_record(path, fs_hz=fs_hz)
            yield record_muaps(record, None)
        except RecordError as err:
            yield str(err)
        except MuapAnalysisError as err:
            yield f"{path}: {err}"


def json_text(results: list[RecordMuaps]) -> str:
    """The analyses as the JSON document (schema 1), with the references they were marked against."""
    document = {
        "schema": 2, "tool": "emgviewer muap", "version": __version__,
        "references": {
            "muscle": reference.MUSCLE, "electrode": reference.ELECTRODE,
            "unit": {k: _ref(r) for k, r in reference.UNIT.items()},
            "record": {k: _ref(r) for k, r in reference.RECORD.items()},
        },
        "records": [r.to_dict() for r in results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _ref(ref: reference.ReferenceRange) -> dict:
    return {"low": ref.low, "high": ref.high, "unit": ref.unit, "source": ref.source}


def csv_text(results: list[RecordMuaps]) -> str:
    """The analyses as CSV, one row per unit, each cell safe for a spreadsheet."""
    buffer = io.StringIO()
    writer = _SafeWriter(csv.writer(buffer, lineterminator="\n"))
    writer.writerow(CSV_COLUMNS)
    for result in results:
        s = result.analysis.summary
        tail = [s.n_units, s.n_implausible, _num(s.mean_amplitude_uv), _num(s.mean_duration_ms), _num(s.polyphasic_share),
                _num(s.recruitment_ratio), _num(s.recruitment_frequency_hz), result.references_apply]
        if not result.analysis.units:
            writer.writerow([result.record.name] + [""] * 16 + tail)
        for unit in result.analysis.units:
            m, f = unit.measures, unit.firing
            writer.writerow([
                result.record.name, unit.label, f.n_discharges, _num(f.mean_rate_hz), _num(f.idi_cv),
                _num(m.amplitude_uv), result.mark(unit.marks, "amplitude_uv") or "",
                _num(m.duration_ms), result.mark(unit.marks, "duration_ms") or "", m.phases, m.polyphasic,
                m.turns, _num(m.area_uv_ms), _num(m.thickness_ms), _num(m.size_index),
                ";".join(f"{v:g}" for v in m.satellites_ms), "; ".join(unit.implausible), *tail])
    return buffer.getvalue()


class _SafeWriter:
    """A csv writer whose text cells cannot run as spreadsheet formulas (record names, labels)."""

    def __init__(self, writer) -> None:
        self.writer = writer

    def writerow(self, cells) -> None:
        self.writer.writerow(safe_row(cells))


def _num(value: float | None) -> str:
    return "" if value is None or value != value else f"{value:.4g}"


def table(results: list[RecordMuaps]) -> str:
    """The analyses as text: a summary and a units table per record."""
    lines = []
    for result in results:
        a = result.analysis
        lines.append(f"{result.record.name}: {result.summary_line()}")
        if a.units:
            lines.append(f"  {'unit':<5}{'n':>5}{'rate Hz':>9}{'IDI CV':>8}{'amp µV':>9}{'dur ms':>8}"
                         f"{'phases':>8}{'turns':>7}{'area µV·ms':>12}{'SI':>7}  satellites ms")
        for unit in a.units:
            m, f = unit.measures, unit.firing
            lines.append(
                f"  {unit.label:<5}{f.n_discharges:>5}{marked(f.mean_rate_hz, None, '.1f'):>9}"
                f"{marked(f.idi_cv, None, '.2f'):>8}"
                f"{marked(m.amplitude_uv, result.mark(unit.marks, 'amplitude_uv'), '.0f'):>9}"
                f"{marked(m.duration_ms, result.mark(unit.marks, 'duration_ms'), '.1f'):>8}"
                f"{m.phases:>8}{m.turns:>7}{m.area_uv_ms:>12.0f}{m.size_index:>7.2f}  "
                f"{', '.join(f'{v:g}' for v in m.satellites_ms) or '-'}"
                + (f"  ✗ left out: {'; '.join(unit.implausible)}" if unit.implausible else ""))
        lines += [f"  note: {note}" for note in result.notes]
        lines.append("")
    lines += [
        f"↑/↓ above/below the reference range ({reference.MUSCLE}, {reference.ELECTRODE}):",
        *(f"  {r.measure}: {r.text()} ({r.source})" for r in (*reference.UNIT.values(), *reference.RECORD.values())),
        "Analysis band (detection and sorting only) 250 Hz - 5 kHz; measures on the recorded signal.",
        "Research and teaching tool, not a medical device.",
    ]
    return "\n".join(lines) + "\n"


SUBJECT_CSV_COLUMNS = ("subject", "records", "mups", "left_out", "mean_amplitude_uv", "mean_amplitude_mark",
                       "mean_duration_ms", "mean_duration_mark", "polyphasic_share", "polyphasic_mark",
                       "outliers_high", "outliers_low", "interpretation", "reasons")


def subject_table(summaries: list[MuscleSummary]) -> str:
    """The muscle-level summaries as text, one line each, the reading's grounds under it."""
    lines = [f"{'subject':<14}{'records':>8}{'MUPs':>6}{'left out':>10}{'mean amp µV':>13}{'mean dur ms':>13}"
             f"{'polyphasic':>12}{'outliers ↑/↓':>14}  reading"]
    for s in summaries:
        poly = None if s.polyphasic_share is None else 100 * s.polyphasic_share
        lines.append(f"{s.subject or '-':<14}{len(s.records):>8}{s.n_units:>6}{s.n_left_out:>10}"
                     f"{marked(s.mean_amplitude_uv, s.marks['mean_amplitude_uv'], '.0f'):>13}"
                     f"{marked(s.mean_duration_ms, s.marks['mean_duration_ms'], '.1f'):>13}"
                     f"{marked(poly, s.marks['polyphasic_share'], '.0f', '%'):>12}"
                     f"{f'{s.outliers_high}/{s.outliers_low}':>14}  {s.interpretation}")
        lines.append(f"{'':<14}{'; '.join(s.reasons)}")
        lines += [f"{'':<14}not pooled: {why}" for why in s.skipped]
    lines += [
        "",
        f"Pooled over each person's records (sites): plausible units only. Reading from published reference "
        f"values ({reference.MUSCLE}, {reference.ELECTRODE}; nothing fitted on any data set): neurogenic if a mean "
        f"is above its limit or over {OUTLIER_SHARE:.0%} of MUPs exceed an individual limit (Stalberg et al. 1994's "
        f"outlier criterion), myopathic the same below, normal if neither on at least {MIN_UNITS} MUPs, else "
        "indeterminate. Polyphasia is shown, not used: it rises both ways.",
        f"  individual MUPs: amplitude {reference.UNIT['amplitude_uv'].text()}, duration "
        f"{reference.UNIT['duration_ms'].text()}; means: amplitude {reference.RECORD['mean_amplitude_uv'].text()}, "
        f"duration {reference.RECORD['mean_duration_ms'].text()} ({reference.UNIT['amplitude_uv'].source})",
        "Research and teaching tool, not a medical device.",
    ]
    return "\n".join(lines) + "\n"


def subject_csv(summaries: list[MuscleSummary]) -> str:
    """The muscle-level summaries as CSV, one row per person."""
    buffer = io.StringIO()
    writer = _SafeWriter(csv.writer(buffer, lineterminator="\n"))
    writer.writerow(SUBJECT_CSV_COLUMNS)
    for s in summaries:
        writer.writerow([s.subject or "", len(s.records), s.n_units, s.n_left_out, _num(s.mean_amplitude_uv),
                         s.marks["mean_amplitude_uv"] or "", _num(s.mean_duration_ms), s.marks["mean_duration_ms"] or "",
                         _num(s.polyphasic_share), s.marks["polyphasic_share"] or "", s.outliers_high, s.outliers_low,
                         s.interpretation, "; ".join(s.reasons)])
    return buffer.getvalue()


def subject_json(summaries: list[MuscleSummary]) -> str:
    """The muscle-level summaries as JSON, with the criteria they were read by."""
    document = {
        "schema": 2, "tool": "emgviewer muap --by-subject", "version": __version__,
        "criteria": {"min_units": MIN_UNITS, "outlier_share": OUTLIER_SHARE, "muscle": reference.MUSCLE,
                     "electrode": reference.ELECTRODE,
                     "unit": {k: _ref(r) for k, r in reference.UNIT.items()},
                     "mean": {k: _ref(reference.RECORD[k]) for k in ("mean_amplitude_uv", "mean_duration_ms")}},
        "subjects": [s.to_dict() for s in summaries],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
