"""Display filter and sound speed on one record (and the same record repeated, as a long one).

    python benchmarks/bench_reading_tools.py [RECORD] [--repeat N]

Prints the median time to filter the record through HP 20 Hz + LP 2 kHz + notch 50 Hz, to make
its sound (44.1 kHz PCM), and to filter the record repeated N times (default 30: 5.6 min of
N2001). Records up to 2 M samples are filtered on the UI thread (ui/filters.py), so the first
number is what a reader waits. Last line: JSON with ``filter_ms``, ``sound_ms``, ``long_filter_s``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from emgviewer.analysis.audio import pcm16
from emgviewer.analysis.display_filter import DisplayFilter
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record


def median_ms(work, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("record", nargs="?", default=str(demo_record_paths()[2]))
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    record = read_record(args.record)
    spec = DisplayFilter(20.0, 2000.0, 50.0)
    spec.apply(record.signal_uv, record.fs_hz)  # filter design cached before timing
    filter_ms = median_ms(lambda: spec.apply(record.signal_uv, record.fs_hz))
    sound_ms = median_ms(lambda: pcm16(record.signal_uv, record.fs_hz))
    long = np.tile(record.signal_uv, args.repeat)
    long_s = median_ms(lambda: spec.apply(long, record.fs_hz), repeats=1) / 1e3
    print(f"{record.name} ({record.duration_s:.1f} s): filter {filter_ms:.1f} ms, sound {sound_ms:.1f} ms; "
          f"{args.repeat} x as long ({record.duration_s * args.repeat / 60:.1f} min): filter {long_s:.2f} s")
    print(json.dumps({"filter_ms": round(filter_ms, 1), "sound_ms": round(sound_ms, 1), "long_filter_s": round(long_s, 2)}))


if __name__ == "__main__":
    main()
