"""PDF report speed.

    python benchmarks/bench_report.py [--data FOLDER] [--model FILE]

``report_s``: one record's full report (classification excluded: the viewer already has it);
``folder_report_s``: the whole 423-record folder in summary-only mode, classification
included, as ``emgviewer report FOLDER --summary-only`` runs it. Last line: one JSON object.
Target: one record <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from emgviewer.inference import classify, default_model_path, load_model
from emgviewer.paths import demo_record_paths
from emgviewer.records import index_folder, read_record
from emgviewer.report import folder_report_pdf, record_report_pdf


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=os.environ.get("EMGVIEWER_N2001_DIR"))
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    temporary = None
    model_path = args.model or default_model_path()
    if model_path is None:
        sys.path.insert(0, str(Path(__file__).parent))
        from bench_inference import export_stand_in

        temporary = tempfile.TemporaryDirectory()
        model_path, _ = export_stand_in(Path(temporary.name))
    model = load_model(model_path, force_cpu=True)
    record_path = args.data / "N2001A01BB02.hea" if args.data else demo_record_paths()[2]
    result = classify(read_record(record_path), model)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        data = record_report_pdf(result)
        times.append(time.perf_counter() - start)
    numbers = {"model": model.card.name, "record": result.record.name, "report_s": statistics.median(times),
               "report_bytes": len(data), "folder_report_s": None}
    print(f"one record: {numbers['report_s']:.3f} s, {len(data) / 1024:.0f} KiB (target <= 2 s)")
    if args.data:
        start = time.perf_counter()
        results = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for entry in index_folder(args.data).records:
                results.append(classify(read_record(entry.path), model))
        classified = time.perf_counter() - start
        folder = folder_report_pdf(results, "N2001", summary_only=True)
        numbers["folder_report_s"] = time.perf_counter() - start
        numbers["folder_classify_s"] = classified
        print(f"folder: {len(results)} records, {numbers['folder_report_s']:.1f} s "
              f"({classified:.1f} s classifying), {len(folder) / 1024:.0f} KiB")
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in numbers.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
