"""``python -m training levers``: post-hoc levers (ensembles, calibration, stacked record
verdicts) scored under one protocol, in one table.

Input: the fold logits that ``evaluate --save-logits`` wrote, one file per training run (all
with the same ``--split-seed``, so that their folds and validation subjects are the same).
Rows: the first run with no calibration at all (temperatures 1: the baseline calibration is
measured against); each run alone; the runs named in ``--ensemble`` averaged; then, on the
ensemble (or the first run), calibration fitted on every fold's validation subjects but the test
subject (instead of one fold's three), and record verdicts learned by stacking on out-of-fold
records, with and without the MUAP measures. Every row's calibration (but the first's) and "uncertain" threshold come from
validation subjects.
Output: ``levers.md`` (the table, the coverage curve and a per-subject table), ``levers.json.gz``
(everything) and ``levers_reliability.png``.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from emgviewer.atomic import atomic_write_text
from training import arguments
from training.posthoc import Run, ensemble, evaluate_run, load_run, merge_runs, pool, score_fold
from training.reporting import pyplot, save_figure
from training.stacking import deployed_stacker, muap_features, record_profiles, stacked_scores


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``levers`` command and its options, added to ``commands``."""
    levers = commands.add_parser(
        "levers", help="score post-hoc levers (ensembles, calibration, stacking, MUAP fusion) on saved fold logits",
        description=__doc__.split("\n\n")[1], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    levers.add_argument("logits", nargs="+",
                        help="*_logits.npz files from 'evaluate --save-logits'; A+B: one run from two files of "
                             "the same recipe holding different folds; A@flip: run A with test-time augmentation "
                             "(each window's logits averaged with the inverted window's); A@trained: an --ema "
                             "run's trained weights instead of their moving average")
    levers.add_argument("--ensemble", default=None,
                        help="comma-separated run names (file stems without _logits) to average; default: none")
    levers.add_argument("--muap", type=Path, default=Path(__file__).parent / "reports" / "muap_groups.json",
                        help="per-record MUAP measures (python -m training.muap_features)")
    levers.add_argument("--out", type=Path, default=Path(__file__).parent / "reports" / "levers",
                        help="folder for levers.md, levers.json.gz and levers_reliability.png")
    levers.set_defaults(run=cmd_levers)


def run_name(path: Path) -> str:
    """A run's name from its logits file."""
    return path.name.removesuffix("_logits.npz")


#: After a file: score the run with test-time augmentation (each window averaged with itself
#: inverted), or an ``--ema`` run's trained weights instead of their average.
FLIP_SUFFIX, TRAINED_SUFFIX = "@flip", "@trained"


def load_argument(argument: str) -> Run:
    """A run from ``A.npz`` or, merged, from ``A.npz+B.npz`` (named after A); ``A.npz@flip``:
    the same run with test-time augmentation, named ``A_flip``; ``A.npz@trained``: an ``--ema``
    run without its average, named ``A_trained``."""
    flip, trained = argument.endswith(FLIP_SUFFIX), argument.endswith(TRAINED_SUFFIX)
    paths = [Path(part) for part in argument.removesuffix(FLIP_SUFFIX).removesuffix(TRAINED_SUFFIX).split("+")]
    try:
        runs = [load_run(path, run_name(path), flip_averaged=flip, trained=trained) for path in paths]
    except ValueError as err:
        raise SystemExit(f"python -m training levers: {err}") from None
    name = run_name(paths[0]) + ("_flip" if flip else "_trained" if trained else "")
    return replace(runs[0], name=name) if len(runs) == 1 else merge_runs(runs, name)


def common_folds(runs: list[Run]) -> list[Run]:
    """The runs restricted to the folds (test subjects) every one of them has: a run still
    training saves its logits after each fold, and ``evaluate --test-subjects`` runs a subset,
    so rows compare the same test subjects."""
    names = [f.name for f in runs[0].folds]
    shared = [n for n in names if all(n in {f.name for f in run.folds} for run in runs)]
    if not shared:
        raise SystemExit("the runs share no fold")
    out = []
    for run in runs:
        by_name = {f.name: f for f in run.folds}
        folds = tuple(by_name[n] for n in shared)
        out.append(run if folds == run.folds else replace(run, folds=folds))
    return out


def score_levers(runs: list[Run], ensemble_names: list[str], muap_path: Path | None) -> list[dict[str, Any]]:
    """Every row of the table: each run, the ensemble, calibration and stacked verdicts, scored on the same folds."""
    runs = common_folds(runs)
    base = runs[0]
    if ensemble_names:
        chosen = [r for r in runs if r.name in ensemble_names]
        missing = sorted(set(ensemble_names) - {r.name for r in chosen})
        if missing:
            raise SystemExit(f"--ensemble names runs that were not given: {', '.join(missing)}")
        base = ensemble(chosen, f"ensemble of {len(chosen)} ({', '.join(r.name for r in chosen)})")
    # Each run's folds are scored once; the stacked rows reuse the base's scores.
    scores = {run.name: [score_fold(run, fold) for fold in run.folds] for run in (*runs, base)}
    rows = [evaluate_run(runs[0], calibrate=False)] + [pool(run, scores[run.name]) for run in runs]
    if base is not runs[0]:
        rows.append(pool(base, scores[base.name]))
    rows.append(evaluate_run(base, pooled=True))
    scored = {int(base.record_labels[base.record_index[i]]) for f in base.folds for i in f.test_indices[:1]}
    if len(scored) < len(base.class_names):
        return rows  # a stacker fitted on fewer classes than the test folds hold says nothing
    # Stackers weigh each class the same; the unweighted one (records weigh the same) is shown
    # once, beside its balanced twin, for what learning the class mix does.
    extras = [(None, True, f"{base.name} + stacked record verdicts")]
    profiles = None
    if muap_path is not None and muap_path.exists():
        muap = muap_features(muap_path, base.record_names)
        profiles = record_profiles(muap_path, base.record_names)
        if profiles is None:
            print(f"python -m training levers: {muap_path} holds no signal profiles (written before they were "
                  "added; run python -m training.muap_features again): every stacked row scores a learned verdict "
                  "for every record, where the app gives records unlike its training records their windows' mean",
                  file=sys.stderr)
        extras += [(muap, False, f"{base.name} + stacked with MUAP measures, unweighted (learns the class mix)"),
                   (muap, True, f"{base.name} + stacked with MUAP measures")]
    for extra, balanced, name in extras:
        row = pool(base, stacked_scores(base, scores[base.name], extra, balanced, profiles), name)
        # What `final` ships for this row: the same regression fitted on every subject.
        row["stacker"] = deployed_stacker(base, scores[base.name], extra, balanced).to_dict()
        rows.append(row)
    return rows


def cmd_levers(args: argparse.Namespace) -> int:
    """Score the runs and write levers.md, levers.json.gz and the reliability figure; 0, or 1 when refused."""
    import torch

    torch.set_num_threads(1)  # tiny fits: more threads only spin, and starve a training run beside it
    runs = [load_argument(argument) for argument in args.logits]
    names = [n.strip() for n in args.ensemble.split(",")] if args.ensemble else []
    if args.muap is not None and not args.muap.exists():
        print(f"python -m training levers: no MUAP measures at {args.muap} (python -m training.muap_features "
              "writes them): the rows stacked with them are left out", file=sys.stderr)
    rows = score_levers(runs, names, args.muap)
    args.out.mkdir(parents=True, exist_ok=True)
    arguments.write_json_gz(args.out / "levers.json.gz", rows)  # 10x smaller; final --levers reads it
    atomic_write_text(args.out / "levers.md", markdown(rows))
    reliability_png(rows[-1 if len(rows) < 3 else _best(rows)], args.out / "levers_reliability.png")
    print(markdown(rows))
    return 0


def _best(rows: list[dict[str, Any]]) -> int:
    return int(np.argmax([r["windows"]["balanced_accuracy"] + r["record_balanced_accuracy"] for r in rows]))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def markdown(rows: list[dict[str, Any]]) -> str:
    """The table as Markdown."""
    lines = [
        "# Issue 10 levers, one protocol",
        "",
        "Leave-one-subject-out over the 19 N2001 subjects, pooled over folds: every window and record is scored "
        "once, by the fold that held its subject out. In each fold, the window temperature, the record "
        "temperature and the record \"uncertain\" threshold are fitted on that fold's validation subjects "
        "(one per class, never the test subject, never trained on); the first row keeps both temperatures at 1. "
        "The row *calibrated on every fold's validation subjects but the test subject* fits them instead on the "
        "validation windows of every fold whose validation subjects exclude the test subject, each scored by its "
        "own fold's model: about 16 validation subjects instead of 3, never the test subject, but not strictly "
        "nested (those folds' models trained on the test subject). "
        "Stacked rows: a logistic regression on "
        "record-level features of out-of-fold predictions, fitted without the test subject (and, for its "
        "threshold, without the validation subject it is scored on), each class weighing the same in its loss; "
        "the *unweighted* row weighs each record the same and so also learns the class mix (57 % of N2001 "
        "records are controls): compare its record accuracy with its record balanced accuracy (the mean of "
        "the classes' record recalls). Generated by `python -m training levers`.",
        "",
        "| lever | window acc. | window bal. acc. | records | record bal. acc. | subjects | worst subject (windows) "
        "| window ECE | record ECE | selective: accuracy at coverage |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    first = rows[0] if rows else None
    if first is not None and first["n_subjects"] < first["n_subjects_in_data"]:
        tested = ", ".join(f["test"][0] for f in first["folds"])
        lines[-3:-3] = ["", f"**Partial:** every row is scored on the {first['n_subjects']} of "
                        f"{first['n_subjects_in_data']} test subjects whose folds every run holds "
                        f"({tested})."]
    for r in rows:
        worst = min(r["subject_window_accuracy"], key=r["subject_window_accuracy"].get)
        sel = r["selective"]
        lines.append(
            f"| {r['run']} | {_pct(r['windows']['accuracy'])} | {_pct(r['windows']['balanced_accuracy'])} | "
            f"{r['records_correct']}/{r['n_records']} ({_pct(r['record_accuracy'])}) | "
            f"{_pct(r['record_balanced_accuracy'])} | {r['subjects_correct']}/{r['n_subjects']} | "
            f"{worst} {_pct(r['min_subject_window_accuracy'])} | "
            f"{r['window_ece']:.3f} | {r['record_ece']:.3f} | {_pct(sel['accuracy'])} at {_pct(sel['coverage'])} |")
    fell_back = [r for r in rows if r.get("fallback_records")]
    if fell_back:
        lines += ["", "Records unlike their fold model's training records (a signal-profile measure outside the "
                  "training records' range: the app's caveat) keep their windows' mean in the stacked rows, as the "
                  "app gives them:", ""]
        lines += [f"- {r['run']}: {len(r['fallback_records'])} of {r['n_records']} "
                  f"({', '.join(sorted(r['fallback_records']))})" for r in fell_back]
    best = rows[_best(rows)]
    lines += ["", f"## Coverage and accuracy of record verdicts: {best['run']}", "",
              "Pooled over folds, records kept when their verdict's confidence reaches the threshold "
              "(descriptive: the operating point in the table is the validation-chosen one).", "",
              "| threshold | coverage | accuracy |", "|---|---|---|"]
    lines += [f"| {c['threshold']:.2f} | {_pct(c['coverage'])} | {_pct(c['accuracy'])} |" for c in best["coverage_curve"]]
    lines += ["", f"## Per subject: {best['run']}", "", "| subject | truth | window accuracy | records right | verdict |",
              "|---|---|---|---|---|"]
    for s in best["subjects"]:
        lines.append(f"| {s['subject']} | {s['truth']} | {_pct(best['subject_window_accuracy'][s['subject']])} | "
                     f"{s['records_correct']}/{s['records']} | {s['verdict']} |")
    return "\n".join(lines + subjects_by_row(rows)) + "\n"


def subjects_by_row(rows: list[dict[str, Any]]) -> list[str]:
    """Each subject's window accuracy under every row that classifies windows differently,
    numbered as in the first table, with the lowest and highest: a subject low in every row is
    a limit of the data or the task, one that swings between rows is the variance that seeds
    and ensembles are for. Calibration and stacking leave each window's winning class alone, so
    a row that only adds them repeats an earlier column and is left out."""
    subjects = list(rows[0]["subject_window_accuracy"])
    columns: dict[int, list[float]] = {}
    for k, row in enumerate(rows):
        values = [row["subject_window_accuracy"][subject] for subject in subjects]
        if values not in columns.values():
            columns[k + 1] = values
    lines = ["", "## Per subject: window accuracy under each distinct row", "",
             "Columns are rows of the first table, by number (1: " + rows[0]["run"] + "); a row that only "
             "calibrates or stacks an earlier one has that row's window accuracies and is left out.", "",
             "| subject | truth | " + " | ".join(map(str, columns)) + " | lowest | highest |",
             "|---|---|" + "---|" * (len(columns) + 2)]
    truth = {s["subject"]: s["truth"] for s in rows[0]["subjects"]}
    for i, subject in enumerate(subjects):
        values = [column[i] for column in columns.values()]
        lines.append(f"| {subject} | {truth.get(subject, '')} | " + " | ".join(f"{v:.0%}" for v in values)
                     + f" | {min(values):.0%} | {max(values):.0%} |")
    return lines


def reliability_png(row: dict[str, Any], path: Path) -> None:
    """The reliability diagram of one row, windows and records, as a PNG."""
    figure, panes = pyplot().subplots(1, 2, figsize=(8.0, 3.8), dpi=150)
    for pane, level in zip(panes, ("windows", "records")):
        bins = row["reliability"][level]
        pane.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1)
        pane.bar([b["confidence"] for b in bins], [b["accuracy"] for b in bins], width=0.06, color="#0072B2")
        for b in bins:
            pane.annotate(str(b["n"]), (b["confidence"], b["accuracy"]), ha="center", va="bottom", fontsize=6)
        ece = row["window_ece"] if level == "windows" else row["record_ece"]
        pane.set_title(f"{level}: ECE {ece:.3f}", fontsize=9)
        pane.set_xlabel("confidence (top probability)")
        pane.set_ylabel("accuracy")
        pane.set_xlim(0.3, 1.0)
        pane.set_ylim(0, 1.05)
    title = f"{row['run']}: LOSO, calibration fitted on validation subjects"
    figure.suptitle("\n".join(textwrap.wrap(title, 100)), fontsize=8)
    figure.tight_layout()
    save_figure(figure, path)
