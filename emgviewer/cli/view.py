"""``emgviewer view [PATH] [--model FILE] [--screenshot FILE.png] [--size WxH]``."""

from __future__ import annotations

import argparse
import re
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "view", help="open the viewer (default: the simulated demo record)",
        description="Open a record or a folder in the viewer. Without PATH: the bundled simulated "
                    "demo record with the default model.")
    parser.add_argument("path", nargs="?", type=Path, help="record file or folder")
    parser.add_argument("--model", type=Path, help="ONNX model (default: the shipped one)")
    parser.add_argument("--screenshot", type=Path, metavar="FILE.png",
                        help="render the window once classification has finished, save it, and exit")
    parser.add_argument("--size", default="1600x900", type=_size, help="window size for --screenshot (WxH)")
    parser.set_defaults(run=run)


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)x(\d+)", text)
    if not match:
        raise argparse.ArgumentTypeError(f"size must look like 1600x900, got {text!r}")
    return int(match[1]), int(match[2])


def run(args: argparse.Namespace) -> int:
    from emgviewer.ui.app import run_viewer  # Qt is loaded only when a window is wanted

    return run_viewer(args.path, args.model, args.screenshot, args.size)
