"""Launch to first trace: a fresh ``emgviewer view RECORD`` process, offscreen, on this machine.

    python benchmarks/bench_launch.py [RECORD] [--runs N] [--executable dist/emgviewer/emgviewer]

Each run starts a new interpreter that goes through the real entry point (``emgviewer.cli``,
then ``run_viewer``'s window building with the model deferred, as an interactive launch does)
and stops once the main window with its trace has been rendered. Reported: the median and
worst wall time from the process start (taken by this parent just before it spawns the child)
to that first rendered frame, and the child's own split (imports, window built, first frame).
With ``--executable`` the program measured is that one (the desktop bundle: no Python inside,
so no split): ``EXE view RECORD --exit-after-first-frame``, the same launch up to the same
frame. Targets: <= 1.5 s for an 11-s record from a Python install, <= 2 s from the bundle, on
2 cores. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

_CHILD = r"""
import os, sys, time, json
marks = {}
import emgviewer.cli  # the console script's module, as `emgviewer view` loads it
from emgviewer.ui.app import build_window, make_application
marks["imports"] = time.time()
app = make_application()
window = build_window(__RECORD__, None, defer_model=True)
window.resize(1280, 720)
window.show()
marks["window"] = time.time()
app.processEvents()
window.grab()  # the first frame, trace included, rendered for real
marks["first_frame"] = time.time()
assert window.record is not None, "the record did not open"
print(json.dumps(marks), flush=True)
os._exit(0)  # the first frame is what is measured; jobs started by the open are not waited for
"""


def one_run(record: Path) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.time()
    code = _CHILD.replace("__RECORD__", f"__import__('pathlib').Path({str(record)!r})")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: (at - started) * 1e3 for name, at in marks.items()}


def one_run_of(executable: Path, record: Path) -> dict[str, float]:
    """One launch of a built program (the desktop bundle) to its first frame."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.time()
    done = subprocess.run([str(executable), "view", str(record), "--exit-after-first-frame"], env=env,
                          capture_output=True, text=True, check=True)
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    assert marks["record_open"], "the record did not open"
    return {"first_frame": (marks["first_frame"] - started) * 1e3}


def main() -> None:
    from emgviewer.paths import demo_record_paths

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("record", nargs="?", type=Path, default=None, help="default: the neurogenic demo record")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--executable", type=Path, help="a built emgviewer program (the desktop bundle's)")
    args = parser.parse_args()
    record = args.record or demo_record_paths()[2]
    launch = (lambda: one_run_of(args.executable, record)) if args.executable else (lambda: one_run(record))
    launch()  # warm the disk cache and the .pyc files
    runs = [launch() for _ in range(args.runs)]
    first = [r["first_frame"] for r in runs]
    out = {
        "record": record.name,
        "program": str(args.executable) if args.executable else "python -m emgviewer.cli",
        "runs": args.runs,
        "launch_to_first_trace_ms": round(statistics.median(first)),
        "worst_ms": round(max(first)),
    }
    split = ""
    if not args.executable:
        out["imports_ms"] = round(statistics.median(r["imports"] for r in runs))
        out["window_built_ms"] = round(statistics.median(r["window"] for r in runs))
        split = f"; imports done at {out['imports_ms']} ms, window built at {out['window_built_ms']} ms"
    print(f"launch to first trace on {record.name} ({out['program']}): median {out['launch_to_first_trace_ms']} ms "
          f"(worst {out['worst_ms']} ms){split}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
