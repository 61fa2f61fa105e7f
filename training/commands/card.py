"""``python -m training card``: rewrite an exported model's card from an evaluation of its recipe
(the weights untouched)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from emgviewer.atomic import atomic_write_bytes
from training import arguments
from training.commands.options import card_evaluation
from training.data import TASKS, load_windows
from training.environment import code_revision, today
from training.models import REGISTRY
from training.pipeline import model_card, refuse_output, same_recipe
from training.provenance import evaluation_fields, protocol_kind


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``card`` command and its options, added to ``commands``."""
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
    recard.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Rewrite the model's card from the evaluation; 0, or 1 when an input is refused (said)."""
    import onnx

    if refuse_output(args.out, args.force):
        return 1
    from emgviewer.inference.card import CARD_KEY, ModelCard

    try:
        proto = onnx.load(args.onnx)
    except Exception as err:  # protobuf's DecodeError is no ValueError; a text file reads as one
        raise arguments.InputFileError(args.onnx, f"not an ONNX model ({' '.join(str(err).split())[:120]})") from None
    old = ModelCard.from_json({p.key: p.value for p in proto.metadata_props}[CARD_KEY])
    result = card_evaluation(args.evaluation)
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
