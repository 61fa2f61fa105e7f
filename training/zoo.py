"""Every registered model under one protocol: ``python -m training reproduce --all`` evaluates
each, exports it with its card, and writes ``training/RESULTS.md`` (never typed by hand)."""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from emgviewer.atomic import atomic_write_text
from emgviewer.inference import classify, default_model_path, load_model
from emgviewer.records import read_record
from training.models import REGISTRY, build, count_macs, count_parameters


def model_rows() -> list[dict[str, Any]]:
    rows = []
    for name, spec in REGISTRY.items():
        n_times = int(np.floor(spec.window_s * spec.fs_hz + 1e-6))
        model = build(name, n_outputs=3, n_times=n_times, fs_hz=spec.fs_hz)
        rows.append({"name": name, "description": spec.description, "citation": spec.citation,
                     "claim": spec.claim, "parameters": count_parameters(model),
                     "macs_per_window": count_macs(model, n_times), "fs_hz": spec.fs_hz,
                     "window_s": spec.window_s, "hop_s": spec.hop_s})
    return rows


def reproduce_all(args: argparse.Namespace) -> int:
    rows_path = args.reports / "rows.json"
    if args.render_only:  # the table again from the rows of the last run, without training
        rows = json.loads(rows_path.read_text())
        atomic_write_text(args.results, results_markdown(rows, args))
        print(args.results.read_text())
        return 0
    from training.cli import _card, _config, _load, architecture_text
    from training.experiment import cross_validate
    from training.export import export_onnx
    from training.reporting import write_reports
    from training.splits import grouped_kfold, loso_splits
    from training.train import train_model

    args.exports.mkdir(parents=True, exist_ok=True)
    rows = []
    # Every model on the 3-class task; ALSNet also on ALS vs control, as published.
    for name, task in [*((n, args.task) for n in REGISTRY), ("alsnet", "als_vs_control")]:
        run = copy.copy(args)
        run.model, run.task, run.window_s, run.hop_s = name, task, None, None
        data = _load(run)
        subjects = data.subject_classes()
        splits = loso_splits(subjects, args.seed) if args.folds == "loso" else grouped_kfold(subjects, int(args.folds), args.seed)
        config = _config(run)
        started = time.perf_counter()
        result = cross_validate(data, splits, config)
        write_reports(result, args.reports, f"{name}_{task}_{args.folds}")
        final = train_model(data, np.arange(len(data)), np.array([], dtype=np.int64),
                            _config(run, epochs=max(1, result["median_best_epoch"]), patience=10**6))
        meta = {"model": name, "task": task, "classes": list(data.class_names), "fs_hz": data.fs_hz,
                "window_s": run.window_s, "hop_s": run.hop_s, "n_times": data.window_samples, "config": config.to_dict()}
        card = _card(name, architecture_text(name, final.model, data.window_samples), meta,
                     result["median_temperature"], result, data, run.data, run.version)
        path = args.exports / f"{name}_{task}.onnx"
        export_onnx(final.model, card, path, data.gather(np.arange(min(8, len(data)))))
        rows.append(_row(name, result, final.model, data, path, run, time.perf_counter() - started))
        print(json.dumps(rows[-1]), file=sys.stderr)
    atomic_write_text(rows_path, json.dumps(rows, indent=1))
    atomic_write_text(args.results, results_markdown(rows, args))
    print(args.results.read_text())
    return 0


def _row(name: str, result: dict, model, data, onnx_path: Path, args, seconds: float) -> dict[str, Any]:
    folds = result["folds"]
    accuracy = [f["accuracy"] for f in folds]
    balanced = [f["balanced_accuracy"] for f in folds]
    return {
        "name": name, "claim": REGISTRY[name].claim, "citation": REGISTRY[name].citation,
        "window_accuracy": (statistics.mean(accuracy), statistics.pstdev(accuracy)),
        "window_balanced": (statistics.mean(balanced), statistics.pstdev(balanced)),
        "records": f"{result['records']['records_correct']}/{result['records']['records_with_verdict']}",
        "subjects": f"{result['records']['subjects_correct']}/{result['records']['n_subjects']}",
        "parameters": count_parameters(model), "macs": count_macs(model, data.window_samples),
        "record_ms": _record_ms(onnx_path, args), "seconds": seconds,
        "budget": f"{len(folds)} folds ({args.folds}), {result['records']['n_records']} records, "
                  f"{result['config']['epochs']} epochs x {result['config']['steps_per_epoch'] or 'all'} steps "
                  f"of {result['config']['batch_size']}",
        "reduced": args.folds != "loso" or args.max_records is not None
                   or (result["config"]["steps_per_epoch"] or 0) < 60,
        "task": args.task,
    }


def _default_model_row(args) -> list[dict[str, Any]]:
    """The shipped default model's full leave-one-subject-out run, when its report is here."""
    report = Path(__file__).parent / "reports" / "munet_3class_loso.json"
    if not report.exists():
        return []
    result = json.loads(report.read_text())
    folds = result["folds"]
    accuracy = [f["accuracy"] for f in folds]
    balanced = [f["balanced_accuracy"] for f in folds]
    model = build("munet", 3, 23437, 23437.5)
    return [{
        "name": "munet (default model)", "task": "3class", "claim": "", "citation": REGISTRY["munet"].citation,
        "window_accuracy": (statistics.mean(accuracy), statistics.pstdev(accuracy)),
        "window_balanced": (statistics.mean(balanced), statistics.pstdev(balanced)),
        "records": f"{result['records']['records_correct']}/{result['records']['records_with_verdict']}",
        "subjects": f"{result['records']['subjects_correct']}/{result['records']['n_subjects']}",
        "parameters": count_parameters(model), "macs": count_macs(model, 23437),
        "record_ms": _record_ms(default_model_path(), args) if default_model_path() else None,
        "budget": f"full: {len(folds)} folds (LOSO), all records, {result['config']['epochs']} epochs x "
                  f"{result['config']['steps_per_epoch']} steps of {result['config']['batch_size']}",
        "reduced": False}]


def _record_ms(onnx_path: Path, args) -> float:
    """Median milliseconds to classify one 11.2-s N2001 record with onnxruntime on 2 CPU threads."""
    record = read_record(Path(args.data) / "N2001A01BB02.hea")
    loaded = load_model(onnx_path, force_cpu=True, threads=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classify(record, loaded)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            classify(record, loaded)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def results_markdown(rows: list[dict[str, Any]], args) -> str:
    lines = ["# Results: every model under one subject-independent protocol", "",
             "Generated by `python -m training reproduce --all` (do not edit by hand). Data: the 423 N2001 biceps records of 19 subjects; windows, validity rules "
             "and metrics as for the default model; no subject on two sides of any split. "
             "Window numbers are mean +- std over folds; record and subject numbers are pooled "
             "(record verdict = mean window probability, as in the app). `ms/record`: onnxruntime on "
             "the CPU (2 threads), one 11.2-s record. Rows marked *reduced* ran on a smaller budget "
             "than the published training (2 CPU cores, no GPU in this session).", "",
             "The first row is the shipped default model under the full budget (see "
             "training/reports/munet_3class_loso.md). What each of issue 10's levers does to that recipe "
             "(seed ensembles, window and record calibration fitted on validation subjects, stacked record "
             "verdicts with and without MUAP measures, selective accuracy), under the same protocol: "
             "training/reports/levers/levers.md (`python -m training levers`).", "",
             "| model | task | paper's claim (its protocol) | window acc. | window bal. acc. | records | subjects | "
             "params | MACs/window | ms/record | budget |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    rows = [*_default_model_row(args), *rows]
    for row in rows:
        acc, bal = row["window_accuracy"], row["window_balanced"]
        budget = ("*reduced*: " if row["reduced"] else "") + row["budget"]
        lines.append(f"| {row['name']} | {row['task']} | {row['claim'] or 'ours'} | {acc[0]:.1%} +- {acc[1]:.1%} | "
                     f"{bal[0]:.1%} +- {bal[1]:.1%} | {row['records']} | {row['subjects']} | "
                     f"{row['parameters']:,} | {row['macs'] / 1e6:,.1f} M | "
                     f"{'-' if row['record_ms'] is None else format(row['record_ms'], '.0f')} | {budget} |")
    cited = dict((r["name"], r["citation"]) for r in rows)
    lines += ["", "Citations:", ""] + [f"- **{name}**: {citation}" for name, citation in cited.items()]
    return "\n".join(lines) + "\n"
