"""``python -m training evaluate``: subject-independent cross-validation of one recipe (LOSO,
grouped k-fold, or the papers' random window split for comparison), with its reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from training import arguments, distributed
from training.commands.options import add_training_options, folds_type
from training.experiment import cross_validate
from training.pipeline import evaluation_splits, load_data, model_meta, recipe_config
from training.reporting import markdown, write_reports
from training.resume import ResumeError, saved_folds


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``evaluate`` command and its options, added to ``commands``."""
    evaluate = commands.add_parser("evaluate", help="subject-independent cross-validation")
    add_training_options(evaluate)
    evaluate.add_argument("--folds", default="loso", type=folds_type(random=True),
                          help="'loso', a number k for grouped k-fold by subject, or 'random': the papers' "
                               "random window split (70/10/20 %% of windows, every subject on every side), "
                               "for comparison only")
    evaluate.add_argument("--out", type=Path, required=True, help="folder for the reports")
    evaluate.add_argument("--save-logits", action="store_true",
                          help="also save every fold's raw test/validation logits (for 'python -m training levers')")
    evaluate.add_argument("--inverted-logits", action=argparse.BooleanOptionalAction, default=True,
                          help="with --save-logits, also save the logits of every test and validation window "
                               "inverted, for the test-time augmentation lever ('levers RUN@flip'); "
                               "--no-inverted-logits spares a heavy model's run those two passes")
    evaluate.add_argument("--split-seed", type=arguments.count(0, 2**32 - 1), default=None,
                          help="seed of the validation-subject draw (default: --seed); fix it to compare or "
                               "ensemble training seeds on the same splits")
    evaluate.add_argument("--test-subjects", default=None,
                          help="comma-separated: run only the folds testing these subjects (the same folds as "
                               "a full run with this --split-seed); default: every fold")
    evaluate.add_argument("--save-fold-models", type=Path, default=None, metavar="FOLDER",
                          help="keep each fold's weights there (fold_<subject>.pt with a .json of its "
                               "subjects): the out-of-fold models for known people")
    evaluate.add_argument("--tag", default="", help="suffix for the report names (e.g. seed1)")
    evaluate.add_argument("--resume", action="store_true",
                          help="continue a run that stopped: the folds its --save-logits file holds are kept, "
                               "only the others are trained (implies --save-logits; refused if that file is "
                               "from another recipe, folder or split)")
    evaluate.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Cross-validate the recipe and write its reports; 0, 1 on a refused input, 2 on a contradiction."""
    if args.save_fold_models and args.folds == "random":
        print("python -m training: error: --save-fold-models keeps the models of subject-disjoint folds; "
              "a random window split has none (every subject is on every side)", file=sys.stderr)
        return 2
    data = load_data(args)
    split_seed = args.seed if args.split_seed is None else args.split_seed
    splits = evaluation_splits(data, args.folds, split_seed)
    if args.test_subjects:  # a subset of the same folds (same validation draws): a quick comparison
        wanted = {s.strip() for s in args.test_subjects.split(",")}
        splits = [split for split in splits if wanted & set(split.test)]
    stem = f"{args.model}_{args.task}_{args.folds}" + (f"_{args.tag}" if args.tag else "")
    saved = args.out / f"{stem}_logits.npz"
    config = recipe_config(args)
    done = []
    if args.resume and saved.exists():
        try:
            done = saved_folds(saved, data, splits, config)
        except ResumeError as error:
            print(f"python -m training: error: {error}", file=sys.stderr)
            return 1
        print(f"resuming: {len(done)} of {len(splits)} folds kept from {saved}", file=sys.stderr)
    elif args.resume:
        print(f"nothing to resume at {saved}: every fold runs", file=sys.stderr)
    keep = (args.save_logits or args.resume) and distributed.is_main()
    result = cross_validate(data, splits, config, logits_path=saved if keep else None,
                            quiet=not distributed.is_main(), done=done, inverted=args.inverted_logits,
                            models_dir=args.save_fold_models if distributed.is_main() else None,
                            model_meta=model_meta(args, data, config))
    if not distributed.is_main():
        return 0
    if done:
        result["environment"]["resumed"] = {"from": str(saved), "folds_kept": [fold.split.name for fold in done]}
    for path in write_reports(result, args.out, stem):
        print(f"wrote {path}", file=sys.stderr)
    print(markdown(result))
    return 0
