"""``python -m training train|evaluate|export|reproduce``.

A newcomer's path: ``evaluate`` tells how well a model generalises to people it never saw;
``reproduce`` does that and then builds the shipped default model from scratch.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import torch

from emgviewer.atomic import atomic_write_bytes, atomic_write_text
from emgviewer.records.errors import RecordError
from training import arguments, distributed
from training.data import TASKS, load_windows
from training.environment import code_revision, today
from training.experiment import cross_validate
from training.export import export_onnx
from training.models import REGISTRY, build
from training.pipeline import (
    architecture_text,
    evaluate_train_export,
    evaluation_splits,
    foreign_evaluation,
    load_data,
    model_card,
    model_meta,
    recipe_config,
    refuse_output,
    same_recipe,
)
from training.provenance import LeakyEvaluationError, evaluation_fields, protocol_kind, refuse_leaky
from training.reporting import markdown, write_reports
from training.resume import ResumeError, saved_folds
from training.splits import loso_splits
from training.train import TrainConfig, train_model


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Examples kept as written, and each option's default said unless it has none (a flag,
    or a value that comes from the model's recipe and says so itself)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        no_default = action.default is None or action.default is False or action.default == argparse.SUPPRESS
        if "%(default)" in text or no_default or not action.option_strings:
            return text
        return text + " (default: %(default)s)"


class _CommandParser(argparse.ArgumentParser):
    """Each command's parser: its help says the defaults (see :class:`_HelpFormatter`)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    # Under torchrun: one rank of a data-parallel run.
    joined = args.command in DISTRIBUTED_COMMANDS and distributed.join_from_environment()
    try:
        code = _run(args)
    finally:
        if joined:  # never a caller's own group
            distributed.leave()
    if joined:  # a torchrun rank whose work is done and written
        distributed.exit_rank(int(code or 0))
    return code


#: What a missing, corrupt or mismatched input (a checkpoint, an evaluation report, an ONNX
#: file, a records folder) raises while it is read: said in one line naming the file, not a
#: traceback. EMGVIEWER_TRACEBACK=1 shows the traceback too.
INPUT_ERRORS = (OSError, ValueError, KeyError, TypeError, EOFError, RuntimeError, pickle.UnpicklingError,
                RecordError)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.run(args)
    except INPUT_ERRORS as err:
        if os.environ.get("EMGVIEWER_TRACEBACK"):
            raise
        print(f"python -m training: error: {_said(err)}", file=sys.stderr)
        return 1


def _said(err: BaseException) -> str:
    if isinstance(err, (arguments.InputFileError, RecordError)):
        return str(err)
    if isinstance(err, OSError) and err.filename:
        return f"{err.filename}: {err.strerror or err}"
    if isinstance(err, KeyError):
        return f"a field {err} is missing from an input file (is it the right kind of file?)"
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text[:300]}" if text else type(err).__name__


#: The commands that run unchanged under torchrun (distributed data parallel).
DISTRIBUTED_COMMANDS = ("train", "evaluate")


def _folds(random: bool):
    """argparse type of ``--folds``: 'loso', k >= 2, and 'random' where ``random`` allows it."""
    def parse(text: str) -> str:
        if text == "loso" or (text.isdigit() and int(text) >= 2) or (random and text == "random"):
            return text
        allowed = "'loso', a number of folds >= 2" + (" or 'random'" if random else " (a model's card carries "
                                                       "subject-independent numbers only, so not 'random')")
        raise argparse.ArgumentTypeError(f"{text!r}: expected {allowed}")
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training",
        formatter_class=_HelpFormatter,
        epilog="Examples:\n"
               "  python -m training evaluate --data data/n2001 --out reports        # LOSO, 19 folds\n"
               "  python -m training evaluate --data data/n2001 --folds 5 --out reports\n"
               "  python -m training evaluate --data data/n2001 --folds random --out reports   # the papers' leaky split\n"
               "  python -m training train --data data/n2001 --out checkpoints\n"
               "  python -m training export --checkpoint checkpoints/munet.pt --data data/n2001 \\\n"
               "      --evaluation reports/munet_3class_loso.json --out my_model.onnx\n"
               "  python -m training reproduce --model munet --data data/n2001     # the default model\n"
               "Every split is by subject: no person's windows are ever on two sides.",
        description="Train and evaluate EMG window classifiers on N2001 with subject-independent "
                    "evaluation, and export them for the viewer. Models: "
                    + ", ".join(sorted(REGISTRY)) + " (python -m training models lists them)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)

    def common(sub: argparse.ArgumentParser) -> None:
        recipe = "default: the model's recipe, else {}"
        sub.add_argument("--data", type=arguments.existing_folder, required=True, help="folder of N2001 records")
        sub.add_argument("--task", choices=sorted(TASKS), default="3class",
                         help="3class (normal, myopathy, ALS) or a two-class task")
        sub.add_argument("--model", choices=sorted(REGISTRY), default="munet", help="the architecture")
        sub.add_argument("--window-s", type=arguments.positive_seconds, default=None,
                         help="window length in s (default: the model's published window)")
        sub.add_argument("--hop-s", type=arguments.positive_seconds, default=None,
                         help="hop between windows in s (default: the model's published hop)")
        sub.add_argument("--epochs", type=arguments.count(1), default=None, help="most epochs; early stopping may end sooner ("
                         + recipe.format(TrainConfig.epochs) + ")")
        sub.add_argument("--steps-per-epoch", type=arguments.count(0), default=None,
                         help="batches per epoch, 0: one pass over the training windows ("
                              + recipe.format(TrainConfig.steps_per_epoch) + ")")
        sub.add_argument("--batch-size", type=arguments.count(1), default=None,
                         help="windows per batch (" + recipe.format(TrainConfig.batch_size) + ")")
        sub.add_argument("--learning-rate", type=arguments.number(0.0, 10.0, low_open=True), default=None,
                         help="Adam's learning rate (" + recipe.format(TrainConfig.learning_rate) + ")")
        sub.add_argument("--weight-decay", type=arguments.number(0.0, 1.0), default=None,
                         help="L2 weight decay (" + recipe.format(TrainConfig.weight_decay) + ")")
        sub.add_argument("--patience", type=arguments.count(0), default=None,
                         help="epochs without a better validation loss before stopping ("
                              + recipe.format(TrainConfig.patience) + ")")
        sub.add_argument("--seed", type=arguments.count(0, 2**32 - 1), default=0,
                         help="seed of the weights, the sampling and the validation draw")
        sub.add_argument("--smote", action=argparse.BooleanOptionalAction, default=None,
                         help="SMOTE on the training windows instead of balanced sampling; --no-smote turns "
                              "off a recipe's SMOTE (default: the model's recipe, else off)")
        sub.add_argument("--gain-jitter", type=arguments.number(0.0, 10.0), default=None,
                         help="augmentation: random gain up to 1+G, log-uniform, e.g. 0.3 (default: 0, none)")
        sub.add_argument("--mixup", type=arguments.number(0.0, 100.0), default=None, metavar="ALPHA",
                         help="mix each training window with one of another subject, its own weight drawn from "
                              "Beta(ALPHA, ALPHA), e.g. 0.4; not with SMOTE (default: 0, none)")
        sub.add_argument("--ema", type=arguments.number(0.0, 1.0, high_open=True), default=None, metavar="DECAY",
                         help="return the moving average of the weights (this decay per step, e.g. 0.99) at its "
                              "best validation epoch; the training itself is unchanged (default: 0, none)")
        sub.add_argument("--bf16", action="store_true", default=None,
                         help="train under bfloat16 autocast (1.5-2x faster on a CPU with AVX-512 BF16; untested on others); "
                              "validation, test and export stay float32 (default: float32 throughout)")
        sub.add_argument("--precise-bn", action="store_true", default=None,
                         help="measure the BatchNorm statistics again over 2,048 training windows at each "
                              "epoch's end, before validating; for a short budget of a model with Keras's "
                              "BatchNorm momentum (ALSNet, the thesis CNN), whose running statistics still hold "
                              "their start values (default: off, the running statistics)")
        sub.add_argument("--threads", type=arguments.count(1, 1024), default=None,
                         help="torch CPU threads (default: torch's choice)")
        sub.add_argument("--device", type=arguments.device, default="auto", help="auto (CUDA when available), cpu or cuda")
        sub.add_argument("--max-records", type=arguments.count(1), default=None,
                         help="use only the first N records, for a quick run (default: all)")

    train = commands.add_parser("train", help="train one model, validation subjects held out")
    common(train)
    train.add_argument("--out", type=Path, required=True, help="folder for MODEL.pt and MODEL.json")
    train.set_defaults(run=cmd_train)

    evaluate = commands.add_parser("evaluate", help="subject-independent cross-validation")
    common(evaluate)
    evaluate.add_argument("--folds", default="loso", type=_folds(random=True),
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
    evaluate.set_defaults(run=cmd_evaluate)

    export = commands.add_parser("export", help="export a trained checkpoint to ONNX with its card")
    export.add_argument("--checkpoint", type=arguments.existing_file, required=True, help="MODEL.pt written by 'train'")
    export.add_argument("--data", type=arguments.existing_folder, required=True, help="records for the parity check")
    export.add_argument("--evaluation", type=arguments.existing_file, help="JSON report written by 'evaluate'")
    export.add_argument("--out", type=Path, required=True, help="the .onnx file to write")
    export.add_argument("--version", default=None, help="version written into the card (default: 0.devDATE+REVISION)")
    export.add_argument("--force", action="store_true", help="replace --out if it exists")
    export.set_defaults(run=cmd_export)

    reproduce = commands.add_parser("reproduce", help="LOSO evaluation, then the final model on all "
                                                      "subjects, exported with its card")
    common(reproduce)
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
    reproduce.add_argument("--folds", default="loso", type=_folds(random=False),
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
    reproduce.set_defaults(run=cmd_reproduce)

    recard = commands.add_parser(
        "card", help="rewrite an exported model's card from its evaluation (weights untouched)",
        description="Rewrite the card of a model trained on every record of --data (as 'reproduce' "
                    "trains the final model) from the evaluation of the same recipe: provenance, "
                    "training distribution, out-of-fold verdicts. The graph is copied unchanged.")
    recard.add_argument("--onnx", type=arguments.existing_file, required=True, help="the exported model")
    recard.add_argument("--data", type=arguments.existing_folder, required=True, help="the folder it was trained on")
    recard.add_argument("--evaluation", type=arguments.existing_file, required=True, help="JSON report of the same recipe")
    recard.add_argument("--out-of-fold", type=arguments.existing_file, default=None,
                        help="take the out-of-fold record verdicts from this evaluation of the same recipe "
                             "instead of --evaluation (e.g. a rerun that kept them)")
    recard.add_argument("--version", required=True, help="the new version (the card changes, so does the file)")
    recard.add_argument("--out", type=Path, required=True, help="where to write (may be --onnx itself)")
    recard.add_argument("--force", action="store_true", help="replace --out if it exists")
    recard.set_defaults(run=cmd_card)

    from training import divote, external, final, fold_export, levers

    fold_export.add_parser(commands)
    levers.add_parser(commands)
    divote.add_parser(commands)
    final.add_parser(commands)
    external.add_parser(commands)

    listing = commands.add_parser("models", help="list the registered models")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=cmd_models)
    return parser


def cmd_models(args: argparse.Namespace) -> int:
    from training.zoo import model_rows

    rows = model_rows()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['name']:<14} {row['parameters']:>11,} params {row['macs_per_window'] / 1e6:>9.1f} M MACs  "
              f"{row['fs_hz']:g} Hz, {row['window_s']:g} s windows  {row['citation']}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
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


def cmd_train(args: argparse.Namespace) -> int:
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
    _save_checkpoint(args.out / f"{args.model}.pt", result.model, {
        **model_meta(args, data, config), "validation_subjects": validation,
        "training_subjects": sorted(set(data.record_subjects) - set(validation)),
        "training_records": [n for n, s in zip(data.record_names, data.record_subjects) if s not in validation],
        "best_epoch": result.best_epoch, "history": result.history,
        "ranks": distributed.rank_and_size()[1], "weights_identical_across_ranks": agree})
    return 0


def _card_evaluation(path: Path) -> dict | None:
    """The evaluation report at ``path``; ``None``, after saying why, when a card may not carry it."""
    result = arguments.read_json(path)
    try:
        refuse_leaky(result)
    except LeakyEvaluationError as error:
        print(f"python -m training: error: {path}: {error}", file=sys.stderr)
        return None
    return result


def cmd_export(args: argparse.Namespace) -> int:
    if refuse_output(args.out, args.force):
        return 1
    result = _card_evaluation(args.evaluation) if args.evaluation else None
    if args.evaluation and result is None:
        return 1
    meta = arguments.read_json(args.checkpoint.with_suffix(".json"))
    model = build(meta["model"], len(meta["classes"]), meta["n_times"], meta["fs_hz"])
    model.load_state_dict(torch.load(args.checkpoint, weights_only=True))
    temperature = result["median_temperature"] if result else 1.0
    # The card describes the records the checkpoint was trained on, not the whole folder.
    trained = load_windows(args.data, meta["task"], meta["window_s"], meta["hop_s"], fs_hz=meta["fs_hz"],
                           names=meta["training_records"])
    card = model_card(meta["model"], architecture_text(meta["model"], model, meta["n_times"]), meta, temperature,
                 result, trained, args.data, args.version)
    difference = export_onnx(model, card, args.out, trained.gather(np.arange(min(len(trained), 32))))
    print(f"wrote {args.out} (onnxruntime vs torch max |diff| {difference:.2e})")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
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
    _save_checkpoint(args.reports / f"{args.model}_final.pt", made.model, made.meta)
    print(markdown(made.result))
    print(f"wrote {out} (onnxruntime vs torch max |diff| {made.parity:.2e})", file=sys.stderr)
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    import onnx

    if refuse_output(args.out, args.force):
        return 1
    from emgviewer.inference.card import CARD_KEY, ModelCard

    try:
        proto = onnx.load(args.onnx)
    except Exception as err:  # protobuf's DecodeError is no ValueError; a text file reads as one
        raise arguments.InputFileError(args.onnx, f"not an ONNX model ({' '.join(str(err).split())[:120]})") from None
    old = ModelCard.from_json({p.key: p.value for p in proto.metadata_props}[CARD_KEY])
    result = _card_evaluation(args.evaluation)
    if result is None:
        return 1
    if result["config"]["model"] not in REGISTRY or result["classes"] != list(old.class_names):
        print(f"{args.evaluation}: evaluates {result['config']['model']} on {result['classes']}, "
              f"not this model's classes {list(old.class_names)}", file=sys.stderr)
        return 1
    task = next(t for t, names in TASKS.items() if list(names) == result["classes"])
    data = load_windows(args.data, task, old.input.window_s, old.input.hop_s, fs_hz=old.input.fs_hz)
    card = old.to_dict()
    training = {k: v for k, v in card["training"].items() if k not in ("data", "protocol")}
    fresh = model_card(result["config"]["model"], old.architecture, {
        "task": task, "classes": result["classes"], "fs_hz": old.input.fs_hz, "window_s": old.input.window_s,
        "hop_s": old.input.hop_s, "n_times": old.input.n_times, "config": training.get("config", {})},
        result["median_temperature"], result, data, args.data, args.version)
    if args.out_of_fold is not None:
        rerun = arguments.read_json(args.out_of_fold)
        if not same_recipe(rerun["config"], result["config"]) or rerun["classes"] != result["classes"]:
            print(f"{args.out_of_fold}: not an evaluation of the same recipe as {args.evaluation}", file=sys.stderr)
            return 1
        oof = evaluation_fields(rerun).get("out_of_fold")
        if oof is None:
            print(f"{args.out_of_fold}: holds no out-of-fold record verdicts", file=sys.stderr)
            return 1
        records = rerun["records"]
        oof["protocol"] = (f"{oof['protocol']}; from a separate {protocol_kind(rerun)} run of the same recipe "
                           f"({records['records_correct']}/{records['records_with_verdict']} records, "
                           f"{records['subjects_correct']}/{records['n_subjects']} subjects), not the run "
                           "whose final model these weights are: the difference is run-to-run variation")
        fresh["evaluation"]["out_of_fold"] = oof
    fresh["training"]["date"] = training.get("date", fresh["training"]["date"])
    fresh["training"]["card_rewritten"] = f"{today()} at {code_revision()} (weights unchanged)"
    fresh["training"]["code_revision"] = training.get("code_revision", fresh["training"]["code_revision"])
    onnx.helper.set_model_props(proto, {CARD_KEY: json.dumps(fresh)})
    atomic_write_bytes(args.out, proto.SerializeToString())
    print(f"wrote {args.out}: {fresh['name']} {fresh['version']}, {fresh['training']['data']}; "
          f"{len(fresh['evaluation'].get('out_of_fold', {}).get('records', {}))} out-of-fold verdicts",
          file=sys.stderr)
    return 0


def _save_checkpoint(path: Path, model: torch.nn.Module, meta: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    import io

    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    atomic_write_bytes(path, buffer.getvalue())
    atomic_write_text(path.with_suffix(".json"), json.dumps(meta, indent=2))
    print(f"wrote {path} and {path.with_suffix('.json').name}", file=sys.stderr)
