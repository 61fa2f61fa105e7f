"""What saying a verdict honestly costs: the signal profile and the whole assessment
(statement, seen in training, out-of-fold lookup, out-of-distribution caveats) per record,
beside the classification itself.

    python benchmarks/bench_caveats.py [--data FOLDER] [--model FILE] [--records N]

Without --data the three demo records are used. Last line: one JSON object with
``profile_ms`` and ``assess_ms`` (medians; p95 beside them) and ``classify_ms`` for scale.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from emgviewer.analysis.signal_profile import signal_profile
from emgviewer.inference import classify, default_model_path, load_model
from emgviewer.inference.caveats import assess
from emgviewer.paths import demo_record_paths
from emgviewer.records import index_folder, read_record


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return round(statistics.median(ordered) * 1e3, 2), round(ordered[int(0.95 * (len(ordered) - 1))] * 1e3, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--records", type=int, default=None, help="only the first N records")
    args = parser.parse_args()
    model = load_model(args.model or default_model_path(), threads=2)
    paths = [e.path for e in index_folder(args.data).records] if args.data else demo_record_paths()
    paths = paths[: args.records] if args.records else paths
    profile_s, assess_s, classify_s = [], [], []
    for path in paths:
        record = read_record(path)
        started = time.perf_counter()
        result = classify(record, model)
        classify_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        signal_profile(record.signal_uv, record.fs_hz)
        profile_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        assess(result)
        assess_s.append(time.perf_counter() - started)
    summary = {"records": len(paths), "profile_ms": _ms(profile_s), "assess_ms": _ms(assess_s),
               "classify_ms": _ms(classify_s)}
    print(f"{len(paths)} records: profile {summary['profile_ms'][0]} ms, assessment {summary['assess_ms'][0]} ms, "
          f"classification {summary['classify_ms'][0]} ms (medians)")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
