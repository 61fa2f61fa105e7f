"""What the training commands share: the help formatter that says defaults, the training
options of every command that trains, ``--folds``, and the checkpoint and evaluation files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from training import arguments, train
from training.data import TASKS
from training.models import REGISTRY
from training.provenance import LeakyEvaluationError, refuse_leaky
from training.train import TrainConfig


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Examples kept as written, and each option's default said unless it has none (a flag,
    or a value that comes from the model's recipe and says so itself)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        no_default = action.default is None or action.default is False or action.default == argparse.SUPPRESS
        if "%(default)" in text or no_default or not action.option_strings:
            return text
        return text + " (default: %(default)s)"


class CommandParser(argparse.ArgumentParser):
    """Each command's parser: its help says the defaults (see :class:`HelpFormatter`)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def folds_type(random: bool):
    """argparse type of ``--folds``: 'loso', k >= 2, and 'random' where ``random`` allows it."""
    def parse(text: str) -> str:
        if text == "loso" or (text.isdigit() and int(text) >= 2) or (random and text == "random"):
            return text
        allowed = "'loso', a number of folds >= 2" + (" or 'random'" if random else " (a model's card carries "
                                                       "subject-independent numbers only, so not 'random')")
        raise argparse.ArgumentTypeError(f"{text!r}: expected {allowed}")
    return parse


def add_training_options(sub: argparse.ArgumentParser) -> None:
    """The training options every training command takes; a flag left out keeps the model's recipe."""
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


def card_evaluation(path: Path) -> dict | None:
    """The evaluation report at ``path``; ``None``, after saying why, when a card may not carry it."""
    result = arguments.read_json(path)
    try:
        refuse_leaky(result)
    except LeakyEvaluationError as error:
        print(f"python -m training: error: {path}: {error}", file=sys.stderr)
        return None
    return result


def save_checkpoint(path: Path, model: torch.nn.Module, meta: dict) -> None:
    """Write a command's checkpoint (:func:`training.train.save_checkpoint`) and say where."""
    train.save_checkpoint(path, model, meta)
    print(f"wrote {path} and {path.with_suffix('.json').name}", file=sys.stderr)
