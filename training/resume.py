"""Resume a cross-validation that stopped (``evaluate --save-logits --resume``).

A full-budget LOSO of a light seed model takes hours on 2 CPU cores, longer than one sitting.
``--save-logits`` already saves every fold as it finishes; this rebuilds those folds from the
file (the same temperature fit on the same validation logits, the same metrics) so that only
the missing folds are trained. Each fold seeds its own training, so the result is the run that
would have gone through uninterrupted. The file must come from the same recipe, windows and
splits: anything else is refused by name, never mixed in.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from training.data import WindowSet
from training.experiment import FoldResult, fold_result
from training.pipeline import same_recipe
from training.splits import Split, WindowSplit
from training.train import TrainConfig


class ResumeError(ValueError):
    """The saved folds cannot stand for folds of this run."""


def saved_folds(path: Path, data: WindowSet, splits: list[Split] | list[WindowSplit],
                config: TrainConfig) -> list[FoldResult]:
    """The folds of ``splits`` that ``path`` (written by ``evaluate --save-logits``) holds."""
    with np.load(path, allow_pickle=False) as z:
        saved = {key: z[key] for key in z.files}
    saved_config = json.loads(str(saved["config"]))
    if not same_recipe(saved_config, config.to_dict()):
        raise ResumeError(f"{path}: saved by another configuration ({saved_config}); this run's is {config.to_dict()}")
    if not np.array_equal(saved["labels"], data.labels) or tuple(saved["record_names"].tolist()) != tuple(data.record_names):
        raise ResumeError(f"{path}: saved on other windows or records than this folder's")
    by_name = {split.name: split for split in splits}
    folds = []
    for i, name in enumerate(saved["fold_names"].tolist()):
        split = by_name.get(name)
        if split is None:
            raise ResumeError(f"{path}: fold {name} is not one of this run's folds")
        if f"fold{i}_best_epoch" not in saved:
            raise ResumeError(f"{path}: saved before folds kept their best epoch, so it cannot be resumed; "
                              "run again without --resume")
        _, val_idx, test_idx = split.window_indices(data)
        same = (tuple(saved[f"fold{i}_test_subjects"].tolist()) == tuple(split.test)
                and tuple(saved[f"fold{i}_validation_subjects"].tolist()) == tuple(split.validation)
                and np.array_equal(saved[f"fold{i}_test_indices"], test_idx)
                and np.array_equal(saved[f"fold{i}_validation_indices"], val_idx))
        if not same:
            raise ResumeError(f"{path}: fold {name} was split otherwise (another --split-seed?)")
        variants = [(saved[f"fold{i}_test_logits_{v}"], saved[f"fold{i}_validation_logits_{v}"])
                    if f"fold{i}_test_logits_{v}" in saved else None for v in ("flipped", "trained")]
        folds.append(fold_result(data, split, int(saved[f"fold{i}_best_epoch"]), float(saved[f"fold{i}_seconds"]),
                                 test_idx, saved[f"fold{i}_test_logits"], val_idx, saved[f"fold{i}_validation_logits"],
                                 str(saved[f"fold{i}_code_revision"]), *variants))
    return folds
