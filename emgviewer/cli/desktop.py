"""``emgviewer install-desktop [--uninstall] [--data-dir DIR]``: the menu entry and file types."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from emgviewer.cli.common import error
from emgviewer.desktop_entry import install, installed_paths, program_command, uninstall


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``install-desktop`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "install-desktop", help="add EMG Viewer to this user's menu and open .hea/.bin/.edf files with it",
        description="Add EMG Viewer to this user's application menu (Linux desktops), with its icon, "
                    "and make it the program a file manager offers for .hea, .bin and .edf files. The "
                    "entry runs this very program; run the command again after moving the bundle.")
    parser.add_argument("--uninstall", action="store_true", help="remove the entry, icon and file types")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="XDG data folder (default: $XDG_DATA_HOME, else ~/.local/share)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Install (or remove) the desktop entry; 0, or 1 when a file cannot be written (said)."""
    data_dir = args.data_dir or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    try:
        if args.uninstall:
            removed = uninstall(data_dir)
            print("removed " + ", ".join(map(str, removed)) if removed else f"nothing of emgviewer's in {data_dir}")
            return 0
        notes = install(data_dir, program_command())
    except OSError as err:  # a read-only or full disk, a file in the way: said, nothing half-written
        error(f"{err.filename or data_dir}: cannot write the desktop entry ({err.strerror or err})")
        return 1
    print(f"EMG Viewer is in the menu: {installed_paths(data_dir)['entry']}")
    print(f"it runs: {' '.join(program_command())} FILE")
    for note in notes:
        print(f"  {note}")
    return 0
