"""``emgviewer models [--json]``: the models that ship, each with what its card says it can do,
so a user can choose one by name (``--model munet-local``) knowing how it was evaluated."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from emgviewer.inference import ModelError, load_model
from emgviewer.inference.zoo import DEFAULT_MODEL_NAME, available_models


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``models`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "models", help="list the shipped models and their subject-independent numbers",
        description="List the models that ship with emgviewer: the name to pass as --model, the card's "
                    "model and version, and the evaluation its card carries (subjects never seen in training).")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run)


def describe(path: Path) -> dict[str, Any]:
    """One shipped model as its card states it; ``problem`` instead where it cannot be opened."""
    entry: dict[str, Any] = {"name": path.stem, "default": path.name == DEFAULT_MODEL_NAME, "path": str(path)}
    try:
        card = load_model(path, force_cpu=True, threads=1).card
    except ModelError as err:
        return {**entry, "problem": str(err)}
    evaluation = card.evaluation
    return {**entry, "model": card.name, "version": card.version, "architecture": card.architecture,
            "classes": [c.name for c in card.classes],
            "evaluation": {key: evaluation.get(key) for key in
                           ("protocol", "window_balanced_accuracy", "window_accuracy", "records", "subjects")},
            "evaluated_on": _evaluated_on(card)}


def _evaluated_on(card) -> str | None:
    """Whom the card's numbers describe, from its provenance: "leave-one-subject-out over 19 N2001 subjects"."""
    provenance = card.provenance
    if provenance is None or not provenance.protocol_kind:
        return None
    return f"{provenance.protocol_kind} over {len(provenance.subjects)} {provenance.dataset} subjects"


def run(args: argparse.Namespace) -> int:
    """List the shipped models (a table, or JSON); always 0."""
    models = [describe(path) for path in available_models()]
    if args.json:
        print(json.dumps({"models": models}, indent=2, ensure_ascii=False))
    else:
        print(table(models))
    return 1 if any("problem" in m for m in models) else 0


def table(models: list[dict[str, Any]]) -> str:
    """The models as a text table, with where their numbers come from."""
    if not models:
        return "No model ships with this installation; pass --model FILE to classify, report and view."
    rows = [("name", "model", "version", "windows bal. acc.", "records", "subjects")]
    for m in models:
        if "problem" in m:
            rows.append((m["name"], f"cannot be opened: {m['problem']}", "", "", "", ""))
            continue
        e = m["evaluation"]
        balanced = "-" if e["window_balanced_accuracy"] is None else f"{e['window_balanced_accuracy']:.1%}"
        rows.append((m["name"], m["model"], m["version"], balanced,
                     e["records"] or "-", e["subjects"] or "-"))
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    whom = sorted({m["evaluated_on"] or "not stated in the card" for m in models if "problem" not in m})
    return "\n".join([*lines, "", f"Numbers from each card: people the model never saw ({'; '.join(whom)}).",
                      "Choose one with --model NAME (classify, report, view) or File → Models in the viewer."])
