"""Reading speed on the real N2001 folder.

    python benchmarks/bench_records.py [FOLDER]     (default: $EMGVIEWER_N2001_DIR)

Prints per-step numbers, then, as its last line, one JSON object with ``read_record_ms``
(median over the 423 records, files in the page cache after one warm-up pass) and
``index_folder_s`` (median of 5 runs). Targets: <= 5 ms a record, <= 1 s a folder.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

from emgviewer.records import index_folder, read_record


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("EMGVIEWER_N2001_DIR", ""))
    if not folder.is_dir():
        print("usage: bench_records.py FOLDER (or set EMGVIEWER_N2001_DIR)", file=sys.stderr)
        return 2
    headers = sorted(folder.glob("*.hea"))
    for header in headers:  # warm the page cache: we measure parsing, not the disk
        read_record(header)
    read_ms = []
    for header in headers:
        start = time.perf_counter()
        read_record(header)
        read_ms.append((time.perf_counter() - start) * 1e3)
    index_s = []
    for _ in range(5):
        start = time.perf_counter()
        index = index_folder(folder)
        index_s.append(time.perf_counter() - start)
    result = {
        "records": len(headers),
        "read_record_ms": round(statistics.median(read_ms), 3),
        "read_record_ms_p95": round(sorted(read_ms)[int(0.95 * len(read_ms))], 3),
        "index_folder_s": round(statistics.median(index_s), 4),
        "indexed": len(index.records),
    }
    print(f"read_record: median {result['read_record_ms']} ms, p95 {result['read_record_ms_p95']} ms "
          f"over {len(headers)} records (target <= 5 ms)")
    print(f"index_folder: median {result['index_folder_s']} s for {result['indexed']} records (target <= 1 s)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
