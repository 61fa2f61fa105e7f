"""``python -m training models``: the registered architectures, their size and their source."""

from __future__ import annotations

import argparse
import json


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``models`` command and its options, added to ``commands``."""
    listing = commands.add_parser("models", help="list the registered models")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the registered models (a table, or JSON); always 0."""
    from training.zoo import model_rows

    rows = model_rows()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['name']:<14} {row['parameters']:>11,} params {row['macs_per_window'] / 1e6:>9.1f} M MACs  "
              f"{row['fs_hz']:g} Hz, {row['window_s']:g} s windows  {row['citation']}")
    return 0
