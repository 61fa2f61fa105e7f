"""``emgviewer compare PATH... --with MODEL [--model MODEL] [--hop S] [--format table|json] [--out FILE]``

Two models on the same records, window by window (as Analysis → Compare with model in the
viewer): on how many windows they name the same class, and both record verdicts. Bad files are
reported one line each on stderr and skipped; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from emgviewer.cli.common import add_inputs_and_model, emit, error, open_model, positive_seconds, prepare, warn_caveats
from emgviewer.inference import classify
from emgviewer.inference.batch import classify_each
from emgviewer.inference.comparison import Comparison, compare
from emgviewer.inference.model import LoadedModel

SCHEMA = "emgviewer-compare/1"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``compare`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "compare", help="compare two models on the same records, window by window",
        description="Classify each record with --model and with --with, at the same hop, and say on how "
                    "many windows the two name the same class and what each says of the record. Where "
                    "two trained models disagree, the colour says more about the model than the signal.")
    add_inputs_and_model(parser)
    parser.add_argument("--with", dest="other", type=Path, required=True, metavar="MODEL",
                        help="the second model: an ONNX file or a shipped model's name (emgviewer models)")
    parser.add_argument("--hop", type=positive_seconds, metavar="S",
                        help="hop between windows in seconds (default: --model's card's)")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="json: schema " + SCHEMA)
    parser.add_argument("--out", type=Path, metavar="FILE", help="write here instead of standard output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Classify each record with both models and print how often they agree; 1 if any record failed."""
    prepared = prepare(args)
    if prepared is None:
        return 1
    model, targets, failed = prepared
    other = open_model(argparse.Namespace(model=args.other, cpu=args.cpu))
    if other is None:
        return 1
    rows = []
    for outcome in classify_each(targets, model, args.hop, fs_hz=args.fs_hz, force_verdict=args.force_verdict,
                                 final_model=args.final_model):
        if outcome.error is not None:
            error(str(outcome.error))
            failed += 1
            continue
        first = outcome.result
        warn_caveats(first)  # the record's, as classify says them (the second model's may differ)
        second = classify(first.record, other, hop_s=first.hop_s, force_verdict=args.force_verdict,
                          final_model=args.final_model)
        rows.append(record_row(compare(first, second)))
    document = {"schema": SCHEMA, "model": _model(model), "with": _model(other), "records": rows,
                "totals": totals(rows)}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n" if args.format == "json" else table(document)
    if not emit(text, args.out, args.force):
        return 1
    return 1 if failed else 0


def _model(model: LoadedModel) -> dict[str, Any]:
    return {"name": model.card.name, "version": model.card.version, "file": model.path.name}


def _verdict(result) -> dict[str, Any]:
    verdict = result.verdict
    return {"label": verdict.label, "confidence": None if verdict.confidence is None else round(verdict.confidence, 4),
            "reason": verdict.reason}


def record_row(comparison: Comparison) -> dict[str, Any]:
    """One record's comparison as JSON: windows compared and agreeing, and both verdicts."""
    first, second = comparison.first, comparison.second
    mine, theirs = _verdict(first), _verdict(second)
    both = mine["label"] is not None and theirs["label"] is not None
    return {"record": first.record.name, "path": str(first.record.source_path), "hop_s": first.hop_s,
            "windows": first.n_windows, "windows_compared": comparison.n_comparable,
            "windows_agree": comparison.n_agree, "verdict": mine, "with_verdict": theirs,
            "verdicts_agree": mine["label"] == theirs["label"] if both else None}


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The comparison over every record: windows and verdicts agreeing."""
    judged = [r for r in rows if r["verdicts_agree"] is not None]
    return {"records": len(rows), "windows_compared": sum(r["windows_compared"] for r in rows),
            "windows_agree": sum(r["windows_agree"] for r in rows),
            "records_with_both_verdicts": len(judged), "verdicts_agree": sum(r["verdicts_agree"] for r in judged)}


def _said(verdict: dict[str, Any]) -> str:
    return "no verdict" if verdict["label"] is None else f"{verdict['label']} {verdict['confidence']:.2f}"


def _share(agree: int, compared: int) -> str:
    return f"{agree}/{compared}" + (f" ({agree / compared:.0%})" if compared else "")


def table(document: dict[str, Any]) -> str:
    """The comparison document as a text table."""
    first, second = document["model"], document["with"]
    lines = [f"model: {first['name']} {first['version']} [{first['file']}]",
             f"with:  {second['name']} {second['version']} [{second['file']}]", "",
             f"{'record':<22} {'windows agree':<16} {'model says':<18} with says"]
    for r in document["records"]:
        lines.append(f"{r['record']:<22} {_share(r['windows_agree'], r['windows_compared']):<16} "
                     f"{_said(r['verdict']):<18} {_said(r['with_verdict'])}")
    t = document["totals"]
    lines += ["", f"All {t['records']} records: windows agree {_share(t['windows_agree'], t['windows_compared'])}; "
                  f"record verdicts agree {_share(t['verdicts_agree'], t['records_with_both_verdicts'])}.",
              "A window counts where both models classified it (valid); classes are compared by name.",
              "Research and teaching tool, not a medical device."]
    return "\n".join(lines) + "\n"
