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

from emgviewer.atomic import atomic_write_text
from emgviewer.cli.common import add_inputs_and_model, error, prepare
from emgviewer.inference import Classification, LoadedModel
from emgviewer.inference.batch import classify_each
from emgviewer.inference.summary import classification_document
from emgviewer.records.n2001 import CLASS_LABELS
from emgviewer.report.csv_export import windows_csv


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "classify", help="classify the windows of records with an ONNX model",
        description="Classify every sliding window of each record and give record and subject "
                    "verdicts. Research and teaching tool, not a medical device.")
    add_inputs_and_model(parser)
    parser.add_argument("--hop", type=float, metavar="S", help="hop between windows in seconds (default: the card's)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table: record and subject summaries; csv: one row per window; "
                             "json: everything (schema in emgviewer.inference.summary)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bar on stderr (default: when stderr is a terminal)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    prepared = prepare(args)
    if prepared is None:
        return 1
    model, targets, failed = prepared
    show_progress = (sys.stderr.isatty() if args.progress is None else args.progress) and len(targets) > 1
    progress = _Progress(len(targets)) if show_progress else None
    results = []
    for outcome in classify_each(targets, model, args.hop):
        if progress:
            progress.step(outcome.path.name)
        if outcome.error is not None or outcome.warnings:
            if progress:
                progress.clear()
        if outcome.error is not None:
            error(str(outcome.error))
            failed += 1
            continue
        for message in outcome.warnings:
            print(f"emgviewer: warning: {message}", file=sys.stderr)
        results.append(outcome.result)
    if progress:
        progress.clear()
    text = _render(args.format, model, results, args.hop)
    if args.out:
        atomic_write_text(args.out, text)
    else:
        sys.stdout.write(text)
    return 1 if failed else 0


def _render(kind: str, model: LoadedModel, results: list[Classification], hop_s: float | None) -> str:
    if kind == "json":
        return json.dumps(classification_document(model, results, hop_s), indent=2, ensure_ascii=False) + "\n"
    if kind == "csv":
        return windows_csv(results)
    return _table(classification_document(model, results, hop_s))


def _table(document: dict[str, Any]) -> str:
    model = document["model"]
    lines = [f"model: {model['name']} {model['version']} ({model['provider']}); windows "
             f"{model['window_s']:g} s, hop {model['hop_s']:g} s",
             "",
             f"{'record':<22} {'truth':<10} {'verdict':<10} {'conf':>5}  {'valid':>9}  votes"]
    for record in document["records"]:
        votes = " ".join(f"{c}:{n}" for c, n in record["votes"].items())
        lines.append(f"{record['record']:<22} {record['truth'] or '-':<10} "
                     f"{record['verdict'] or '-':<10} {_confidence(record['confidence']):>5}  "
                     f"{record['n_valid']:>4}/{record['n_windows']:<4}  {votes or record['reason']}")
    lines += _accuracy("records", document["records"])
    if document["subjects"]:
        lines += ["", f"{'subject':<8} {'truth':<10} {'verdict':<10} {'conf':>5}  records"]
        for subject in document["subjects"]:
            lines.append(f"{subject['subject']:<8} {subject['truth'] or '-':<10} "
                         f"{subject['verdict'] or '-':<10} {_confidence(subject['confidence']):>5}  "
                         f"{len(subject['records'])}")
        lines += _accuracy("subjects", document["subjects"])
    lines += ["", "Classes: " + ", ".join(f"{c} = {CLASS_LABELS.get(c, c)}" for c in model["classes"]),
              "Research and teaching tool, not a medical device."]
    return "\n".join(lines) + "\n"


def _accuracy(what: str, items: list[dict[str, Any]]) -> list[str]:
    judged = [i for i in items if i["truth"] is not None and i["verdict"] is not None]
    if not judged:
        return []
    correct = sum(i["truth"] == i["verdict"] for i in judged)
    return [f"accuracy ({what} with known truth): {correct}/{len(judged)} = {correct / len(judged):.1%}"]


def _confidence(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


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
