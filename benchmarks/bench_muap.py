"""MUAP analysis speed: one 11.2-s record (detection, sorting, averaging, measures).

    python benchmarks/bench_muap.py [--data FOLDER] [--repeats N] [--busy N]

Times ``analyse_muaps`` on the simulated validation record (four units, 8 µV noise, 11.2 s at
23.4 kHz) and, with ``--data``, on every N2001 record of the folder (read once, then analysed),
printing the median and the slowest. Target (2 cores): <= 150 ms for one 11.2-s record.
``--busy N`` keeps N other processes computing throughout (one thread each), as the viewer's
classification does beside its MUAP analysis, or a training run does.
Last line: one JSON object with ``simulated_ms`` and ``n2001_median_ms`` / ``n2001_p90_ms`` /
``n2001_max_ms`` (null without the data folder).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from emgviewer.analysis.muap import analyse_muaps
from emgviewer.records import index_folder, read_record
from emgviewer.records.simulate import VALIDATION_UNITS, simulate_units


def best_of(signal: np.ndarray, fs_hz: float, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        analyse_muaps(signal, fs_hz)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def _busy(stop) -> None:
    """Work until told to stop: a stand-in for another job holding a core."""
    import os

    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    x = np.random.default_rng(0).normal(size=(256, 256))
    while not stop.is_set():
        x = np.tanh(x @ x.T / 256.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="the unpacked N2001 folder")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--busy", type=int, default=0, help="other processes kept computing meanwhile")
    args = parser.parse_args()
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: its BLAS reads the limit
    stop = context.Event()
    workers = [context.Process(target=_busy, args=(stop,), daemon=True) for _ in range(args.busy)]
    for worker in workers:
        worker.start()
    try:
        measure(args)
    finally:
        stop.set()
        for worker in workers:
            worker.join(5)


def measure(args: argparse.Namespace) -> None:
    if args.busy:
        print(f"beside {args.busy} busy process(es)")
    sim = simulate_units(VALIDATION_UNITS, 11.2, noise_uv_rms=8.0, seed=0)
    analyse_muaps(sim.signal_uv, sim.fs_hz)  # warm caches (filters) before timing
    simulated = best_of(sim.signal_uv, sim.fs_hz, args.repeats)
    print(f"simulated validation record (11.2 s, 4 units): median {simulated:.0f} ms over {args.repeats} runs")
    out = {"simulated_ms": round(simulated, 1), "n2001_median_ms": None, "n2001_p90_ms": None,
           "n2001_max_ms": None, "busy": args.busy}
    if args.data:
        per_record = []
        for entry in index_folder(args.data).records:
            record = read_record(entry.path)
            per_record.append((best_of(record.signal_uv, record.fs_hz, 1), record.name))
        values = np.array([ms for ms, _ in per_record])
        slowest = max(per_record)
        print(f"N2001, {values.size} records: median {np.median(values):.0f} ms, 90th percentile "
              f"{np.percentile(values, 90):.0f} ms, slowest {slowest[0]:.0f} ms ({slowest[1]}); "
              f"{np.mean(values <= 150):.0%} within 150 ms")
        out.update(n2001_median_ms=round(float(np.median(values)), 1),
                   n2001_p90_ms=round(float(np.percentile(values, 90)), 1),
                   n2001_max_ms=round(float(values.max()), 1))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
