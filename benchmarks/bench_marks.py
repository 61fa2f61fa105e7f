"""The reader's marks at scale, on this machine: the events file's write and read, and a record's
PDF report holding them.

    python benchmarks/bench_marks.py [--counts 2000,20000,100000]

For each count: ``save_ms`` and ``load_ms`` of an events file of that many marks (labels of
20-60 characters, some with tabs, quotes and line breaks), its size, and ``report_s``, the
record report (a demo record classified by the default model) with those marks. The round-2
probe measured the report at 1.7 s for 2,000 marks, 25.7 s for 20,000 and over 300 s for
100,000 (time growing with the square of the marks). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from emgviewer.inference import classify, default_model_path, load_model
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record
from emgviewer.records.annotations import Annotation, load_annotations, save_annotations
from emgviewer.report import record_report_pdf


def marks(n: int) -> list[Annotation]:
    rng = np.random.default_rng(0)
    words = ["fibrillation", "MUAP", 'the "big" one', "artefact\tnear", "two\nlines", "positive sharp wave"]
    return [Annotation(float(t), float(d), f"{words[i % len(words)]} {i}")
            for i, (t, d) in enumerate(zip(np.sort(rng.uniform(0, 11, n)), rng.choice([0.0, 0.05], n)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="2000,20000,100000")
    args = parser.parse_args()
    result = classify(read_record(demo_record_paths()[0]), load_model(default_model_path(), force_cpu=True))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r_events.tsv"
        for n in (int(c) for c in args.counts.split(",")):
            written = marks(n)
            started = time.perf_counter()
            save_annotations(path, written)
            save_ms = (time.perf_counter() - started) * 1e3
            started = time.perf_counter()
            back = load_annotations(path)
            load_ms = (time.perf_counter() - started) * 1e3
            assert back == sorted(written, key=lambda a: a.onset_s)
            started = time.perf_counter()
            pdf = record_report_pdf(result, marks=(back, "sidecar"))
            report_s = time.perf_counter() - started
            row = {"marks": n, "file_mb": round(path.stat().st_size / 2**20, 2), "save_ms": round(save_ms, 1),
                   "load_ms": round(load_ms, 1), "report_s": round(report_s, 2), "pdf_kb": len(pdf) // 1024}
            print(f"{n:>7,} marks: save {save_ms:7.1f} ms, load {load_ms:7.1f} ms ({row['file_mb']} MB), "
                  f"report {report_s:5.2f} s ({row['pdf_kb']} KB)")
            rows.append(row)
    print(json.dumps({"marks": rows}))


if __name__ == "__main__":
    main()
