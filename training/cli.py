"""``python -m training train|evaluate|export|reproduce``.

A newcomer's path: ``evaluate`` tells how well a model generalises to people it never saw;
``reproduce`` does that and then builds the shipped default model from scratch.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import torch

from emgviewer.atomic import atomic_write_bytes, atomic_write_text, output_problem
from emgviewer.paths import models_dir
from training.data import TASKS, WindowSet, load_windows
from training.experiment import cross_validate
from training.export import build_card, code_revision, export_onnx, today
from training.models import REGISTRY, build, count_macs, count_parameters
from training.provenance import data_description, evaluation_fields, protocol_kind, training_fields
from training.reporting import headline, markdown, write_reports
from training.splits import grouped_kfold, loso_splits
from training.train import TrainConfig, train_model

UNCERTAINTY_THRESHOLD = 0.6


def dev_version() -> str:
    """The version of a model built from this checkout, unless ``--version`` names one: a
    trial run must never look like a shipped release."""
    return f"0.dev{today().replace('-', '')}+{code_revision()}"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
               "  python -m training evaluate --data data/n2001 --out reports        # LOSO, 19 folds\n"
               "  python -m training evaluate --data data/n2001 --folds 5 --out reports\n"
               "  python -m training train --data data/n2001 --out checkpoints\n"
               "  python -m training export --checkpoint checkpoints/munet.pt --data data/n2001 \\\n"
               "      --evaluation reports/munet_3class_loso.json --out my_model.onnx\n"
               "  python -m training reproduce --model munet --data data/n2001     # the default model\n"
               "Every split is by subject: no person's windows are ever on two sides.",
        description="Train and evaluate EMG window classifiers on N2001 with subject-independent "
                    "evaluation, and export them for the viewer. Models: "
                    + ", ".join(sorted(REGISTRY)) + " (python -m training models lists them)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--data", type=Path, required=True, help="folder of N2001 records")
        sub.add_argument("--task", choices=sorted(TASKS), default="3class")
        sub.add_argument("--model", choices=sorted(REGISTRY), default="munet")
        sub.add_argument("--window-s", type=float, default=None, help="default: the model's published window")
        sub.add_argument("--hop-s", type=float, default=None, help="default: the model's published hop")
        sub.add_argument("--epochs", type=int, default=TrainConfig.epochs)
        sub.add_argument("--steps-per-epoch", type=int, default=TrainConfig.steps_per_epoch,
                         help="batches per epoch (0: one pass over the training windows)")
        sub.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
        sub.add_argument("--seed", type=int, default=0)
        sub.add_argument("--smote", action="store_true", help="SMOTE instead of balanced sampling")
        sub.add_argument("--gain-jitter", type=float, default=0.0,
                         help="augmentation: random gain up to 1+G (log-uniform), e.g. 0.3")
        sub.add_argument("--threads", type=int, default=None, help="torch CPU threads")
        sub.add_argument("--device", default="auto", help="auto (CUDA when available), cpu or cuda")
        sub.add_argument("--max-records", type=int, default=None, help="use only N records (quick runs)")

    train = commands.add_parser("train", help="train one model, validation subjects held out")
    common(train)
    train.add_argument("--out", type=Path, required=True, help="folder for MODEL.pt and MODEL.json")
    train.set_defaults(run=cmd_train)

    evaluate = commands.add_parser("evaluate", help="subject-independent cross-validation")
    common(evaluate)
    evaluate.add_argument("--folds", default="loso", help="'loso' or a number k for grouped k-fold")
    evaluate.add_argument("--out", type=Path, required=True, help="folder for the reports")
    evaluate.add_argument("--save-logits", action="store_true",
                          help="also save every fold's raw test/validation logits (for 'python -m training levers')")
    evaluate.add_argument("--split-seed", type=int, default=None,
                          help="seed of the validation-subject draw (default: --seed); fix it to compare or "
                               "ensemble training seeds on the same splits")
    evaluate.add_argument("--test-subjects", default=None,
                          help="comma-separated: run only the folds testing these subjects (the same folds as "
                               "a full run with this --split-seed); default: every fold")
    evaluate.add_argument("--tag", default="", help="suffix for the report names (e.g. seed1)")
    evaluate.set_defaults(run=cmd_evaluate)

    export = commands.add_parser("export", help="export a trained checkpoint to ONNX with its card")
    export.add_argument("--checkpoint", type=Path, required=True, help="MODEL.pt written by 'train'")
    export.add_argument("--data", type=Path, required=True, help="records for the parity check")
    export.add_argument("--evaluation", type=Path, help="JSON report written by 'evaluate'")
    export.add_argument("--out", type=Path, required=True, help="the .onnx file to write")
    export.add_argument("--version", default=None, help="version written into the card (default: 0.devDATE+REVISION)")
    export.add_argument("--force", action="store_true", help="replace --out if it exists")
    export.set_defaults(run=cmd_export)

    reproduce = commands.add_parser("reproduce", help="LOSO evaluation, then the final model on all "
                                                      "subjects, exported with its card")
    common(reproduce)
    reproduce.add_argument("--out", type=Path, default=models_dir() / "default.onnx")
    reproduce.add_argument("--reports", type=Path, default=Path("reports"))
    reproduce.add_argument("--version", default=None, help="version written into the card (default: 0.devDATE+REVISION)")
    reproduce.add_argument("--evaluation", type=Path, default=None,
                           help="reuse this leave-one-subject-out report of the same model and task "
                                "(from 'evaluate') instead of running it again; only the final model is trained")
    reproduce.add_argument("--all", action="store_true",
                           help="every registered model: reports, exports in --exports, training/RESULTS.md")
    reproduce.add_argument("--folds", default="loso", help="with --all: 'loso' or k (a reduced budget)")
    reproduce.add_argument("--exports", type=Path, default=Path("training/exports"))
    reproduce.add_argument("--results", type=Path, default=Path(__file__).parent / "RESULTS.md")
    reproduce.add_argument("--render-only", action="store_true",
                           help="with --all: rewrite RESULTS.md from the rows of the last run")
    reproduce.set_defaults(run=cmd_reproduce)

    recard = commands.add_parser(
        "card", help="rewrite an exported model's card from its evaluation (weights untouched)",
        description="Rewrite the card of a model trained on every record of --data (as 'reproduce' "
                    "trains the final model) from the evaluation of the same recipe: provenance, "
                    "training distribution, out-of-fold verdicts. The graph is copied unchanged.")
    recard.add_argument("--onnx", type=Path, required=True, help="the exported model")
    recard.add_argument("--data", type=Path, required=True, help="the folder it was trained on")
    recard.add_argument("--evaluation", type=Path, required=True, help="JSON report of the same recipe")
    recard.add_argument("--out-of-fold", type=Path, default=None,
                        help="take the out-of-fold record verdicts from this evaluation of the same recipe "
                             "instead of --evaluation (e.g. a rerun that kept them)")
    recard.add_argument("--version", required=True, help="the new version (the card changes, so does the file)")
    recard.add_argument("--out", type=Path, required=True, help="where to write (may be --onnx itself)")
    recard.add_argument("--force", action="store_true", help="replace --out if it exists")
    recard.set_defaults(run=cmd_card)

    from training import final, levers

    levers.add_parser(commands)
    final.add_parser(commands)

    listing = commands.add_parser("models", help="list the registered models")
    listing.add_argument("--json", action="store_true")
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


def _config(args: argparse.Namespace, **overrides) -> TrainConfig:
    """The model's published recipe, then what the command line says explicitly."""
    values = dict(REGISTRY[args.model].recipe)
    for f in fields(TrainConfig):
        if hasattr(args, f.name) and (f.name not in values or getattr(args, f.name) != getattr(TrainConfig, f.name, None)):
            values[f.name] = getattr(args, f.name)
    values["steps_per_epoch"] = values.get("steps_per_epoch") or None
    values.update(overrides)
    return TrainConfig(**values)


def _geometry(args: argparse.Namespace) -> None:
    spec = REGISTRY[args.model]
    args.window_s = args.window_s or spec.window_s
    args.hop_s = args.hop_s or spec.hop_s
    args.fs_hz = spec.fs_hz


def _load(args: argparse.Namespace):
    _geometry(args)
    data = load_windows(args.data, args.task, args.window_s, args.hop_s, args.max_records, fs_hz=args.fs_hz)
    print(f"{len(data)} windows from {len(data.record_names)} records, "
          f"{len(set(data.record_subjects))} subjects; dropped: {dict(data.dropped)}", file=sys.stderr)
    return data


def cmd_evaluate(args: argparse.Namespace) -> int:
    data = _load(args)
    subjects = data.subject_classes()
    split_seed = args.seed if args.split_seed is None else args.split_seed
    splits = loso_splits(subjects, split_seed) if args.folds == "loso" else grouped_kfold(subjects, int(args.folds), split_seed)
    if args.test_subjects:  # a subset of the same folds (same validation draws): a quick comparison
        wanted = {s.strip() for s in args.test_subjects.split(",")}
        splits = [split for split in splits if wanted & set(split.test)]
    stem = f"{args.model}_{args.task}_{args.folds}" + (f"_{args.tag}" if args.tag else "")
    logits = args.out / f"{stem}_logits.npz" if args.save_logits else None
    result = cross_validate(data, splits, _config(args), logits_path=logits)
    for path in write_reports(result, args.out, stem):
        print(f"wrote {path}", file=sys.stderr)
    print(markdown(result))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    data = _load(args)
    split = loso_splits(data.subject_classes(), args.seed)[0]
    validation = list(split.validation)
    train_idx = data.select_subjects([s for s in data.subject_classes() if s not in validation])
    val_idx = data.select_subjects(validation)
    result = train_model(data, train_idx, val_idx, _config(args))
    _save_checkpoint(args.out / f"{args.model}.pt", result.model, {
        "model": args.model, "task": args.task, "classes": list(data.class_names), "fs_hz": data.fs_hz,
        "window_s": args.window_s, "hop_s": args.hop_s, "n_times": data.window_samples,
        "validation_subjects": validation, "training_subjects": sorted(set(data.record_subjects) - set(validation)),
        "training_records": [n for n, s in zip(data.record_names, data.record_subjects) if s not in validation],
        "best_epoch": result.best_epoch, "history": result.history, "config": _config(args).to_dict()})
    return 0


def _refuse_output(out: Path, force: bool) -> bool:
    problem = output_problem(out, force, ".onnx")
    if problem:
        print(f"python -m training: error: {out}: {problem}", file=sys.stderr)
    return problem is not None


def cmd_export(args: argparse.Namespace) -> int:
    if _refuse_output(args.out, args.force):
        return 1
    meta = json.loads(args.checkpoint.with_suffix(".json").read_text())
    model = build(meta["model"], len(meta["classes"]), meta["n_times"], meta["fs_hz"])
    model.load_state_dict(torch.load(args.checkpoint, weights_only=True))
    result = json.loads(args.evaluation.read_text()) if args.evaluation else None
    temperature = result["median_temperature"] if result else 1.0
    # The card describes the records the checkpoint was trained on, not the whole folder.
    trained = load_windows(args.data, meta["task"], meta["window_s"], meta["hop_s"], fs_hz=meta["fs_hz"],
                           names=meta["training_records"])
    card = _card(meta["model"], architecture_text(meta["model"], model, meta["n_times"]), meta, temperature,
                 result, trained, args.data, args.version)
    difference = export_onnx(model, card, args.out, trained.gather(np.arange(min(len(trained), 32))))
    print(f"wrote {args.out} (onnxruntime vs torch max |diff| {difference:.2e})")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    if args.all:
        from training.zoo import reproduce_all

        return reproduce_all(args)
    data = _load(args)
    config = _config(args)
    if args.evaluation is not None:
        result = json.loads(args.evaluation.read_text())
        problem = _foreign_evaluation(result, config, data)
        if problem:
            print(f"python -m training: error: {args.evaluation}: {problem}", file=sys.stderr)
            return 1
    else:
        result = cross_validate(data, loso_splits(data.subject_classes(), args.seed), config)
    stem = f"{args.model}_{args.task}_loso"
    write_reports(result, args.reports, stem)
    final_config = _config(args, epochs=max(1, result["median_best_epoch"]), patience=10**6)
    everyone = np.arange(len(data))
    final = train_model(data, everyone, np.array([], dtype=np.int64), final_config)
    meta = {"model": args.model, "task": args.task, "classes": list(data.class_names), "fs_hz": data.fs_hz,
            "window_s": args.window_s, "hop_s": args.hop_s, "n_times": data.window_samples,
            "config": final_config.to_dict()}
    _save_checkpoint(args.reports / f"{args.model}_final.pt", final.model, meta)
    card = _card(args.model, architecture_text(args.model, final.model, data.window_samples), meta,
                 result["median_temperature"], result, data, args.data, args.version)
    rng = np.random.default_rng(0)
    difference = export_onnx(final.model, card, args.out, data.gather(rng.choice(len(data), 32, replace=False)))
    print(markdown(result))
    print(f"wrote {args.out} (onnxruntime vs torch max |diff| {difference:.2e})", file=sys.stderr)
    return 0


def architecture_text(name: str, model: torch.nn.Module, n_times: int) -> str:
    return (f"{REGISTRY[name].description}; {count_parameters(model):,} parameters, "
            f"{count_macs(model, n_times) / 1e6:.1f} M multiply-accumulates per window")


def _same_recipe(first: dict, second: dict) -> bool:
    """Same training configuration; a key one report predates counts at its default value."""
    defaults = TrainConfig().to_dict()
    return all(first.get(k, defaults.get(k)) == second.get(k, defaults.get(k)) for k in {*first, *second})


def _foreign_evaluation(result: dict, config: TrainConfig, data: WindowSet) -> str | None:
    """Why ``result`` cannot stand for this run's LOSO evaluation, or ``None``."""
    if not _same_recipe(result.get("config", {}), config.to_dict()):
        return f"was run with another configuration ({result.get('config')}); this run's is {config.to_dict()}"
    if protocol_kind(result) != "leave-one-subject-out":
        return "is not a leave-one-subject-out evaluation"
    if sorted(r["record"] for r in result.get("out_of_fold_records", [])) != sorted(
            data.record_names[i] for i in np.unique(data.record_index)):
        return "does not cover exactly this folder's records"
    return None


def _card(name: str, architecture: str, meta: dict, temperature: float, result: dict | None,
          trained: WindowSet, folder: Path, version: str | None = None) -> dict:
    """The card of a model trained on ``trained``; ``result`` is its subject-independent
    evaluation (``None``: the card says there is none)."""
    training = training_fields(trained, folder)
    kind = evaluation_fields(result)["protocol_kind"]
    protocol = (f"trained on the {len(training['subjects'])} subjects listed; evaluation numbers are {kind}, "
                "never on the training subjects" if result
                else f"trained on the {len(training['subjects'])} subjects listed; no subject-independent evaluation")
    return build_card(
        name=f"{name} ({meta['task']})", version=version or dev_version(),
        architecture=architecture, citation=REGISTRY[name].citation,
        class_names=tuple(meta["classes"]), fs_hz=meta["fs_hz"], window_s=meta["window_s"],
        hop_s=meta["hop_s"], n_times=meta["n_times"], temperature=temperature,
        uncertainty_threshold=UNCERTAINTY_THRESHOLD,
        training={"data": data_description(trained), **training, "protocol": protocol,
                  "config": meta["config"], "date": today(), "code_revision": code_revision()},
        evaluation={**(headline(result) if result else {}), **evaluation_fields(result)})


def cmd_card(args: argparse.Namespace) -> int:
    import onnx

    if _refuse_output(args.out, args.force):
        return 1
    from emgviewer.inference.card import CARD_KEY, ModelCard

    proto = onnx.load(args.onnx)
    old = ModelCard.from_json({p.key: p.value for p in proto.metadata_props}[CARD_KEY])
    result = json.loads(args.evaluation.read_text())
    if result["config"]["model"] not in REGISTRY or result["classes"] != list(old.class_names):
        print(f"{args.evaluation}: evaluates {result['config']['model']} on {result['classes']}, "
              f"not this model's classes {list(old.class_names)}", file=sys.stderr)
        return 1
    task = next(t for t, names in TASKS.items() if list(names) == result["classes"])
    data = load_windows(args.data, task, old.input.window_s, old.input.hop_s, fs_hz=old.input.fs_hz)
    card = old.to_dict()
    training = {k: v for k, v in card["training"].items() if k not in ("data", "protocol")}
    fresh = _card(result["config"]["model"], old.architecture, {
        "task": task, "classes": result["classes"], "fs_hz": old.input.fs_hz, "window_s": old.input.window_s,
        "hop_s": old.input.hop_s, "n_times": old.input.n_times, "config": training.get("config", {})},
        result["median_temperature"], result, data, args.data, args.version)
    if args.out_of_fold is not None:
        rerun = json.loads(args.out_of_fold.read_text())
        if not _same_recipe(rerun["config"], result["config"]) or rerun["classes"] != result["classes"]:
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
