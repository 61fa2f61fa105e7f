"""``python -m training export``: a trained checkpoint to ONNX with its card."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from training import arguments
from training.commands.options import card_evaluation
from training.data import load_windows
from training.export import export_onnx
from training.models import build
from training.pipeline import architecture_text, model_card, refuse_output


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``export`` command and its options, added to ``commands``."""
    export = commands.add_parser("export", help="export a trained checkpoint to ONNX with its card")
    export.add_argument("--checkpoint", type=arguments.existing_file, required=True, help="MODEL.pt written by 'train'")
    export.add_argument("--data", type=arguments.existing_folder, required=True, help="records for the parity check")
    export.add_argument("--evaluation", type=arguments.existing_file, help="JSON report written by 'evaluate'")
    export.add_argument("--out", type=Path, required=True, help="the .onnx file to write")
    export.add_argument("--version", default=None, help="version written into the card (default: 0.devDATE+REVISION)")
    export.add_argument("--force", action="store_true", help="replace --out if it exists")
    export.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Export the checkpoint with its card; 0, or 1 when an input is refused (said)."""
    if refuse_output(args.out, args.force):
        return 1
    result = card_evaluation(args.evaluation) if args.evaluation else None
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
