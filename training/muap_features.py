"""Interpretable MUAP features of every N2001 record, and how the groups differ in them.

``python -m training.muap_features DATA_DIR [--out training/reports/muap_groups]`` analyses
each record with the app's own MUAP analysis (emgviewer.analysis.muap), writes one row of
features per record (``<out>.json``, for models that fuse them with the networks' output, with
the record's signal profile, for the app's caveats) and a
report (``<out>.md``): per-group medians of unit amplitude and duration, with two-sided
Mann-Whitney rank-sum tests against the controls, on units and, because units of one person
are not independent, on per-subject medians.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import mannwhitneyu

from emgviewer.analysis.muap.record import analyse_record
from emgviewer.analysis.muap.waveform import POLYPHASIC_PHASES
from emgviewer.analysis.signal_profile import FEATURES as PROFILE_FEATURES
from emgviewer.analysis.signal_profile import signal_profile
from emgviewer.analysis.stacking import muap_measures_of_units
from emgviewer.atomic import atomic_write_bytes
from emgviewer.records import index_folder, read_record

GROUPS = ("ALS", "control", "myopathy")
FEATURES = ("n_units", "mean_amplitude_uv", "mean_duration_ms", "polyphasic_share",
            "recruitment_ratio", "recruitment_frequency_hz")


def record_features(path: Path) -> dict:
    """One record's MUAP measures, as the learned record verdict reads them."""
    result = analyse_record(read_record(path))
    record, summary = result.record, result.analysis.summary
    units = result.analysis.units
    # The signal profile the app compares with a card's training range (its caveats).
    profile = signal_profile(record.signal_uv, record.fs_hz)
    return {
        "record": record.name, "subject": record.subject_id, "truth": record.truth,
        **{key: getattr(summary, key) for key in FEATURES},
        "unit_amplitudes_uv": [u.measures.amplitude_uv for u in units],
        "unit_durations_ms": [u.measures.duration_ms for u in units],
        "unit_phases": [u.measures.phases for u in units],
        "unit_rates_hz": [u.firing.mean_rate_hz for u in units],
        "units_implausible": [list(u.implausible) for u in units],
        "n_candidates": result.analysis.n_candidates, "n_unexplained": result.analysis.n_unexplained,
        # What a learned verdict reads, exactly as the app computes it (over every unit found).
        "stacker_measures": [None if np.isnan(v) else float(v) for v in muap_measures_of_units(units)],
        "profile": None if profile is None else {key: getattr(profile, key) for key in PROFILE_FEATURES},
    }


def group_report(rows: list[dict]) -> tuple[str, dict]:
    """The measures compared between groups, per record and per subject, as Markdown and JSON."""
    out: dict = {"groups": {}, "tests": {}}
    lines = ["# MUAP measures by group (N2001 biceps, all records)", "",
             "Each record analysed by `emgviewer.analysis.muap` (no training, no labels used). Units are "
             "not independent within a person, so the subject-level test (medians per subject) is the "
             "one to read; the unit-level test is shown beside it.", "",
             "Units the analysis flags as not plausible as one motor unit (firing under 4 or over 40 Hz, "
             "IDI CV over 0.5, a potential under the detection threshold; `emgviewer.analysis.muap."
             "plausibility`) are left out, as the app leaves them out of a record's means; *unexplained* is "
             "the share of a record's candidate discharges that no unit, or sum of units, explains "
             "(median over the group's records).", "",
             "| group | subjects | records | units | units left out | median amplitude µV | "
             "median duration ms | units per record | polyphasic share | unexplained share |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    rows = [_plausible_only(r) for r in rows]
    for group in GROUPS:
        mine = [r for r in rows if r["truth"] == group]
        amps = np.concatenate([r["unit_amplitudes_uv"] for r in mine] or [np.empty(0)])
        durs = np.concatenate([r["unit_durations_ms"] for r in mine] or [np.empty(0)])
        poly = np.concatenate([r["unit_polyphasic"] for r in mine] or [np.empty(0)])
        subjects = sorted({r["subject"] for r in mine})
        left_out = sum(r["n_left_out"] for r in mine)
        unexplained = [r["n_unexplained"] / r["n_candidates"] for r in mine if r.get("n_candidates")]
        out["groups"][group] = {
            "subjects": len(subjects), "records": len(mine), "units": int(amps.size),
            "units_left_out": left_out,
            "median_amplitude_uv": float(np.median(amps)) if amps.size else None,
            "median_duration_ms": float(np.median(durs)) if durs.size else None,
            "units_per_record": float(np.mean([len(r["unit_amplitudes_uv"]) for r in mine])) if mine else None,
            "polyphasic_share": float(poly.mean()) if poly.size else None,
            "median_unexplained_share": float(np.median(unexplained)) if unexplained else None,
            "subject_median_amplitude_uv": _per_subject(mine, "unit_amplitudes_uv"),
            "subject_median_duration_ms": _per_subject(mine, "unit_durations_ms"),
            "subject_polyphasic_share": _per_subject(mine, "unit_polyphasic", np.mean),
        }
        g = out["groups"][group]
        lines.append(f"| {group} | {g['subjects']} | {g['records']} | {g['units']} | {left_out} | "
                     f"{_fmt(g['median_amplitude_uv'], '.0f')} | {_fmt(g['median_duration_ms'], '.1f')} | "
                     f"{_fmt(g['units_per_record'], '.1f')} | {_fmt(g['polyphasic_share'], '.2f')} | "
                     f"{_fmt(g['median_unexplained_share'], '.2f')} |")
    lines += ["", "| comparison | measure | unit-level p | subject-level p | direction (median vs control) | "
              "clinically expected |", "|---|---|---|---|---|---|"]
    expected = {"ALS": "larger and longer", "myopathy": "smaller and shorter"}
    expected_poly = {"ALS": "more polyphasic", "myopathy": "more polyphasic"}
    for group in ("ALS", "myopathy"):
        for measure, key, subject_key in (("amplitude", "unit_amplitudes_uv", "subject_median_amplitude_uv"),
                                          ("duration", "unit_durations_ms", "subject_median_duration_ms"),
                                          ("polyphasia", "unit_polyphasic", "subject_polyphasic_share")):
            a = np.concatenate([r[key] for r in rows if r["truth"] == group]).astype(float)
            c = np.concatenate([r[key] for r in rows if r["truth"] == "control"]).astype(float)
            sa = list(out["groups"][group][subject_key].values())
            sc = list(out["groups"]["control"][subject_key].values())
            p_unit = float(mannwhitneyu(a, c).pvalue)
            p_subject = float(mannwhitneyu(sa, sc).pvalue)
            centre = np.mean if measure == "polyphasia" else np.median  # a share: compare the means
            direction = "higher" if centre(a) > centre(c) else "lower"
            out["tests"][f"{group}_vs_control_{measure}"] = {
                "unit_p": p_unit, "subject_p": p_subject, "direction": direction,
                "n_units": [int(a.size), int(c.size)], "n_subjects": [len(sa), len(sc)]}
            lines.append(f"| {group} vs control | {measure} | {p_unit:.2g} | {p_subject:.2g} "
                         f"({len(sa)} vs {len(sc)} subjects) | {direction} | "
                         f"{expected_poly[group] if measure == 'polyphasia' else expected[group]} |")
    lines += ["", "Two-sided Mann-Whitney U tests (scipy.stats.mannwhitneyu). N2001 subjects differ in age "
              "(the reference values rise with age) and the analysis has not been checked against a "
              "clinician's manual markers on these records.", ""]
    return "\n".join(lines), out


def _per_subject(rows: list[dict], key: str, centre=np.median) -> dict[str, float]:
    by_subject: dict[str, list[float]] = {}
    for row in rows:
        by_subject.setdefault(row["subject"], []).extend(row[key])
    return {s: float(centre(np.asarray(v, dtype=float))) for s, v in sorted(by_subject.items()) if v}


def _plausible_only(row: dict) -> dict:
    """``row`` with its unit lists cut to the plausible units (rows written before units were
    flagged keep them all), and a polyphasic flag per unit (as the app counts one)."""
    flags = row.get("units_implausible") or [[] for _ in row["unit_amplitudes_uv"]]
    keep = [not f for f in flags]
    cut = {key: [v for v, k in zip(row[key], keep) if k]
           for key in ("unit_amplitudes_uv", "unit_durations_ms", "unit_phases", "unit_rates_hz")}
    return {**row, **cut, "unit_polyphasic": [p >= POLYPHASIC_PHASES for p in cut["unit_phases"]],
            "n_left_out": keep.count(False)}


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main(argv: list[str] | None = None) -> int:
    """Write every record's MUAP features and the group comparison; 0."""
    parser = argparse.ArgumentParser(prog="python -m training.muap_features", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="the unpacked N2001 folder")
    parser.add_argument("--out", type=Path, default=Path("training/reports/muap_groups"),
                        help="output stem: <out>.json (features) and <out>.md (report) (default: %(default)s)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    index = index_folder(args.data_dir)
    rows, seconds = [], []
    for entry in index.records:
        t0 = time.perf_counter()
        rows.append(record_features(entry.path))
        seconds.append(time.perf_counter() - t0)
    text, stats = group_report(rows)
    text += (f"{len(rows)} records in {time.perf_counter() - started:.0f} s (read + analysis, median "
             f"{1e3 * float(np.median(seconds)):.0f} ms a record).\n")
    atomic_write_bytes(args.out.with_suffix(".json"),
                       json.dumps({"records": rows, **stats}, indent=1).encode(), overwrite=True)
    atomic_write_bytes(args.out.with_suffix(".md"), text.encode(), overwrite=True)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
