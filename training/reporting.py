"""Evaluation reports: JSON (everything), a Markdown table (for people), a confusion-matrix PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emgviewer.atomic import atomic_write_text
from training.splits import RANDOM_WINDOW_SPLIT


def write_reports(result: dict[str, Any], folder: Path, stem: str) -> list[Path]:
    """Write an evaluation's JSON, Markdown and confusion-matrix PNG; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.json", folder / f"{stem}.md", folder / f"{stem}_confusion.png"]
    atomic_write_text(paths[0], json.dumps(result, indent=2))
    atomic_write_text(paths[1], markdown(result))
    confusion_png(result, paths[2])
    return paths


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """The numbers that go into the model card and the closing table."""
    windows, records = result["windows"], result["records"]
    return {
        "protocol": result["protocol"],
        "window_accuracy": round(windows["accuracy"], 4),
        "window_balanced_accuracy": round(windows["balanced_accuracy"], 4),
        "window_recall": {k: (None if v is None else round(v, 4)) for k, v in windows["recall"].items()},
        "record_accuracy": None if records["record_accuracy"] is None else round(records["record_accuracy"], 4),
        "records": f"{records['records_correct']}/{records['records_with_verdict']}",
        "subjects": f"{records['subjects_correct']}/{records['n_subjects']}",
        "ece_before_calibration": round(result["calibration"]["ece_before"], 4),
        "ece_after_calibration": round(result["calibration"]["ece_after"], 4),
        "confusion": windows["confusion"],
        "classes": result["classes"],
    }


def markdown(result: dict[str, Any]) -> str:
    """An evaluation as Markdown: the headline, the confusion matrix and the per-subject table."""
    h = headline(result)
    classes = result["classes"]
    # Shown from the unrounded numbers: the headline's 4 digits rounded again would read 46.0 %
    # here where RESULTS.md, formatting the same run once, reads 45.9 %.
    windows = result["windows"]
    lines = [f"# Evaluation: {result['config']['model']}", "", f"Protocol: {h['protocol']}.", "",
             "| level | metric | value |", "|---|---|---|",
             f"| window | accuracy | {windows['accuracy']:.1%} |",
             f"| window | balanced accuracy | {windows['balanced_accuracy']:.1%} |"]
    lines += [f"| window | recall {c} | {'-' if r is None else f'{r:.1%}'} |" for c, r in windows["recall"].items()]
    record_accuracy, calibration = result["records"]["record_accuracy"], result["calibration"]
    lines += [f"| record | accuracy | {h['records']} = {record_accuracy:.1%} |" if record_accuracy is not None
              else "| record | accuracy | - |",
              f"| subject | correct | {h['subjects']} |",
              f"| calibration | ECE before / after | {calibration['ece_before']:.3f} / {calibration['ece_after']:.3f} |",
              "", "Confusion matrix (windows; rows: truth, columns: predicted):", "",
              "| truth \\ predicted | " + " | ".join(classes) + " |", "|---|" + "---|" * len(classes)]
    lines += [f"| {c} | " + " | ".join(str(v) for v in row) + " |" for c, row in zip(classes, h["confusion"])]
    lines += ["", "| subject | truth | verdict | confidence | records correct |", "|---|---|---|---|---|"]
    for row in result["subjects"]:
        confidence = "-" if row["confidence"] is None else f"{row['confidence']:.2f}"
        lines.append(f"| {row['subject']} | {row['truth']} | {row['verdict'] or '-'} | {confidence} | "
                     f"{row['records_correct']}/{row['records']} |")
    lines += ["", "| fold | windows | accuracy | balanced accuracy | best epoch | T |", "|---|---|---|---|---|---|"]
    for fold in result["folds"]:
        lines.append(f"| {fold['fold']} | {fold['n_windows']} | {fold['accuracy']:.1%} | "
                     f"{fold['balanced_accuracy']:.1%} | {fold['best_epoch']} | {fold['temperature']:.2f} |")
    return "\n".join(lines) + "\n"


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure, path: Path) -> None:
    """Write ``figure`` to ``path`` atomically (a reader never sees half a PNG) and close it."""
    staging = path.with_name(f".{path.name}.tmp.png")
    figure.savefig(staging)
    pyplot().close(figure)
    staging.replace(path)


def confusion_png(result: dict[str, Any], path: Path) -> None:
    """The confusion matrix as a PNG."""
    import numpy as np

    plt = pyplot()

    matrix = np.asarray(result["windows"]["confusion"], dtype=float)
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    classes = result["classes"]
    figure, axes = plt.subplots(figsize=(4.6, 4.0), dpi=150)
    axes.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(classes)):
        for j in range(len(classes)):
            axes.text(j, i, f"{int(matrix[i, j])}\n{share[i, j]:.0%}", ha="center", va="center",
                      color="white" if share[i, j] > 0.6 else "black", fontsize=9)
    axes.set_xticks(range(len(classes)), classes)
    axes.set_yticks(range(len(classes)), classes)
    axes.set_xlabel("predicted")
    axes.set_ylabel("truth")
    protocol = ("random window split\n(every subject on both sides)" if result["protocol"].startswith(RANDOM_WINDOW_SPLIT)
                else "subject-independent")
    axes.set_title(f"{result['config']['model']}: windows, {protocol}", fontsize=9)
    figure.tight_layout()
    save_figure(figure, path)
