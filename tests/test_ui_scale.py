"""The viewer at scale and in the hand: the view stays where the reader put it, long records
draw without errors, and the command line says what to do without a display."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

pytest.importorskip("pytestqt")
from cli_runner import emgviewer_cli  # noqa: E402
from conftest import open_classified as _open  # noqa: E402
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402

from emgviewer.display import scales  # noqa: E402
from emgviewer.paths import demo_record_paths  # noqa: E402
from emgviewer.records.n2001_writer import write_n2001  # noqa: E402


def test_the_wheel_zooms_about_the_pointer(qtbot, window):
    _open(qtbot, window, demo_record_paths()[0])
    trace = window.trace
    trace.set_timebase(100)
    trace.set_start(2.0)
    pointer = 2.8  # 80 % across the 1-s screen
    trace.zoom_about(pointer, -1)  # one step in: 50 ms/div
    start, stop = trace.visible_range()
    assert trace.timebase_ms == 50
    assert (pointer - start) / (stop - start) == pytest.approx(0.8)
    # A real wheel turn over the trace: one step back out, about the instant under the pointer.
    view = trace.trace_plot.vb
    at = QtCore.QPointF(trace.mapFromScene(view.mapViewToScene(QtCore.QPointF(pointer, 0.0))))
    wheel = QtGui.QWheelEvent(at, trace.mapToGlobal(at), QtCore.QPoint(), QtCore.QPoint(0, -120),
                              QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier,
                              QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(trace.viewport(), wheel)
    start, stop = trace.visible_range()
    assert trace.timebase_ms == 100
    assert (pointer - start) / (stop - start) == pytest.approx(0.8, abs=0.01)  # within a pixel


def test_re_classifying_keeps_the_view_and_selects_on_screen(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[1])
    window.trace.set_timebase(100)
    window.trace.set_start(3.0)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.classify_current()
    assert window.trace.visible_range() == pytest.approx((3.0, 4.0))
    selected = window.selected
    assert 3.0 <= (window.result.starts_s[selected] + window.result.stops_s[selected]) / 2 <= 4.0


def test_gain_and_time_base_stay_across_records_and_f_fits(qtbot, window):
    _open(qtbot, window, demo_record_paths()[2])
    window.trace.set_timebase(20)
    window.trace.set_sensitivity(50)
    _open(qtbot, window, demo_record_paths()[0])
    assert (window.trace.timebase_ms, window.trace.sensitivity_uv) == (20, 50)
    assert "20 ms/div · 50 µV/div" in window.scale_label.text()
    qtbot.keyClick(window, QtCore.Qt.Key.Key_F)
    assert window.trace.sensitivity_uv == scales.fitting_sensitivity(window.record.signal_uv)


@pytest.mark.parametrize("timebase,unit,scale", [(10, "ms", 1e3), (100, "ms", 1e3), (200, "s", 1.0), (1000, "s", 1.0)])
def test_one_time_unit_per_time_base(qtbot, window, timebase, unit, scale):
    _open(qtbot, window, demo_record_paths()[0])
    window.trace.set_timebase(timebase)
    axis = window.trace.trace_plot.getAxis("bottom")
    assert (axis.labelUnits, axis.scale) == (unit, scale)


def test_a_40_minute_record_draws_ribbon_and_overview_without_errors(qtbot, window, fast_model_path, tmp_path):
    fs = 4000.0  # 40 min at 4 kHz: 9.6 M samples, small enough for a test
    signal = np.random.default_rng(1).normal(0, 50, int(40 * 60 * fs)).astype(np.float32)
    write_n2001(tmp_path, "long", signal, fs)
    messages = []
    QtCore.qInstallMessageHandler(lambda mode, context, text: messages.append(text))
    try:
        window.set_model(fast_model_path)
        window.hop_s = 0.5
        with qtbot.waitSignal(window.classificationShown, timeout=120_000):
            window.open_record(tmp_path / "long.hea")
        window.trace.set_timebase(2000)
        window.repaint()
        window.overview.repaint()
        qtbot.wait(50)
    finally:
        QtCore.qInstallMessageHandler(None)
    assert window.result.n_windows > 4000
    assert window.overview.ribbon_item.windows is not None and window.overview.ribbon_item.painted > 0
    low, high = window.overview.box.getRegion()
    pixels = (high - low) / window.record.duration_s * window.overview.width()
    assert pixels >= 5.9  # a 20-s screen of 40 min is still a box you can grab
    assert not [m for m in messages if "levels" in m or "Traceback" in m]


def _view(*args, env_update=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(env_update or {})
    return emgviewer_cli("view", *args, env=env, timeout=120)


@pytest.mark.skipif(sys.platform != "linux", reason="the display check is for Linux")
def test_without_a_display_the_viewer_says_what_to_do():
    run = _view(str(demo_record_paths()[0]))
    assert run.returncode == 1
    assert "no display to open the viewer on" in run.stderr and "libxcb-icccm4" in run.stderr
    assert "Traceback" not in run.stderr


def test_screenshot_errors_are_one_line_and_a_missing_record_never_hangs(tmp_path):
    missing = _view(str(tmp_path / "nothing.hea"), "--screenshot", str(tmp_path / "x.png"))
    assert missing.returncode == 1 and missing.stderr == f"emgviewer: error: {tmp_path / 'nothing.hea'}: no such file or folder\n"
    folder = _view("--screenshot", str(tmp_path / "absent" / "x.png"))
    assert folder.returncode == 1
    assert folder.stderr == f"emgviewer: error: {tmp_path / 'absent' / 'x.png'}: folder {tmp_path / 'absent'} does not exist\n"
    kind = _view("--screenshot", str(tmp_path / "x.gif"))
    assert kind.returncode == 1 and "unknown image type '.gif'" in kind.stderr


def test_a_headless_screenshot_renders_offscreen(tmp_path):
    out = tmp_path / "shot.png"
    run = _view(str(demo_record_paths()[0]), "--screenshot", str(out), "--size", "1280x720")
    assert run.returncode == 0, run.stderr
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)


def test_the_help_lists_every_keyed_action_in_two_columns(qtbot, window):
    window.show_shortcuts()
    table = window.shortcuts_dialog.findChild(QtWidgets.QTableWidget)
    keys = {table.item(r, 0).text() for r in range(table.rowCount())}
    expected = {" or ".join(s.toString() for s in a.shortcuts()) for a in window.actions() if a.shortcuts()}
    assert expected <= keys
    assert {"F", "Space", "B", "C", "T"} <= keys
    window.shortcuts_dialog.close()


def test_the_folder_report_reuses_classify_all(qtbot, window, fast_model_path, demo_copy, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    window.set_model(fast_model_path)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.open_folder(demo_copy)
    window.classify_all()
    with qtbot.waitSignal(window.jobs.folder_job.signals.finished, timeout=60_000):
        pass
    assert len(window.kept) == 3
    out = tmp_path / "folder.pdf"
    job = window.export_folder_report(out, summary_only=True)
    with qtbot.waitSignal(job.signals.finished, timeout=60_000):
        pass
    assert job.reused == 3  # no record classified a second time
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "demo_normal" in text and "demo_neurogenic" in text
    # Another hop is another classification: nothing reused.
    window.hop_s = 0.02
    job = window.export_folder_report(tmp_path / "other.pdf", summary_only=True)
    with qtbot.waitSignal(job.signals.finished, timeout=60_000):
        pass
    assert job.reused == 0


def test_the_close_up_scale_bar_and_its_label_stay_inside_a_narrow_close_up(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    window.resize(1280, 720)
    window.inspector.setFixedWidth(360)  # the inspector on a laptop screen
    _open(qtbot, window, demo_record_paths()[0])
    with qtbot.waitSignal(window.inspector.windowShown, timeout=5_000):
        window.select_window(3)
    bar = window.inspector.scale_bar
    view = window.inspector.closeup.getViewBox()
    box = view.sceneBoundingRect()
    for item in (bar.bar, bar.text):
        assert box.contains(item.sceneBoundingRect()), item
    assert not bar.bar.sceneBoundingRect().intersects(bar.text.sceneBoundingRect())
    left, right = (view.mapSceneToView(p).x() for p in (bar.bar.sceneBoundingRect().topLeft(),
                                                       bar.bar.sceneBoundingRect().topRight()))
    assert right - left == pytest.approx(bar.size, rel=0.05)  # the bar is as long as it says
    assert bar.text.textItem.toPlainText() == f"{bar.size * 1e3:g} ms"
    assert bar.text.fill.color().alpha() > 200  # on a white ground: legible over the trace


def test_held_down_stepping_draws_only_the_window_it_stops_at(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[0])
    qtbot.waitUntil(lambda: bool(window.inspector.shown), timeout=5_000)  # the window selected on arrival
    drawn = []
    window.inspector.windowShown.connect(drawn.append)
    for index in (30, 31, 32):  # three steps within one turn of the event loop
        window.select_window(index)
    assert window.inspector.shown["index"] != 32  # drawn on the next turn, not inside the step
    qtbot.waitUntil(lambda: drawn == [32], timeout=5_000)
    qtbot.wait(20)
    assert drawn == [32] and window.inspector.shown["index"] == 32
    assert window.inspector.title.text().startswith(f"Window 33/{window.result.n_windows}")


def test_a_zoomed_out_trace_draws_each_pixel_columns_min_max_stroke(qtbot, window):
    _open(qtbot, window, demo_record_paths()[0])
    trace = window.trace
    trace.set_timebase(1000)  # 10 s on about 900 px: hundreds of samples a column
    x, y = trace.displayed_data()
    record = window.record
    block = int(round((x[2] - x[0]) * record.fs_hz))  # samples under one pair (pairs sit at block centres)
    first = int(round(x[0] * record.fs_hz - block / 2))
    assert block >= 32 and x[0] == x[1]
    assert (y[0], y[1]) == (record.signal_uv[first: first + block].min(), record.signal_uv[first: first + block].max())
    path = trace.curve.getPath()
    moves = sum(path.elementAt(i).isMoveTo() for i in range(path.elementCount()))
    assert path.elementCount() == y.size and moves == y.size // 2  # one stroke per pair, none between them
    trace.set_timebase(10)  # sample by sample: one connected line
    path = trace.curve.getPath()
    assert sum(path.elementAt(i).isMoveTo() for i in range(path.elementCount())) == 1



def test_the_whole_record_keeps_its_trace_picture_and_redraws_it_when_the_signal_changes(qtbot, window):
    _open(qtbot, window, demo_record_paths()[0])
    trace = window.trace
    cached = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache

    def picture(cache: bool) -> QtGui.QImage:
        trace.curve.setCacheMode(cached if cache else QtWidgets.QGraphicsItem.CacheMode.NoCache)
        return trace.grab().toImage()

    trace.set_timebase(scales.TIMEBASE_MS[-1])  # the whole 11-s record on screen
    assert trace.curve.cacheMode() == cached
    whole = picture(True)
    assert whole == picture(False)  # the kept picture is the one a fresh paint draws
    assert picture(True) == whole  # kept again
    trace.set_display_signal(window.record.signal_uv * 0.25)
    assert trace.curve.cacheMode() == cached
    filtered = trace.grab().toImage()
    assert filtered != whole  # new samples: the kept picture is not stale
    assert filtered == picture(False)
    trace.set_timebase(100)  # zoomed in: the view can scroll, nothing is kept
    assert trace.curve.cacheMode() == QtWidgets.QGraphicsItem.CacheMode.NoCache


def test_closing_the_window_cancels_the_folder_job_and_waits_for_it(qtbot, window, fast_model_path, demo_copy,
                                                                   monkeypatch):
    import threading
    from types import SimpleNamespace

    import emgviewer.ui.folder_job as folder_job

    busy, idle = threading.Event(), threading.Event()

    def each_until_cancelled(paths, model, hop_s, token, force_verdict=False, final_model=False):
        """A job that is busy until it is cancelled, and then takes 0.2 s to wind down."""
        busy.set()
        while not token.cancelled:
            idle.wait(0.005)
        idle.wait(0.2)
        yield SimpleNamespace(path=paths[0], error="cancelled", result=None)

    monkeypatch.setattr(folder_job, "classify_each", each_until_cancelled)
    window.set_model(fast_model_path)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.open_folder(demo_copy)
    window.classify_all()
    job = window.jobs.folder_job
    assert busy.wait(20)
    assert not job.finished and window.jobs.folder_pool.activeThreadCount() == 1  # busy, in the window's own pool
    window.close()
    assert job.token.cancelled and job.finished  # close() cancelled it and waited until run() returned
    assert window.jobs.folder_pool.activeThreadCount() == 0


def test_a_saliency_failure_is_said_in_the_inspector_and_logged(qtbot, window, fast_model_path, monkeypatch, caplog):
    import emgviewer.ui.workers as workers

    def fail(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(workers, "occlusion_saliency", fail)
    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[0])
    qtbot.waitUntil(lambda: window.inspector.saliency_note.toPlainText() == "not computed: RuntimeError: boom", timeout=10_000)
    failures = [r for r in caplog.records if r.name == "emgviewer.jobs"]
    assert failures and failures[0].exc_info[0] is RuntimeError


def test_a_long_saliency_reason_wraps_inside_the_narrow_inspector(qtbot):
    """The reason for a missing saliency curve is the whole of that plot's content: cut off at the
    dock's edge (as a resampled record's reason was, seen in a screenshot), it is not given."""
    from emgviewer.ui.inspector import WindowInspector

    inspector = WindowInspector()
    qtbot.addWidget(inspector)
    inspector.resize(360, 700)
    inspector.show()
    qtbot.waitExposed(inspector)
    note, view = inspector.saliency_note, inspector.saliency.getViewBox()

    def size():
        return note.textItem.document().size()

    inspector.saliency_absent("none")
    one_line = size().height()
    reason = "not computed, the record was resampled from 23437.5 Hz (shown on its own samples only)"
    inspector.saliency_absent(reason)
    qtbot.waitUntil(lambda: size().width() <= view.width())
    assert note.toPlainText() == reason  # all of it, wrapped, nothing dropped
    assert size().height() >= 2 * one_line
    inspector.resize(1400, 700)  # wide enough for one line: it unwraps
    qtbot.waitUntil(lambda: size().height() == one_line)
