"""Viewer speed, offscreen at 2560x800 on a real 11.2-s N2001 record (classified windows).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_view.py [--data FOLDER] [--model FILE]

Measures the median frame time while panning (set range, then render the widget) at full view
and at a 1-s view, for our trace and for the slow baseline: a plain pyqtgraph PlotDataItem with
peak auto-downsampling and one LinearRegionItem per window, in the same run. Then the time
from opening the record to the coloured overlay being painted. Last line: one JSON object.
Targets: <= 8 ms full view, >= 3x faster than the baseline, open -> coloured <= 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6 import QtCore  # noqa: E402

from emgviewer.display.overlay import ribbon_windows  # noqa: E402
from emgviewer.inference import classify, default_model_path, load_model  # noqa: E402
from emgviewer.paths import demo_record_paths  # noqa: E402
from emgviewer.records import read_record  # noqa: E402
from emgviewer.ui.app import make_application  # noqa: E402
from emgviewer.ui.main_window import MainWindow  # noqa: E402
from emgviewer.ui.trace_view import TraceView  # noqa: E402

SIZE = (2560, 800)
FRAMES = 40


def frame_times(widget, set_view, starts) -> float:
    times = []
    for start in starts:
        begin = time.perf_counter()
        set_view(start)
        widget.grab()
        times.append((time.perf_counter() - begin) * 1e3)
    return statistics.median(times[3:])


def ours(record, result, span_s: float) -> float:
    view = TraceView()
    view.resize(*SIZE)
    view.show()
    view.set_record(record)
    view.set_classification(ribbon_windows(result))
    view.set_timebase(span_s * 100)  # ms/div for 10 divisions
    stop = max(record.duration_s - span_s, 0.0)
    starts = np.linspace(0, stop, FRAMES) if stop > 0 else np.zeros(FRAMES)
    median = frame_times(view, view.set_start, starts)
    view.close()
    return median


def baseline(record, result, span_s: float) -> float:
    widget = pg.PlotWidget(background="w")
    widget.resize(*SIZE)
    widget.show()
    plot = widget.getPlotItem()
    plot.setDownsampling(auto=True, mode="peak")  # on the PlotItem: pyqtgraph resets it on curves
    plot.setClipToView(True)
    t = np.arange(record.n_samples) / record.fs_hz
    plot.addItem(pg.PlotDataItem(t, record.signal_uv, pen="k"))
    colours = [c.colour for c in result.model.card.classes]
    for i in range(result.n_windows):
        colour = colours[int(result.predicted[i])] if result.valid[i] else "#969696"
        region = pg.LinearRegionItem((result.starts_s[i], result.stops_s[i]), movable=False,
                                     brush=pg.mkBrush(colour + "40"))
        plot.addItem(region)
    stop = max(record.duration_s - span_s, 0.0)
    starts = np.linspace(0, stop, FRAMES) if stop > 0 else np.zeros(FRAMES)
    median = frame_times(widget, lambda s: plot.setXRange(s, s + span_s, padding=0), starts)
    widget.close()
    return median


def open_to_coloured(path: Path, model_path: Path, app) -> float:
    settings = QtCore.QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QtCore.QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(*SIZE)
    window.show()
    window.set_model(model_path)
    app.processEvents()
    times = []
    for _ in range(5):
        done = []
        window.classificationShown.connect(lambda done=done: done.append(time.perf_counter()))
        begin = time.perf_counter()
        window.open_record(path)
        while not done:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)
        window.grab()
        times.append((time.perf_counter() - begin) * 1e3)
        window.classificationShown.disconnect()
    window.close()
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=os.environ.get("EMGVIEWER_N2001_DIR"))
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    app = make_application()
    record_path = args.data / "N2001A01BB02.hea" if args.data else demo_record_paths()[2]
    model_path = args.model or default_model_path()
    temporary = None
    if model_path is None:
        sys.path.insert(0, str(Path(__file__).parent))
        from bench_inference import export_stand_in

        temporary = tempfile.TemporaryDirectory()
        model_path, _ = export_stand_in(Path(temporary.name))
    model = load_model(model_path, force_cpu=True)
    record = read_record(record_path)
    result = classify(record, model)
    full = record.duration_s
    numbers = {
        "record": record.name, "windows": result.n_windows, "model": model.card.name,
        "frame_ms_full": ours(record, result, full),
        "frame_ms_1s": ours(record, result, 1.0),
        "baseline_frame_ms_full": baseline(record, result, full),
        "baseline_frame_ms_1s": baseline(record, result, 1.0),
        "open_to_coloured_ms": open_to_coloured(record_path, model_path, app),
    }
    numbers["speedup_full"] = numbers["baseline_frame_ms_full"] / numbers["frame_ms_full"]
    for key, value in numbers.items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in numbers.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
