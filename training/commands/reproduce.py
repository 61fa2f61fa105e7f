"""``python -m training reproduce``: the LOSO evaluation, then the final model on every subject,
exported with its card (``--all``: every registered model and training/RESULTS.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from training import arguments
from training.commands.options import add_training_options, folds_type, save_checkpoint
from training.pipeline import evaluate_train_export, foreign_evaluation, load_data, recipe_config, refuse_output
from training.reporting import markdown


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``reproduce`` command and its options, added to ``commands``."""
    reproduce = commands.add_parser("reproduce", help="LOSO evaluation, then the final model on all "
                                                      "subjects, exported with its card")
    add_training_options(reproduce)
    reproduce.add_argument("--out", type=Path, default=None,
                           help="the .onnx file to write (default: MODEL_TASK.onnx in the current folder; "
                                "never the installed package's own model)")
    reproduce.add_argument("--force", action="store_true", help="replace --out if it exists")
    reproduce.add_argument("--reports", type=Path, default=Path("reports"), help="folder for the evaluation reports")
    reproduce.add_argument("--version", default=None, help="version written into the card (default: 0.devDATE+REVISION)")
    reproduce.add_argument("--evaluation", type=arguments.existing_file, default=None,
                           help="reuse this leave-one-subject-out report of the same model and task "
                                "(from 'evaluate') instead of running it again; only the final model is trained")
    reproduce.add_argument("--all", action="store_true",
                           help="every registered model: reports, exports in --exports, training/RESULTS.md")
    reproduce.add_argument("--folds", default="loso", type=folds_type(random=False),
                           help="with --all: 'loso' or k (a reduced budget)")
    reproduce.add_argument("--exports", type=Path, default=Path("training/exports"),
                           help="with --all: folder for every model's .onnx")
    reproduce.add_argument("--results", type=Path, default=Path("training/RESULTS.md"),
                           help="with --all: the results table to write (relative to the current folder)")
    reproduce.add_argument("--only", default=None,
                           help="with --all: comma-separated models (NAME, every task of it, or NAME:TASK) to "
                                "run again; the other rows stay as the last run (rows.json in --reports) left "
                                "them, each with its own budget")
    reproduce.add_argument("--evaluations", type=Path, default=None,
                           help="with --all: a folder of 'evaluate' reports (MODEL_TASK_FOLDS.json) to reuse "
                                "instead of running the evaluation again (refused if the recipe differs)")
    reproduce.add_argument("--render-only", action="store_true",
                           help="with --all: rewrite RESULTS.md from the rows of the last run")
    reproduce.add_argument("--remeasure-ms", action="store_true",
                           help="with --render-only: measure ms/record again for every row whose export is in "
                                "--exports (and the shipped default model), on a machine left quiet")
    reproduce.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate, train the final model and export it (or, with --all, every model); 0 or 1."""
    if args.all:
        from training.zoo import reproduce_all

        return reproduce_all(args)
    out = args.out or Path(f"{args.model}_{args.task}.onnx")
    if refuse_output(out, args.force):
        return 1
    data = load_data(args)
    result = None
    if args.evaluation is not None:
        result = arguments.read_json(args.evaluation)
        problem = foreign_evaluation(result, recipe_config(args), data)
        if problem:
            print(f"python -m training: error: {args.evaluation}: {problem}", file=sys.stderr)
            return 1
    made = evaluate_train_export(args, data, out, args.reports, f"{args.model}_{args.task}_loso", result=result)
    save_checkpoint(args.reports / f"{args.model}_final.pt", made.model, made.meta)
    print(markdown(made.result))
    print(f"wrote {out} (onnxruntime vs torch max |diff| {made.parity:.2e})", file=sys.stderr)
    return 0
