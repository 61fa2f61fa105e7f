"""Regenerate the shipped demo records: ``python -m emgviewer.records.simulate resources/demo``."""

import argparse
import sys

from emgviewer.records.simulate import write_demo_records

parser = argparse.ArgumentParser(prog="python -m emgviewer.records.simulate",
                                 description="Write the simulated demo records (N2001 format).")
parser.add_argument("folder", help="output folder, e.g. resources/demo")
parser.add_argument("--overwrite", action="store_true", help="replace existing demo records")
args = parser.parse_args()
try:
    paths = write_demo_records(args.folder, overwrite=args.overwrite)
except FileExistsError as err:
    sys.exit(f"python -m emgviewer.records.simulate: error: {str(err).replace('overwrite=True', '--overwrite')}")
except OSError as err:
    sys.exit(f"python -m emgviewer.records.simulate: error: {args.folder}: {err.strerror or err}")
for path in paths:
    print(path)
