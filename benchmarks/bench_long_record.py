"""The viewer on a 30-minute record (42 M samples at 23.4 kHz), offscreen, on this machine.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_long_record.py [--minutes M] [--model FILE]

Writes a simulated N2001 record of M minutes (default 30) to a temporary folder, opens it in
the real main window with the default model, and measures:

- ``open_to_trace_ms``: from the open call to the trace drawn (the UI is busy meanwhile);
- ``open_to_first_colour_ms``: to the first ribbon bars (partial results);
- ``open_to_coloured_ms``: to the whole record classified;
- ``max_stall_ms``: the longest the event loop went without running a 5-ms timer, in an app
  whose one-time background imports are done (their stall is the ``warm_up`` phase), from the
  open to the end of classification and while scrolling afterwards (an arrow key held down
  for 2 s at two time bases; the open call itself included: it runs on the UI thread), and
  ``stall_ms_by_phase``, the worst in each phase (open, classify, muap, scroll);
- ``peak_rss_mb`` (and the record's float32 size, for the target size x 2.5 + 400 MB);
- ``frame_ms`` at 10 ms/div, 1 s/div and the whole record, and ``frame_ms_11s``, the same on
  an 11.2-s record of the same signal (the target).

Targets (issue 12): trace <= 2 s, max stall <= 100 ms, RSS within the bound, frames no worse
than for an 11-s record. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6 import QtCore  # noqa: E402

from emgviewer.inference import default_model_path  # noqa: E402
from emgviewer.ui.app import make_application  # noqa: E402
from emgviewer.ui.main_window import MainWindow  # noqa: E402


def long_record(folder: Path, minutes: float) -> Path:
    """Written by a child process, so its memory does not count in this one's peak RSS."""
    code = (f"import numpy as np; from pathlib import Path; "
            f"from emgviewer.records.simulate import simulate_emg; "
            f"from emgviewer.records.n2001_writer import N2001_FS_HZ, write_n2001; "
            f"piece = simulate_emg('normal', duration_s=30.0, seed=3).signal_uv; "
            f"n = int({minutes} * 60 * N2001_FS_HZ); "
            f"write_n2001(Path({str(folder)!r}), 'long', np.resize(piece, n), N2001_FS_HZ, ('muscle: biceps brachii',))")
    subprocess.run([sys.executable, "-c", code], check=True)
    return folder / "long.hea"


class StallMeter(QtCore.QObject):
    def __init__(self) -> None:
        super().__init__()
        self.last = time.perf_counter()
        self.worst = 0.0
        #: The worst stall in each phase (open, classify, muap, scroll): where to look.
        self.phase = "open"
        self.by_phase: dict[str, float] = {}
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        stall = (now - self.last) * 1e3
        self.worst = max(self.worst, stall)
        self.by_phase[self.phase] = round(max(self.by_phase.get(self.phase, 0.0), stall))
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()


def wait_for_events(app) -> None:
    """One turn of the event loop, sleeping until something happens (the stall meter's timer
    fires every 5 ms) as the app's own loop does: a loop spinning on processEvents would hold
    the interpreter lock and slow the background jobs it measures (the load took 0.6-1.4 s)."""
    app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.WaitForMoreEvents)


def scroll_like_a_user(app, window, steps_per_s: float = 30.0, seconds: float = 2.0) -> None:
    """An arrow key held down (about 30 steps a second), a division a step, at the time base
    shown and at 1 s/div, through the real event loop: what the stall meter sees while scrolling."""
    timer = QtCore.QTimer()
    timer.setInterval(round(1000 / steps_per_s))
    timer.timeout.connect(lambda: window.trace.scroll_divisions(1))
    for timebase in (window.trace.timebase_ms, 1000.0):
        window.trace.set_timebase(timebase)
        timer.start()
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            wait_for_events(app)
        timer.stop()


def baseline_frames(model: Path | None) -> dict:
    """Frame times on an 11.2-s record of the same simulated signal at the same gain, in a fresh
    process: the target for the long record's (frame cost follows what is drawn, so the 11-s
    demo records, a different signal, are no yardstick)."""
    command = [sys.executable, __file__, "--minutes", str(11.2 / 60), "--no-baseline"]
    command += ["--model", str(model)] if model else []
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["frame_ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the 11.2-s record of the same signal whose frames are the target")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    app = make_application()
    folder = Path(tempfile.mkdtemp())
    path = long_record(folder, args.minutes)
    settings = QtCore.QSettings(str(folder / "s.ini"), QtCore.QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(1600, 900)
    window.show()
    window.set_model(args.model or default_model_path())
    meter = StallMeter()
    # A running app: its one-time imports (done in the background after the first frame) are
    # over before a record is opened; their one stall is reported as the "warm_up" phase.
    warmed = []
    window.warmedUp.connect(lambda: warmed.append(True))
    meter.phase = "warm_up"
    meter.start()
    give_up = time.perf_counter() + 120
    while not warmed and time.perf_counter() < give_up:
        wait_for_events(app)
    meter.worst, meter.phase = 0.0, "open"
    marks: dict[str, float] = {}
    window.classificationShown.connect(lambda: marks.setdefault("coloured", time.perf_counter()))
    started = time.perf_counter()
    meter.last = started
    window.open_record(path)
    if window.record is not None:  # opened at once (a short record)
        window.trace.grab()
        marks["trace"] = time.perf_counter()
    while ("coloured" not in marks or window.muaps is None) and time.perf_counter() - started < 600:
        wait_for_events(app)
        if "first" not in marks and window.trace.ribbon is not None:
            marks["first"] = time.perf_counter()
        if "trace" not in marks and window.record is not None:
            window.trace.grab()
            marks["trace"] = time.perf_counter()
            meter.phase = "classify"
        if "coloured" in marks:
            meter.phase = "muap"
    meter.phase = "scroll"
    scroll_like_a_user(app, window)
    meter.timer.stop()  # the frames below are timed one by one: the app never renders like that
    frames = {}
    for name, timebase in (("10ms_div", 10.0), ("1s_div", 1000.0), ("whole", None)):
        if timebase is None:
            window.trace.set_timebase(max(window.trace.timebase_ms, window.record.duration_s * 100))
        else:
            window.trace.set_timebase(timebase)
        times = []
        for start in np.linspace(0, window.record.duration_s * 0.9, 25):
            app.processEvents()
            begin = time.perf_counter()
            window.trace.set_start(float(start))
            window.trace.grab()
            times.append((time.perf_counter() - begin) * 1e3)
        frames[name] = round(statistics.median(times[3:]), 1)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    record_mb = window.record.n_samples * 4 / 2**20
    out = {
        "minutes": args.minutes,
        "open_to_trace_ms": round((marks["trace"] - started) * 1e3),
        "open_to_first_colour_ms": round((marks.get("first", marks.get("coloured", started)) - started) * 1e3),
        "open_to_coloured_ms": round((marks.get("coloured", time.perf_counter()) - started) * 1e3),
        "max_stall_ms": round(meter.worst),
        "stall_ms_by_phase": meter.by_phase,  # max_stall_ms: all but warm_up
        "peak_rss_mb": round(rss_mb),
        "rss_bound_mb": round(record_mb * 2.5 + 400),
        "frame_ms": frames,
    }
    if not args.no_baseline:
        out["frame_ms_11s"] = baseline_frames(args.model)
    print(f"{args.minutes:g}-min record: trace {out['open_to_trace_ms']} ms, first colour "
          f"{out['open_to_first_colour_ms']} ms, coloured {out['open_to_coloured_ms']} ms, worst stall "
          f"{out['max_stall_ms']} ms {meter.by_phase}, peak RSS {out['peak_rss_mb']} MB (bound {out['rss_bound_mb']} MB), "
          f"frames {frames}" + (f" (11.2-s record of the same signal: {out['frame_ms_11s']})"
                                if "frame_ms_11s" in out else ""))
    print(json.dumps(out))
    window.close()


if __name__ == "__main__":
    main()
