"""``emgviewer view [PATH] [--model FILE] [--screenshot FILE.png] [--size WxH]``."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from emgviewer.cli.common import add_reading_choices, positive_hz


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``view`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "view", help="open the viewer (default: the simulated demo record)",
        description="Open a record or a folder in the viewer. Without PATH: the bundled simulated "
                    "demo record with the default model.")
    parser.add_argument("path", nargs="?", type=Path, help="record file or folder")
    parser.add_argument("--model", type=Path, help="ONNX model, or a shipped model's name (default: the default model)")
    parser.add_argument("--screenshot", type=Path, metavar="FILE.png",
                        help="render the window once classification has finished, save it, and exit")
    parser.add_argument("--size", default="1600x900", type=_size, help="window size for --screenshot (WxH)")
    # For benchmarks/bench_launch.py: launch as a user does, render the first frame, print the
    # time it was ready (JSON) and exit; works the same in the desktop bundle, which has no Python.
    parser.add_argument("--exit-after-first-frame", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--channel", help="channel index or name of a multi-channel file (default: the first)")
    add_reading_choices(parser, viewer=True)
    parser.add_argument("--fs-hz", type=positive_hz, metavar="HZ",
                        help="sampling rate of one-column CSV files that do not state it")
    parser.set_defaults(run=run)


#: The smallest window the viewer lays out, and the largest image a screenshot renders (8K:
#: 132 MB of pixels; a 100000x100000 one would need 40 GB).
MIN_SIZE = (640, 400)
MAX_SIZE = (7680, 4320)


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,9})x(\d{1,9})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"size must look like 1600x900, got {text[:40]!r}")
    width, height = int(match[1]), int(match[2])
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise argparse.ArgumentTypeError(f"size must be from {MIN_SIZE[0]}x{MIN_SIZE[1]} to {MAX_SIZE[0]}x{MAX_SIZE[1]}, "
                                         f"got {width}x{height}")
    return width, height


#: What Qt's xcb platform needs on Linux beyond the PySide6 wheel; its own message names only
#: the first.
QT_SYSTEM_LIBRARIES = "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def run(args: argparse.Namespace) -> int:
    """Open the viewer (or render a screenshot and exit); 1 when it cannot start (said)."""
    if args.screenshot is not None:
        problem = _screenshot_problem(args.screenshot)
        if problem:
            print(f"emgviewer: error: {args.screenshot}: {problem}", file=sys.stderr)
            return 1
        # A screenshot needs no screen: render offscreen unless the user chose a platform.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif args.exit_after_first_frame:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif not _has_display():
        print("emgviewer: error: no display to open the viewer on (DISPLAY and WAYLAND_DISPLAY are "
              "unset). Run it in a desktop session, use --screenshot FILE.png (rendered offscreen), "
              f"or set QT_QPA_PLATFORM. On Linux Qt also needs: {QT_SYSTEM_LIBRARIES}.", file=sys.stderr)
        return 1
    if args.path is not None and not args.path.exists():
        print(f"emgviewer: error: {args.path}: no such file or folder", file=sys.stderr)
        return 1
    from emgviewer.inference.zoo import resolve_model
    from emgviewer.ui.app import run_viewer  # Qt is loaded only when a window is wanted

    options = {key: value for key, value in (("channel", args.channel), ("fs_hz", args.fs_hz)) if value is not None}
    return run_viewer(args.path, resolve_model(args.model) if args.model else None, args.screenshot, args.size,
                      read_options=options, force_verdict=args.force_verdict, final_model=args.final_model,
                      first_frame_only=args.exit_after_first_frame)


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _screenshot_problem(path: Path) -> str | None:
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return f"unknown image type {path.suffix or '(none)'!r}; use {', '.join(IMAGE_SUFFIXES)}"
    if not path.parent.is_dir():
        return f"folder {path.parent} does not exist"
    return None
