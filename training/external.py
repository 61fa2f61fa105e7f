"""``python -m training external``: models on records outside N2001, reported and never tuned on.

Records outside N2001 (PhysioNet's three WFDB examples at 4 kHz, the simulated demo records)
are classified by each model exactly as the app does (``emgviewer.inference.classify``, the
card's own verdict rules and caveats). Beside each verdict, what the record is made of: its
MUAP measures (the app's own analysis) placed among the N2001 records of each group, as the
percentile of that group's per-record values (``training/reports/muap_groups.json``), and its
signal profile. A record misread by every model, with measures typical of another group, says
more about the record (or the simulator that made it) than about the model.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import percentileofscore

from emgviewer.analysis.muap.record import analyse_record
from emgviewer.analysis.signal_profile import signal_profile
from emgviewer.atomic import atomic_write_text
from emgviewer.inference import ModelError, classify, load_model
from emgviewer.inference.caveats import assess, class_label
from emgviewer.records import RecordError, expand_paths, index_folder, read_record
from emgviewer.records.record import Record

#: The per-record MUAP measures compared with N2001's groups, with how they read.
MUAP_MEASURES = {"mean_amplitude_uv": ("mean MUAP amplitude", "{:.0f} µV"),
                 "mean_duration_ms": ("mean MUAP duration", "{:.1f} ms"),
                 "polyphasic_share": ("polyphasic share", "{:.2f}"),
                 "n_units": ("units", "{:.0f}")}
#: The signal profile (emgviewer.analysis.signal_profile), compared the same way when N2001 is given.
PROFILE_MEASURES = {"rms_uv": ("RMS", "{:.0f} µV"),
                    "median_frequency_hz": ("median frequency", "{:.0f} Hz"),
                    "spectral_flatness": ("spectral flatness", "{:.3f}")}
MEASURES = {**MUAP_MEASURES, **PROFILE_MEASURES}


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``external`` command and its options, added to ``commands``."""
    external = commands.add_parser(
        "external", help="classify records outside N2001 with each model, beside their MUAP measures",
        description=__doc__.split("\n\n")[1], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    external.add_argument("paths", nargs="+", type=Path, help="record files or folders (not N2001)")
    external.add_argument("--model", type=Path, action="append", required=True,
                          help="an ONNX model with its card; repeat for several")
    external.add_argument("--muap", type=Path, default=Path(__file__).parent / "reports" / "muap_groups.json",
                          help="N2001's per-record MUAP measures (python -m training.muap_features)")
    external.add_argument("--data", type=Path, default=None,
                          help="N2001 records: their signal profiles place each record's among the groups' "
                               "(default: MUAP measures only)")
    external.add_argument("--out", type=Path, required=True, help="folder for external.md and external.json")
    external.set_defaults(run=cmd_external)


@dataclass(frozen=True)
class Placement:
    """One measure of one record among N2001's records of each group."""

    value: float | None
    # group -> share of that group's records below the value, ties counting half, in %
    percentiles: dict[str, float]


def group_references(rows: list[dict[str, Any]]) -> dict[str, dict[str, np.ndarray]]:
    """group -> measure -> the per-record values of that group's N2001 records (``rows``: one dict
    per record, its group under "truth"; a measure a record lacks, or has as None, is left out)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for group in sorted({row["truth"] for row in rows}):
        mine = [row for row in rows if row["truth"] == group]
        out[group] = {key: np.asarray([row[key] for row in mine if row.get(key) is not None], dtype=float)
                      for key in MEASURES}
    return out


def n2001_profiles(folder: Path) -> list[dict[str, Any]]:
    """Each N2001 record's signal profile with its group, as rows for :func:`group_references`."""
    rows = []
    for entry in index_folder(folder).records:
        record = read_record(entry.path)
        profile = signal_profile(record.signal_uv, record.fs_hz)
        if profile is not None and record.truth is not None:
            rows.append({"truth": record.truth, **profile.to_dict()})
    return rows


def place(values: dict[str, float | None], references: dict[str, dict[str, np.ndarray]]) -> dict[str, Placement]:
    """Each measure's value with its percentile among every group's records that have it."""
    placed = {}
    for key in MEASURES:
        value = values.get(key)
        placed[key] = Placement(None if value is None else float(value),
                                {} if value is None else {group: float(percentileofscore(measures[key], value, kind="mean"))
                                                          for group, measures in references.items()
                                                          if measures[key].size})
    return placed


def describe(record: Record) -> dict[str, Any]:
    """What a record is made of: rate, length, units, muscle and signal profile."""
    profile = signal_profile(record.signal_uv, record.fs_hz)
    return {"record": record.name, "path": str(record.source_path), "fs_hz": record.fs_hz,
            "duration_s": round(record.duration_s, 2), "muscle": record.metadata.stated_muscle(),
            "truth": record.truth, "profile": None if profile is None else profile.to_dict()}


def check(paths: list[Path], model_paths: list[Path], reference_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``reference_rows``: N2001's per-record measures (MUAP features, and profiles if wanted)."""
    models = [load_model(path, force_cpu=True) for path in model_paths]
    references = group_references(reference_rows)
    files, errors = expand_paths(paths)
    problems = [str(err) for err in errors]
    rows = []
    for path in files:
        try:
            record = read_record(path)
        except RecordError as err:
            problems.append(str(err))
            continue
        row = describe(record)
        muaps = analyse_record(record)
        values = {key: getattr(muaps.analysis.summary, key) for key in MUAP_MEASURES} | (row["profile"] or {})
        row["measures"] = {key: vars(placement) for key, placement in place(values, references).items()}
        row["muap_notes"] = list(muaps.notes)
        row["verdicts"] = {}
        for model in models:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the caveats below say the same, per model
                said = assess(classify(record, model))
            row["verdicts"][model.path.name] = {
                "status": said.statement.status, "leading": said.statement.leading,
                "confidence": said.statement.confidence, "text": said.statement.short,
                "agreement": said.agreement, "caveats": [c.text for c in said.caveats]}
        rows.append(row)
    return {"models": [{"file": m.path.name, "name": m.card.name, "version": m.card.version} for m in models],
            "records": rows, "problems": problems,
            "reference": {group: {key: int(values.size) for key, values in measures.items()}
                          for group, measures in references.items()}}


def _placement_cell(key: str, placement: dict[str, Any]) -> str:
    if placement["value"] is None:
        return "-"
    said = MEASURES[key][1].format(placement["value"])
    spots = ", ".join(f"{group} p{share:.0f}" for group, share in placement["percentiles"].items())
    return f"{said} ({spots})" if spots else said


def markdown(document: dict[str, Any]) -> str:
    """The external checks as Markdown."""
    files = [m["file"] for m in document["models"]]
    lines = ["# External checks: records outside N2001, reported and never tuned on", "",
             "Generated by `python -m training external`. Each record is classified by each model as the app "
             "does it (record verdict = mean window probability, or the card's learned verdict where it carries "
             "one; 'uncertain' below the card's threshold). "
             "No model was trained, tuned or selected on these records.", "",
             "| record | rate, muscle | truth | " + " | ".join(files) + " |",
             "|---|---|---|" + "---|" * len(files)]
    for row in document["records"]:
        cells = []
        for file in files:
            verdict = row["verdicts"][file]
            mark = {"agrees": "✓ ", "differs": "✗ "}.get(verdict["agreement"], "")
            cells.append(mark + verdict["text"])
        lines.append(f"| {row['record']} | {row['fs_hz']:g} Hz, {row['muscle'] or 'not stated'} | "
                     f"{class_label(row['truth']) if row['truth'] else 'unknown'} | " + " | ".join(cells) + " |")
    lines += ["", "## What the records are made of", "",
              "MUAP measures from the app's analysis and the signal profile (RMS, median frequency, spectral "
              "flatness, as the card's caveats measure them); in brackets, where the value sits among N2001's "
              "records of each group (pN: N % of that group's records at or below it; no brackets: no N2001 "
              "reference given for it).", ""]
    for title, measures in (("MUAP measures", MUAP_MEASURES), ("Signal profile", PROFILE_MEASURES)):
        lines += [f"### {title}", "", f"| record | {' | '.join(label for label, _ in measures.values())} |",
                  "|---|" + "---|" * len(measures)]
        for row in document["records"]:
            lines.append(f"| {row['record']} | "
                         + " | ".join(_placement_cell(key, row["measures"][key]) for key in measures) + " |")
        lines.append("")
    lines += ["## Caveats the app gives (first model's card), and what limits the MUAP analysis", ""]
    for row in document["records"]:
        caveats = row["verdicts"][files[0]]["caveats"] if files else []
        lines.append(f"- **{row['record']}**: model: {'; '.join(caveats) or 'none'}. "
                     f"MUAP analysis: {'; '.join(row['muap_notes']) or 'none'}.")
    if document["problems"]:
        lines += ["", "## Not read", ""] + [f"- {problem}" for problem in document["problems"]]
    counts = "; ".join(f"{group}: " + ", ".join(f"{MEASURES[key][0]} {n}" for key, n in measures.items() if n)
                       for group, measures in document["reference"].items())
    lines += ["", f"N2001 reference records per group and measure: {counts}.", ""]
    return "\n".join(lines)


def cmd_external(args: argparse.Namespace) -> int:
    """Classify the external records with each model and write external.md and external.json; 0 or 1."""
    try:
        muap_rows = json.loads(args.muap.read_text(encoding="utf-8"))["records"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        print(f"python -m training external: {args.muap}: not a MUAP feature file "
              f"(python -m training.muap_features writes one): {err}", file=sys.stderr)
        return 2
    try:
        profiles = n2001_profiles(args.data) if args.data is not None else []
    except RecordError as err:
        print(f"python -m training external: --data: {err}", file=sys.stderr)
        return 2
    try:
        document = check(args.paths, args.model, muap_rows + profiles)
    except ModelError as err:
        print(f"python -m training external: {err}", file=sys.stderr)
        return 2
    for problem in document["problems"]:
        print(f"python -m training external: skipped: {problem}", file=sys.stderr)
    if not document["records"]:
        print("python -m training external: no record could be read", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "external.json", json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    atomic_write_text(args.out / "external.md", markdown(document))
    print(markdown(document))
    return 1 if document["problems"] else 0
