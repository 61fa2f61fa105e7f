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
from emgviewer.inference import classify, load_model
from emgviewer.inference.zoo import available_models
from emgviewer.records import read_record
from training.models import REGISTRY, build, count_macs, count_parameters
from training.results_page import DEFAULT_REPORT, DEFAULT_ROW, budget_text, recipe_text, results_markdown


def model_rows() -> list[dict[str, Any]]:
    """Each registered model's size, cost and source, for ``python -m training models``."""
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
    """Evaluate and export every registered model and write training/RESULTS.md (``--render-only``:
    the page again)."""
    rows_path = args.reports / "rows.json"
    if args.render_only:  # the table again from the rows of the last run, without training
        rows = _with_default_model(json.loads(rows_path.read_text()), args)
        if args.remeasure_ms:
            rows = [_remeasured(row, args) for row in rows]
        atomic_write_text(rows_path, json.dumps(rows, indent=1))
        atomic_write_text(args.results, results_markdown(rows, args))
        print(args.results.read_text())
        return 0
    from training.pipeline import evaluate_train_export, foreign_evaluation, load_data, recipe_config

    args.exports.mkdir(parents=True, exist_ok=True)
    only = {n.strip() for n in args.only.split(",")} if args.only else None
    # With --only, the other rows stay as the last run left them (each says its own budget).
    kept = json.loads(rows_path.read_text()) if only and rows_path.exists() else []
    rows = []
    # Every model on the 3-class task; ALSNet also on ALS vs control, as published.
    for name, task in [*((n, args.task) for n in REGISTRY), ("alsnet", "als_vs_control")]:
        if not wanted(only, name, task):
            rows += [row for row in kept if (row["name"], row["task"]) == (name, task)]
            continue
        run = copy.copy(args)
        run.model, run.task, run.window_s, run.hop_s = name, task, None, None
        data = load_data(run)
        started = time.perf_counter()
        stem = f"{name}_{task}_{args.folds}"
        result = None
        if args.evaluations is not None and (args.evaluations / f"{stem}.json").exists():
            result = json.loads((args.evaluations / f"{stem}.json").read_text())
            problem = foreign_evaluation(result, recipe_config(run), data, args.folds)
            if problem:
                print(f"python -m training: error: {args.evaluations / f'{stem}.json'}: {problem}", file=sys.stderr)
                return 1
        path = args.exports / f"{name}_{task}.onnx"
        made = evaluate_train_export(run, data, path, args.reports, stem, folds=args.folds, result=result)
        rows.append({**_row(name, made.result, made.model, data, path, run, time.perf_counter() - started),
                     "parity": made.parity})
        print(json.dumps(rows[-1]), file=sys.stderr)
    rows = _with_default_model(rows, args, [row for row in kept if row["name"] == DEFAULT_ROW])
    atomic_write_text(rows_path, json.dumps(rows, indent=1))
    atomic_write_text(args.results, results_markdown(rows, args))
    print(args.results.read_text())
    return 0


def wanted(only: set[str] | None, name: str, task: str) -> bool:
    """Whether ``--only`` asks for the row (NAME: every task of the model; NAME:TASK: that one)."""
    return only is None or name in only or f"{name}:{task}" in only


def _result_columns(result: dict[str, Any]) -> dict[str, Any]:
    """The table's numbers from an evaluation report: per-fold accuracy (mean, std), pooled
    window accuracy and balanced accuracy, records and subjects right."""
    accuracy = [f["accuracy"] for f in result["folds"]]
    records = result["records"]
    return {"window_accuracy": (statistics.mean(accuracy), statistics.pstdev(accuracy)),
            "window_pooled": (result["windows"]["accuracy"], result["windows"]["balanced_accuracy"]),
            "records": f"{records['records_correct']}/{records['records_with_verdict']}",
            "subjects": f"{records['subjects_correct']}/{records['n_subjects']}"}


def _row(name: str, result: dict, model, data, onnx_path: Path, args, seconds: float) -> dict[str, Any]:
    folds = result["folds"]
    return {
        "name": name, "claim": REGISTRY[name].claim, "citation": REGISTRY[name].citation,
        **_result_columns(result),
        "parameters": count_parameters(model), "macs": count_macs(model, data.window_samples),
        "record_ms": _record_ms(onnx_path, args), "seconds": seconds,
        "budget": f"{len(folds)} folds ({args.folds}), {result['records']['n_records']} records, "
                  f"{recipe_text(result['config'])}",
        "reduced": args.folds != "loso" or args.max_records is not None
                   or (result["config"]["steps_per_epoch"] or 0) < 60,
        "task": args.task,
        "device": result.get("environment", {}).get("device", "CPU"),
    }




def _with_default_model(rows: list[dict[str, Any]], args, kept: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The rows with the shipped model's first: kept from the last run when there (its
    ms/record was measured then, on a quiet machine), else measured now."""
    others = [row for row in rows if row["name"] != DEFAULT_ROW]
    first = [row for row in rows if row["name"] == DEFAULT_ROW] or kept or _default_model_row(args)
    return [*first, *others]


def _default_model_row(args) -> list[dict[str, Any]]:
    """The shipped default model's full leave-one-subject-out run, when its report is here."""
    if not DEFAULT_REPORT.exists():
        return []
    result = json.loads(DEFAULT_REPORT.read_text())
    folds = result["folds"]
    model = build("munet", 3, 23437, 23437.5)
    shipped = _shipped_munet()
    return [{
        "name": DEFAULT_ROW, "task": "3class", "claim": "", "citation": REGISTRY["munet"].citation,
        **_result_columns(result),
        "parameters": count_parameters(model), "macs": count_macs(model, 23437),
        "record_ms": _record_ms(shipped, args) if shipped else None,
        "budget": f"full: {len(folds)} folds (LOSO), all records, {budget_text(result['config'])}",
        "reduced": False}]


def _shipped_munet() -> Path | None:
    """The shipped MUNet model (``munet.onnx``; ``default.onnx`` until 2.0.0), whose row this is."""
    return next((path for path in available_models() if path.stem == "munet"), None)


def _remeasured(row: dict[str, Any], args) -> dict[str, Any]:
    """``row`` with ms/record measured now, where its model is at hand: rows run alongside other
    training carry a time measured under load."""
    path = _shipped_munet() if row["name"] == DEFAULT_ROW else args.exports / f"{row['name']}_{row['task']}.onnx"
    return {**row, "record_ms": _record_ms(path, args)} if path is not None and path.exists() else row


def _record_ms(onnx_path: Path, args) -> float:
    """Median milliseconds to classify one N2001 record (N2001A01BB02, 11.2 s, when the folder
    has it; else its first) with onnxruntime on 2 CPU threads."""
    folder = Path(args.data)
    usual = folder / "N2001A01BB02.hea"
    record = read_record(usual if usual.exists() else sorted(folder.glob("*.hea"))[0])
    loaded = load_model(onnx_path, force_cpu=True, threads=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classify(record, loaded)
        times = []
        for _ in range(11):  # the median of 11: three runs let one busy moment through (33 vs 47 ms, one graph)
            start = time.perf_counter()
            classify(record, loaded)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)
