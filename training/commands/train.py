"""``python -m training train``: one model, its validation subjects held out, saved as a checkpoint."""

from __future__ import annotations

import argparse
from pathlib import Path

from training import distributed
from training.commands.options import add_training_options, save_checkpoint
from training.pipeline import load_data, model_meta, recipe_config
from training.splits import loso_splits
from training.train import train_model


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``train`` command and its options, added to ``commands``."""
    train = commands.add_parser("train", help="train one model, validation subjects held out")
    add_training_options(train)
    train.add_argument("--out", type=Path, required=True, help="folder for MODEL.pt and MODEL.json")
    train.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train one model with its validation subjects held out and save the checkpoint; 0."""
    data = load_data(args)
    split = loso_splits(data.subject_classes(), args.seed)[0]
    validation = list(split.validation)
    train_idx = data.select_subjects([s for s in data.subject_classes() if s not in validation])
    val_idx = data.select_subjects(validation)
    config = recipe_config(args)
    result = train_model(data, train_idx, val_idx, config)
    agree = distributed.weights_agree(result.model)  # every rank takes part in the check
    if not distributed.is_main():
        return 0
    save_checkpoint(args.out / f"{args.model}.pt", result.model, {
        **model_meta(args, data, config), "validation_subjects": validation,
        "training_subjects": sorted(set(data.record_subjects) - set(validation)),
        "training_records": [n for n, s in zip(data.record_names, data.record_subjects) if s not in validation],
        "best_epoch": result.best_epoch, "history": result.history,
        "ranks": distributed.rank_and_size()[1], "weights_identical_across_ranks": agree})
    return 0
