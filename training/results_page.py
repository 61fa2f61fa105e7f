"""training/RESULTS.md from the rows ``python -m training reproduce --all`` measured: the table,
what each reduced row saw, the random-split comparison and the citations (never typed by hand).
The runner (``training/zoo.py``) measures; this module only writes."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

import torch

from emgviewer.inference.caveats import CHANCE_MARGIN, MISSED_RECALL  # the viewer's rules (see _reduced_notes)
from training.data import TASKS
from training.models import REGISTRY, build
from training.splits import RANDOM_WINDOW_SPLIT

DEFAULT_ROW = "munet (default model)"  # a key in rows.json; shown as DEFAULT_ROW_SHOWN
DEFAULT_ROW_SHOWN = "munet (the recipe of default.onnx, the default model again since 0.3.0)"
#: MUNet's shipped model's LOSO evaluation.
DEFAULT_REPORT = Path(__file__).parent / "reports" / "munet_3class_loso.json"


def _side_report(reports: Path, row: dict[str, Any], suffix: str) -> dict[str, Any] | None:
    """The row's model's ``NAME_TASK_SUFFIX.json`` in ``reports`` (the default-model row is MUNet's),
    or ``None`` where it was not run."""
    name = "munet" if row["name"] == DEFAULT_ROW else row["name"]
    path = Path(reports) / f"{name}_{row['task']}_{suffix}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _random_split_cell(reports: Path, row: dict[str, Any]) -> str:
    """The same model under the papers' random window split, from ``NAME_TASK_random.json`` in
    ``reports`` (written by ``evaluate --folds random``), with its budget; '-' where not run."""
    result = _side_report(reports, row, "random")
    if result is None:
        return "-"
    windows = result["windows"]
    return f"{windows['accuracy']:.1%} (bal. {windows['balanced_accuracy']:.1%}); {recipe_text(result['config'])}"


def budget_text(config: dict[str, Any]) -> str:
    """A run's training budget as every table says it: "8 epochs x 60 steps of 64" ("all" steps:
    one pass over the training windows an epoch)."""
    return f"{config['epochs']} epochs x {config['steps_per_epoch'] or 'all'} steps of {config['batch_size']}"


def recipe_text(config: dict[str, Any]) -> str:
    """The budget and the levers that change the model a table's numbers come from, so that two runs
    of one budget (a row and its rerun with measured statistics) read apart."""
    return (budget_text(config) + (", bf16 training" if config.get("bf16") else "")
            + (", BatchNorm statistics measured" if config.get("precise_bn") else ""))


#: Training windows per fold of the default model's recipe (8 epochs x 60 steps of 64).
DEFAULT_WINDOWS_SEEN = 8 * 60 * 64


def _reduced_notes(rows: list[dict[str, Any]], reports: Path) -> list[str]:
    """What each *reduced* row saw per fold, against the default model's budget. A row is flagged
    by the viewer's own rules, so RESULTS flags a row where the app warns about its export:
    balanced accuracy under CHANCE_MARGIN x chance (a model that learned beats it by more: MUNet
    2.4x), a class recalled under MISSED_RECALL."""
    notes = []
    for row in rows:
        budget = re.search(r"(\d+) epochs x (\d+|all) steps of (\d+)", row["budget"])
        if not row["reduced"] or budget is None:
            continue
        if budget[2] == "all":  # one pass (or more) over each fold's training windows, as many as there are
            passes = "one pass" if budget[1] == "1" else f"{budget[1]} passes"
            balanced = row["window_pooled"][1]
            outcome = ""
            stale = _stale_statistics(reports, row, int(budget[3])) if budget[1] == "1" else ""
            if balanced < CHANCE_MARGIN / len(TASKS[row["task"]]):
                cause = " as evaluated" if stale else ": this budget is too small for it"
                outcome = f" At {balanced:.1%} window balanced accuracy it is at chance{cause}."
                if _divote_report(reports, row) is not None:  # a regression on flat probabilities
                    outcome += " Its DiVote cell is read off the same flat probabilities: no evidence either."
            outcome += _missed_classes(reports, row) + stale + _unpaired_random_split(reports, row)
            notes.append(f"- **{row['name']}** ({row['task']}): {passes} over each fold's training windows in "
                         f"batches of {budget[3]}, no more: the floor issue 15 sets without a GPU, not convergence."
                         + outcome)
            continue
        seen = int(budget[1]) * int(budget[2]) * int(budget[3])
        notes.append(f"- **{row['name']}** ({row['task']}): {seen:,} training windows per fold, "
                     f"{seen / DEFAULT_WINDOWS_SEEN:.1%} of the default model's {DEFAULT_WINDOWS_SEEN:,}: this tests "
                     f"the pipeline end to end, not the architecture, and sits near chance."
                     + _unpaired_random_split(reports, row))
    if not notes:
        return []
    return ["", "What the *reduced* rows saw. The full runs need the GPU (training/REPRODUCING.md says which "
            "command and how long) or, for the light models, 2 CPU cores: ResEMGNet's LOSO took 42 min there, "
            "SpectroEMG-Net's about 2 h.", "", *notes]


#: The suffix of a row's report run with its running BatchNorm statistics, beside its own run
#: with them measured (``--precise-bn``): ``NAME_TASK_FOLDS_running-bn.json``.
RUNNING_BN = "running-bn"


def _statistics_notes(rows: list[dict[str, Any]], reports: Path) -> list[str]:
    """Where a row measured its BatchNorm statistics (``--precise-bn``) and its run with the running
    statistics is kept beside it, the two side by side: the same recipe, seed and folds, trained
    step for step the same, so the difference is what the stored statistics alone did."""
    notes = []
    for row in rows:
        measured = _side_report(reports, row, _fold_tag(row))
        running = _side_report(reports, row, f"{_fold_tag(row)}_{RUNNING_BN}")
        if measured is None or running is None or not measured["config"].get("precise_bn"):
            continue
        notes.append(f"- **{row['name']}** ({row['task']}), statistics measured against running: "
                     f"{_run_summary(measured)} against {_run_summary(running)}.")
    if not notes:
        return []
    return ["", "What measuring the BatchNorm statistics changes (`--precise-bn`: the same recipe, seed and "
            "folds, the training step for step the same; only the statistics the model is evaluated with "
            "differ; training/REPRODUCING.md):", "", *notes]


def _run_summary(result: dict[str, Any]) -> str:
    windows, records = result["windows"], result["records"]
    recall = ", ".join(f"{name} {value:.1%}" for name, value in windows["recall"].items() if value is not None)
    return (f"windows {windows['accuracy']:.1%} (bal. {windows['balanced_accuracy']:.1%}; {recall}), records "
            f"{records['records_correct']}/{records['records_with_verdict']}, subjects "
            f"{records['subjects_correct']}/{records['n_subjects']}")


#: The share of a running statistic's start value still in it, above which a row says its
#: evaluation may reflect the start values more than the weights (0.99 ** 300 = 5 %).
STALE_SHARE = 0.05


def _stale_statistics(reports: Path, row: dict[str, Any], batch_size: int) -> str:
    """A sentence for a one-pass row evaluated with running BatchNorm statistics that still hold more
    than STALE_SHARE of their start values: Keras's momentum (ALSNet, the thesis CNN) after the steps
    of its pass, estimated from its own run (training windows about 4/5 of the windows outside the
    test fold, the rest validation); '' otherwise, or without the run's report."""
    result = _side_report(reports, row, _fold_tag(row))
    if result is None or result.get("config", {}).get("precise_bn") or row["name"] not in REGISTRY or not result.get("folds"):
        return ""
    spec = REGISTRY[row["name"]]
    net = build(row["name"], n_outputs=len(TASKS[row["task"]]), n_times=round(spec.fs_hz * spec.window_s),
                fs_hz=spec.fs_hz)
    momenta = [m.momentum for m in net.modules()  # None: a plain average, never stale
               if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.momentum is not None]
    if not momenta:
        return ""
    total = result["windows"]["n_windows"]
    steps = statistics.mean(0.8 * (total - fold["n_windows"]) / batch_size for fold in result["folds"])
    left = (1 - min(momenta)) ** steps
    if left <= STALE_SHARE:
        return ""
    return (f" It was evaluated with running BatchNorm statistics that, at momentum {min(momenta):g} a step, still "
            f"held about {left:.0%} of their start values after its one pass (about {steps:.0f} steps a fold): "
            "they can hide what the weights learned, as they did for ALSNet's 3-class row; `--precise-bn` measures "
            "them (training/REPRODUCING.md).")


def _rerun_notes(rows: list[dict[str, Any]]) -> list[str]:
    """Where the default model's recipe was trained and evaluated a second time (the ``munet`` row),
    the two runs side by side: their difference is the noise floor of every comparison here."""
    default = next((row for row in rows if row["name"] == DEFAULT_ROW), None)
    budget = re.search(r"\d+ epochs x \d+ steps of \d+", default["budget"]) if default else None
    again = [row for row in rows if budget and row["name"] == "munet" and row["task"] == default["task"]
             and not row["reduced"] and row["budget"].endswith(budget[0])]
    notes = []
    for row in again:
        (acc, bal), (acc0, bal0) = row["window_pooled"], default["window_pooled"]
        notes.append(f"- **munet** is the recipe of MUNet as shipped ({budget[0]}, LOSO) trained and evaluated again: "
                     f"window accuracy {acc:.1%} against {acc0:.1%}, balanced {bal:.1%} against {bal0:.1%}, "
                     f"records {row['records']} against {default['records']}, subjects {row['subjects']} "
                     f"against {default['subjects']}. Two runs of one recipe differ this much, so a smaller "
                     f"difference between two rows is no evidence that one model is better.")
    return ["", "One recipe, two runs:", "", *notes] if notes else []


def _divote_report(reports: Path, row: dict[str, Any]) -> dict[str, Any] | None:
    """DiVote's report on the row's own run, ``NAME_TASK_FOLDS_divote.json`` (``python -m training
    divote``; FOLDS ``loso``, or ``5`` for 5 folds); ``None`` where not run."""
    if row["name"] == DEFAULT_ROW:
        return None  # its LOSO run kept no logits; a munet_..._divote.json is the munet row's own run
    return _side_report(reports, row, f"{_fold_tag(row)}_divote")


def _unpaired_random_split(reports: Path, row: dict[str, Any]) -> str:
    """' Its random-split cell ran at B: not this row's pair.' where the row's random window split
    trained on another budget or recipe than the row (a placeholder row beside a real random-split
    run; a row rerun with measured statistics beside the random split of its first run)."""
    result = _side_report(reports, row, "random")
    if result is None:
        return ""
    recipe = recipe_text(result["config"])
    if row["budget"] == recipe or row["budget"].endswith(", " + recipe):  # not "11 epochs" for "1"
        return ""
    return f" Its random-split cell ran at {recipe}: not this row's pair."


def _fold_tag(row: dict[str, Any]) -> str:
    """The fold part of the row's report names: ``loso``, or ``5`` for 5 folds."""
    folds = re.search(r"folds \((\w+)\)", row["budget"])
    return folds[1].lower() if folds else "loso"


def _missed_classes(reports: Path, row: dict[str, Any]) -> str:
    """' Of the X windows it calls r X: almost none.' for each class the row's own evaluation
    (``NAME_TASK_FOLDS.json``) recalls under :data:`MISSED_RECALL`; '' when none, or not here."""
    result = _side_report(reports, row, _fold_tag(row))
    if result is None:
        return ""
    missed = [(name, recall) for name, recall in result["windows"]["recall"].items()
              if recall is not None and recall < MISSED_RECALL]  # None: no window of that class tested
    return "".join(f" Of the {name} windows it calls {recall:.1%} {name}: almost none." for name, recall in missed)


def _divote_cell(reports: Path, row: dict[str, Any]) -> str:
    """Patients right by DiVote's regression on the row's out-of-fold predictions, beside the
    plain vote; '-' where not run."""
    result = _divote_report(reports, row)
    if result is None:
        return "-"
    return f"{result['divote_correct']}/{result['n_patients']} (vote {result['vote_correct']}/{result['n_patients']})"


def leakage_section(reports: Path) -> list[str]:
    """Each random-window-split report in ``reports`` beside every subject-disjoint report there of
    the same model, task and recipe: the same training, two ways of splitting."""
    from training.pipeline import same_recipe
    from training.provenance import protocol_kind

    paths = [path for path in sorted(reports.glob("*.json")) if path.name != "rows.json"]
    if DEFAULT_REPORT.exists() and DEFAULT_REPORT.parent.resolve() != reports.resolve():
        paths.append(DEFAULT_REPORT)  # the shipped model's own LOSO run
    reports_here = [json.loads(path.read_text()) for path in paths]
    evaluations = [r for r in reports_here if "protocol" in r and "folds" in r]
    lines = []
    for leaky in (r for r in evaluations if protocol_kind(r) == RANDOM_WINDOW_SPLIT):
        for honest in evaluations:
            if (protocol_kind(honest) == RANDOM_WINDOW_SPLIT or honest["classes"] != leaky["classes"]
                    or not same_recipe(honest["config"], leaky["config"])):
                continue
            config = honest["config"]
            tested = sorted({s for fold in honest["folds"] for s in fold["test"]})
            lines.append(f"| {config['model']} | {' vs '.join(honest['classes'])} | {recipe_text(config)} | "
                         f"{leaky['windows']['accuracy']:.1%} / {leaky['windows']['balanced_accuracy']:.1%} | "
                         f"{honest['windows']['accuracy']:.1%} / {honest['windows']['balanced_accuracy']:.1%} | "
                         f"{len(honest['folds'])} fold(s) ({protocol_kind(honest)}), {len(tested)} test subjects, "
                         f"{honest['windows']['n_windows']:,} test windows |")
    if not lines:
        return []
    return ["", "## What a random split adds: the same model and recipe, split two ways", "",
            "Window accuracy / balanced accuracy. Left: the papers' random window split (one split, 20 % of "
            "the windows tested). Right: subjects kept apart (every window of the test subjects tested). The "
            "training recipe and budget are the same on both sides; only the split differs.", "",
            "| model | classes | budget | random window split | subject-disjoint | subject-disjoint run |",
            "|---|---|---|---|---|---|", *lines]


def _budget_cell(row: dict[str, Any], args) -> str:
    return ("*reduced*: " if row["reduced"] else "") + row["budget"]


def _ms_cell(row: dict[str, Any], args) -> str:
    return "-" if row["record_ms"] is None else format(row["record_ms"], ".0f")


#: RESULTS.md's columns: header, and the cell of a row (``args.reports`` holds the side reports).
COLUMNS: list[tuple[str, Any]] = [
    ("model", lambda row, args: DEFAULT_ROW_SHOWN if row["name"] == DEFAULT_ROW else row["name"]),
    ("task", lambda row, args: row["task"]),
    ("paper's claim (its protocol)", lambda row, args: row["claim"] or "ours"),
    ("window acc.", lambda row, args: f"{row['window_pooled'][0]:.1%}"),
    ("window bal. acc.", lambda row, args: f"{row['window_pooled'][1]:.1%}"),
    ("per-fold acc.", lambda row, args: f"{row['window_accuracy'][0]:.1%} +- {row['window_accuracy'][1]:.1%}"),
    ("records", lambda row, args: row["records"]),
    ("subjects", lambda row, args: row["subjects"]),
    ("patients, DiVote regression", lambda row, args: _divote_cell(args.reports, row)),
    ("random window split (same model)", lambda row, args: _random_split_cell(args.reports, row)),
    ("params", lambda row, args: f"{row['parameters']:,}"),
    ("MACs/window", lambda row, args: f"{row['macs'] / 1e6:,.1f} M"),
    ("ms/record", _ms_cell),
    ("ONNX parity", lambda row, args: "-" if row.get("parity") is None else f"{row['parity']:.0e}"),
    ("budget", _budget_cell),
    ("trained on", lambda row, args: row.get("device", "CPU")),
]


def results_markdown(rows: list[dict[str, Any]], args) -> str:
    """training/RESULTS.md from the rows of ``reproduce --all``."""
    lines = ["# Results: every model under one subject-independent protocol", "",
             "Generated by `python -m training reproduce --all` (do not edit by hand). Data: the 423 N2001 "
             "biceps records of 19 subjects; windows, validity rules "
             "and metrics as for the default model; no subject on two sides of any split. "
             "Window accuracy and balanced accuracy are pooled over every fold's test windows (a LOSO fold "
             "tests one subject, so one class: its own balanced accuracy is just its accuracy); the spread "
             "over folds is the per-fold accuracy's mean +- std. Record and subject numbers are pooled "
             "(record verdict = mean window probability, as in the app). `ms/record`: onnxruntime on "
             "the CPU (2 threads), one 11.2-s record. `ONNX parity`: the exported model's largest |onnxruntime - "
             "torch| difference in the model's outputs (logits) on 32 windows, float32, checked <= 1e-4 before writing "
             "('-': exported before it was recorded). Rows marked *reduced* ran on a smaller budget "
             "than the published training (2 CPU cores, no GPU in this session).", "",
             "The first row is MUNet's recipe under the full budget (see training/reports/munet_3class_loso.md). "
             "The shipped default model (`default.onnx`, card 1.1.0) is a later run of that recipe and seed that "
             "kept its fold models: windows 72.7 % balanced, records 303/422, subjects 17/19 "
             "(training/reports/folds/munet_3class_loso_folds_seed0.md); over four runs the recipe gives "
             "74.3 +- 3.9 % (docs/models.md, *Recipes over seeds*). From app 0.2.0 to 0.3.0 the default was the "
             "resemgnet row's recipe (seed 0, the best of three) with its record verdict learned from the windows "
             "and the MUAP measures (`resemgnet-learned.onnx`: records 342/422, subjects 19/19; "
             "training/reports/levers/resemgnet-muap/levers.md). What each of issue 10's levers does to MUNet's recipe "
             "(seed ensembles, window and record calibration fitted on validation subjects, stacked record "
             "verdicts with and without MUAP measures, selective accuracy), under the same protocol: "
             "training/reports/levers/levers.md (`python -m training levers`); the training levers (mixup, gain "
             "jitter, a longer budget, test-time augmentation) in training/reports/levers/training/levers.md, the "
             "moving average of the weights in training/reports/levers/ema/levers.md and MUNet on log-compressed "
             "amplitude over three seeds in training/reports/levers/munet-log/levers.md, three architectures "
             "averaged (MUNet, munet-log, ResEMGNet) in training/reports/levers/resemgnet/levers.md and ResEMGNet "
             "over two seeds in training/reports/levers/resemgnet-seeds/levers.md; the "
             "records outside N2001, reported and never tuned on, in training/reports/external/external.md "
             "(`python -m training external`).", "",
             "The column *random window split* is the papers' kind of protocol, run here on the same model "
             "(`python -m training evaluate --folds random`): one split of the windows at random, 70/10/20 % "
             "for training, validation and test, stratified by class, so every subject's windows, and "
             "overlapping windows of the same second of signal, sit on both sides. It measures how well a model "
             "remembers people; the gap to the subject-independent columns is what such a split adds. "
             "No model's card carries it.", "",
             "*Patients, DiVote regression*: nEMGNet's last step (`python -m training divote`), a logistic "
             "regression on patient-level features of the row's out-of-fold predictions (its own folds, LOSO or "
             "k-fold: each subject tested once, by a model that never saw it), each patient scored by a "
             "regression fitted on the others; beside it, the plain vote (mean window probability, "
             "the app's subject verdict). Run where the evaluation saved its logits.", "",
             "| " + " | ".join(header for header, _ in COLUMNS) + " |", "|---" * len(COLUMNS) + "|"]
    lines += ["| " + " | ".join(cell(row, args) for _, cell in COLUMNS) + " |" for row in rows]
    lines += _rerun_notes(rows)
    lines += _reduced_notes(rows, args.reports)
    lines += _statistics_notes(rows, args.reports)
    lines += leakage_section(Path(args.reports))
    cited = dict((r["name"], r["citation"]) for r in rows)
    lines += ["", "## Citations", ""] + [f"- **{name}**: {citation}" for name, citation in cited.items()]
    return "\n".join(lines) + "\n"
