"""``emgviewer report PATH... --out FILE.pdf [--model FILE] [--paper a4|letter] [--summary-only] [--force]``"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emgviewer.cli.common import add_inputs_and_model, error, prepare, write_output
from emgviewer.inference.batch import classify_each
from emgviewer.report import PAPER_NAMES


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``report`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "report", help="write a PDF summary of records or folders",
        description="Classify and write a PDF report: one record gives a one-record report; a folder "
                    "gives the summary tables and a page per subject (--full adds every record's section: "
                    "the 423 N2001 records make about 1,300 pages); several record files give every "
                    "record's section.")
    add_inputs_and_model(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="the PDF to write")
    parser.add_argument("--paper", choices=PAPER_NAMES, default="a4", help="paper size (default: a4)")
    parser.add_argument("--summary-only", action="store_true",
                        help="the summary tables only (for one record too: its summary row)")
    parser.add_argument("--full", action="store_true",
                        help="for a folder, every record's section after its subject's page")
    parser.set_defaults(run=run, out_suffix=".pdf")


def run(args: argparse.Namespace) -> int:
    """Classify the records and write their PDF report; 1 if it could not be written or a record failed."""
    from emgviewer.report import folder_report_pdf, record_report_pdf  # reportlab: only when a PDF is made

    prepared = prepare(args)
    if prepared is None:
        return 1
    model, targets, failed = prepared
    results, failures = [], []
    for outcome in classify_each(targets, model, fs_hz=args.fs_hz, force_verdict=args.force_verdict,
                                 final_model=args.final_model):
        if outcome.error is not None:
            error(str(outcome.error))
            failures.append(str(outcome.error))
        else:
            results.append(outcome.result)
    if not results:
        error("no record could be read: no report written")
        return 1
    single = len(results) == 1 and not any(p.is_dir() for p in args.paths) and not args.summary_only
    if single:
        data = record_report_pdf(results[0], args.paper)
    else:
        title = "emgviewer report: " + ", ".join(str(p) for p in args.paths)
        every_record = args.full or not any(p.is_dir() for p in args.paths)
        data = folder_report_pdf(results, title, args.paper, args.summary_only, failures, records=every_record)
    if not write_output(args.out, data, args.force):
        return 1
    print(f"wrote {args.out} ({len(results)} record(s))", file=sys.stderr)
    return 1 if (failed or failures) else 0
