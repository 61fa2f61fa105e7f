"""``emgviewer classify PATH... [--model FILE] [--hop S] [--cpu] [--format table|csv|json] [--out FILE]``

Bad files are reported one line each on stderr and skipped; the others are still classified,
and the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from emgviewer.cli.common import add_inputs_and_model, emit, error, positive_seconds, prepare, warn_caveats
from emgviewer.inference.batch import classify_each
from emgviewer.inference.caveats import (
    MARKS,
    SEEN_NOTE,
    AgreementSummary,
    Tally,
    assess,
    class_label,
    model_cautions,
)
from emgviewer.inference.folds import HELD_OUT_NOTE
from emgviewer.inference.summary import assemble_document, record_summary
from emgviewer.records.n2001 import CLASS_LABELS
from emgviewer.report.csv_export import csv_header, csv_rows


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``classify`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "classify", help="classify the windows of records with an ONNX model",
        description="Classify every sliding window of each record and give record and subject "
                    "verdicts. Research and teaching tool, not a medical device.")
    add_inputs_and_model(parser)
    parser.add_argument("--hop", type=positive_seconds, metavar="S",
                        help="hop between windows in seconds (default: the card's)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table: record and subject summaries; csv: one row per window; "
                             "json: everything (schema in emgviewer.inference.summary)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bar on stderr (default: when stderr is a terminal)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Classify every record given, and print or write the table, CSV or JSON; 1 if any record failed."""
    prepared = prepare(args)
    if prepared is None:
        return 1
    model, targets, failed = prepared
    show_progress = (sys.stderr.isatty() if args.progress is None else args.progress) and len(targets) > 1
    progress = _Progress(len(targets)) if show_progress else None
    # Record by record: each result is reduced to its summary (and CSV rows) and dropped, so
    # a folder of any size holds one signal at a time.
    summaries, assessments, subject_ids, csv_parts = [], [], [], []
    for caution in model_cautions(model.card):  # once: it holds for every record
        print(f"emgviewer: warning: {model.path.name}: {caution}", file=sys.stderr)
    for outcome in classify_each(targets, model, args.hop, fs_hz=args.fs_hz, force_verdict=args.force_verdict,
                                 final_model=args.final_model):
        if progress:
            progress.step(outcome.path.name)
        if progress and (outcome.error is not None or (outcome.result is not None and outcome.result.caveats)):
            progress.clear()
        if outcome.error is not None:
            error(str(outcome.error))
            failed += 1
            continue
        result = outcome.result
        assessment = assess(result)
        warn_caveats(result)
        if args.format == "csv":
            csv_parts.append(csv_rows(result, assessment))
        summaries.append(record_summary(result, with_windows=args.format == "json", assessment=assessment))
        assessments.append(assessment)
        subject_ids.append(result.record.subject_id)
    if progress:
        progress.clear()
    if args.format == "csv":
        text = csv_header(model.card.class_names) + "".join(csv_parts) if csv_parts else ""
    else:
        document = assemble_document(model, summaries, assessments, subject_ids, args.hop)
        text = (json.dumps(document, indent=2, ensure_ascii=False) + "\n" if args.format == "json"
                else _table(document))
    if not emit(text, args.out, args.force):
        return 1
    return 1 if failed else 0


def _table(document: dict[str, Any]) -> str:
    model = document["model"]
    # As wide as the longest verdict ("uncertain (...); OOF uncertain" runs past 38 characters).
    width = max([38, *(len(_said(row)) for row in document["records"] + document["subjects"])])
    truth_width = max([17, *(len(class_label(row["truth"])) for row in document["records"] + document["subjects"])])
    lines = [f"model: {model['name']} {model['version']} [{model['file']}] ({model['provider']}); windows "
             f"{model['window_s']:g} s, hop {model['hop_s']:g} s; uncertain below "
             f"{model['uncertainty_threshold']:.2f} (windows), {model['record_uncertainty_threshold']:.2f} "
             f"(records); evaluated {model['evaluation_protocol']}",
             *(f"model: read with care: {caution}" for caution in model["cautions"]),
             "",
             f"{'record':<22} {'seen':<4} {'truth':<{truth_width}} {'  verdict':<{width}} {'valid':>9}  votes"]
    for record in document["records"]:
        votes = " ".join(f"{c}:{n}" for c, n in record["votes"].items())
        lines.append(f"{record['record']:<22} {'seen' if record['seen_in_training'] else '':<4} "
                     f"{class_label(record['truth']):<{truth_width}} {_said(record):<{width}} "
                     f"{record['n_valid']:>4}/{record['n_windows']:<4}  {votes or record['reason']}")
    if document["subjects"]:
        lines += ["", f"{'subject':<22} {'seen':<4} {'truth':<{truth_width}} {'  verdict':<{width}} records"]
        for subject in document["subjects"]:
            lines.append(f"{subject['subject']:<22} {'seen' if subject['seen_in_training'] else '':<4} "
                         f"{class_label(subject['truth']):<{truth_width}} {_said(subject):<{width}} "
                         f"{len(subject['records'])}")
    for what in ("records", "subjects"):
        said = _agreement_lines(document["agreement"][what], what)
        lines += [""] + said if said else []
    differing = [(r["record"], r["verdict_explanation"]) for r in document["records"] if r.get("verdict_explanation")]
    if differing:
        lines += ["", "Verdicts that are not what most windows show:"] + [f"  {name}: {why}" for name, why in differing]
    caveats = [(r["record"], c["text"]) for r in document["records"] for c in r["caveats"]]
    if caveats:
        lines += ["", "Unlike the training recordings:"] + [f"  {name}: {text}" for name, text in caveats]
    if any(r["seen_in_training"] for r in document["records"]):
        lines += ["", f"seen = seen in training: {SEEN_NOTE}."]
    held_out = sum(1 for r in document["records"] if r.get("held_out_model"))
    if held_out:
        lines += ["", f"{held_out} record(s) of people the model was trained on: {HELD_OUT_NOTE} (its fold model; "
                      "--final-model for the model itself)."]
    lines += ["", "Classes: " + ", ".join(f"{c} = {CLASS_LABELS.get(c, c)}" for c in model["classes"]),
              "Research and teaching tool, not a medical device."]
    return "\n".join(lines) + "\n"


def _said(item: dict[str, Any]) -> str:
    """The statement with its agreement mark ("✓ ALS / neurogenic 0.93"), then the
    out-of-fold verdict where the card has one."""
    text = f"{MARKS.get(item['agreement'], ' ')} {item['statement']}"
    oof = item.get("out_of_fold")
    if oof:
        said = oof["verdict"] if oof["status"] == "verdict" else oof["status"]
        text += f"; OOF {MARKS.get(oof['agreement'], '')}{said}"
    return text


def _agreement_lines(agreement: dict[str, Any], what: str) -> list[str]:
    """Agreement with the truth, unseen and seen people apart: the first is evidence, the second not."""
    oof = agreement["seen_out_of_fold"]
    summary = AgreementSummary(Tally(**agreement["unseen"]), Tally(**agreement["seen"]),
                               Tally(**(oof or {})), has_out_of_fold=oof is not None)
    return summary.lines(what)


class _Progress:
    """A one-line bar on stderr, cleared before any message so messages stay readable."""

    def __init__(self, total: int, width: int = 30) -> None:
        self.total, self.width, self.done = total, width, 0

    def step(self, name: str) -> None:
        self.done += 1
        filled = self.width * self.done // self.total
        print(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {name[:24]:<24}",
              end="", file=sys.stderr, flush=True)

    def clear(self) -> None:
        print("\r" + " " * (self.width + 40) + "\r", end="", file=sys.stderr, flush=True)
