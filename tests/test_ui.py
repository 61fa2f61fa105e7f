"""The real viewer under pytest-qt (offscreen): model first, then the view, then assertions on
what the view displays."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")
from conftest import open_classified as _open  # noqa: E402
from PySide6 import QtCore  # noqa: E402

from emgviewer.display import scales  # noqa: E402
from emgviewer.display.colours import hex_to_rgb  # noqa: E402
from emgviewer.paths import demo_record_paths  # noqa: E402
from emgviewer.records.n2001_writer import write_n2001  # noqa: E402
from emgviewer.ui.main_window import NO_MODEL_MESSAGE, MainWindow  # noqa: E402


def _ribbon_pixel(window, index: int, share_x: float, share_y: float):
    """The colour on screen at a point of window ``index``'s bar: ``share_x`` along its span,
    ``share_y`` down its lane."""
    trace = window.trace
    ribbon = trace.ribbon
    t = ribbon.starts_s[index] + share_x * (ribbon.drawn_stops_s()[index] - ribbon.starts_s[index])
    y = (ribbon.lane[index] + share_y) / ribbon.lanes
    scene = trace.ribbon_plot.vb.mapViewToScene(QtCore.QPointF(t, y))
    point = trace.mapFromScene(scene)
    image = trace.grab().toImage()
    ratio = image.width() / trace.width()
    colour = image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))
    return colour.red(), colour.green(), colour.blue()


def test_ribbon_bars_show_each_window_in_its_class_colour(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[2])
    window.trace.set_timebase(200)  # 2 s on screen: bars wide enough to sample
    result = window.result
    colours = [hex_to_rgb(c.colour) for c in result.model.card.classes]
    start, stop = window.trace.visible_range()
    shown = np.flatnonzero(result.valid & ~result.uncertain & (result.starts_s >= start) & (result.stops_s <= stop))
    assert shown.size >= 5
    for i in shown:
        assert _ribbon_pixel(window, i, 0.2, 0.85) == colours[int(np.argmax(result.probabilities[i]))]
    assert window.trace.ribbon_item.painted > 0


def test_lanes_are_separated_and_the_selection_outlined(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[2])
    window.trace.set_timebase(200)
    start, _ = window.trace.visible_range()
    ribbon = window.trace.ribbon
    i = int(np.flatnonzero((ribbon.starts_s >= start) & (ribbon.lane == 0))[1])
    classes = {hex_to_rgb(c) for c in ribbon.colours}
    assert _ribbon_pixel(window, i, 0.5, 0.995) not in classes  # the gap between lanes 0 and 1
    window.select_window(i, reveal=False)
    assert _ribbon_pixel(window, i, 0.5, 0.02) == (0, 0, 0)  # outlined
    assert window.overview.ribbon_item.selected == i


def test_invalid_windows_are_hatched_and_say_why(qtbot, window, fast_model_path, tmp_path):
    signal = np.random.default_rng(0).normal(0, 60, 46_875).astype(np.float32)
    signal[10_000:14_000] = 0.0  # 170 ms dead channel
    write_n2001(tmp_path, "flat", signal)
    window.set_model(fast_model_path)
    _open(qtbot, window, tmp_path / "flat.hea")
    window.trace.set_timebase(50)
    result = window.result
    i = int(np.flatnonzero(~result.valid)[0])
    window.trace.set_start(result.starts_s[i] - 0.1)
    colours = {_ribbon_pixel(window, i, x, y) for x in np.linspace(0.1, 0.9, 9) for y in (0.3, 0.5, 0.7)}
    assert colours <= {(225, 225, 225), (120, 120, 120)} and len(colours) == 2  # grey, cross-hatched
    assert window._tooltip(i).endswith(f"invalid: {result.reason(i)}")
    assert "flat for" in window._tooltip(i)


def test_keys_change_the_view_as_specified(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[0])
    trace = window.trace
    trace.set_timebase(100)
    window.commands.home()
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)
    assert trace.visible_range() == pytest.approx((0.1, 1.1))
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert trace.visible_range() == pytest.approx((1.1, 2.1))
    qtbot.keyClick(window, QtCore.Qt.Key.Key_End)
    assert trace.visible_range()[1] == pytest.approx(window.record.duration_s)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Home)
    assert trace.visible_range()[0] == 0.0
    before = trace.sensitivity_uv
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Plus)
    assert trace.sensitivity_uv == scales.step(scales.SENSITIVITY_UV, before, -1)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Minus)
    assert trace.sensitivity_uv == before
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Minus, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert trace.timebase_ms == 200
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Equal, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert trace.timebase_ms == 100
    window.select_window(0)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_BracketRight)
    assert window.selected == 1
    qtbot.keyClick(window, QtCore.Qt.Key.Key_BracketLeft)
    assert window.selected == 0


def test_clicking_a_window_shows_its_probabilities(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[1])
    result = window.result
    window.trace.set_timebase(100)
    window.commands.home()
    index = 5
    ribbon_plot = window.trace.ribbon_plot
    ribbon = window.trace.ribbon
    centre = (result.starts_s[index] + result.stops_s[index]) / 2
    scene = ribbon_plot.vb.mapViewToScene(QtCore.QPointF(centre, (ribbon.lane[index] + 0.5) / ribbon.lanes))
    view = window.trace.mapFromScene(scene)
    with qtbot.waitSignal(window.inspector.windowShown, timeout=5_000) as drawn:
        qtbot.mouseClick(window.trace.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=view)
    assert window.selected == index and drawn.args == [index]
    shown = window.inspector.shown
    assert shown["index"] == index
    np.testing.assert_allclose(shown["probabilities"], result.probabilities[index])
    assert window.inspector.title.text().startswith(f"Window {index + 1}/{result.n_windows}")
    assert window.trace.visible_range() == pytest.approx((0.0, 1.0))  # a click never moves the view


def test_a_one_sample_spike_is_displayed_at_full_view(qtbot, window, tmp_path):
    signal = np.zeros(262_124, dtype=np.float32)
    signal[150_001] = 1500.0
    write_n2001(tmp_path, "spike", signal)
    window.set_model(None)
    _open(qtbot, window, tmp_path / "spike.hea")
    window.trace.set_timebase(2000)
    x, y = window.trace.displayed_data()
    assert x.size < 20_000  # decimated
    assert y.max() == pytest.approx(1500.0, abs=0.1)


def test_no_model_the_trace_still_works(qtbot, window):
    window.set_model(None)
    _open(qtbot, window, demo_record_paths()[0])
    assert window.trace.ribbon_message.toPlainText() == NO_MODEL_MESSAGE
    assert window.trace.displayed_data()[0].size > 0


def test_bad_file_shows_a_message_and_the_app_stays_up(qtbot, window, fast_model_path, tmp_path):
    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[0])
    bad = tmp_path / "broken.hea"
    bad.write_text("garbage\n")
    assert not window.open_record(bad)
    assert window.message_bar.isVisible()
    assert window.message_bar.label.text().startswith(f"{bad}: not a valid WFDB header")
    assert window.record.name == "demo_normal"  # nothing the user had is lost
    bad_model = tmp_path / "bad.onnx"
    bad_model.write_text("nope")
    assert not window.set_model(bad_model)
    assert window.message_bar.label.text().startswith(f"{bad_model}: not a loadable ONNX model")
    assert window.model is not None and window.model.path == fast_model_path


def test_stale_results_never_paint_over_a_new_record(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    window.open_record(demo_record_paths()[2])
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.open_record(demo_record_paths()[0])  # before the first run can finish
    qtbot.wait(300)  # let any stale signal arrive
    assert window.record.name == "demo_normal"
    assert window.result.record.name == "demo_normal"
    assert window.status_time.text().startswith(f"{window.result.n_windows} windows")


def test_browser_classifies_a_folder_and_marks_mismatches(qtbot, window, fast_model_path, tmp_path):
    folder = tmp_path / "folder"
    shutil.copytree(demo_record_paths()[0].parent, folder)
    window.set_model(fast_model_path)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.open_folder(folder)
    browser = window.browser
    assert sorted(browser.record_items) == ["demo_myopathic", "demo_neurogenic", "demo_normal"]
    window.classify_all()
    qtbot.waitUntil(lambda: len(browser.assessments) == 3, timeout=30_000)
    item = browser.record_items["demo_normal"]
    assert item.text(1) == "normal (control)"
    truth = {"demo_normal": "control", "demo_myopathic": "myopathy", "demo_neurogenic": "ALS"}
    for name, assessment in browser.assessments.items():
        # The same words as everywhere else: the statement, with its agreement mark.
        mark = {"agrees": "✓ ", "differs": "✗ "}.get(assessment.agreement, "")
        assert browser.record_items[name].text(2) == mark + assessment.statement.short
        assert browser.record_items[name].text(3) == ""  # the test model trained on nobody
    # The amplitude test model calls the small myopathic potentials "control": a mismatch.
    assert set(browser.mismatches()) == {n for n, a in browser.assessments.items()
                                         if a.statement.label not in (None, truth[n])}
    assert browser.agreement.text().startswith("Records of people the model never saw: ")


def test_settings_persist(qtbot, tmp_path, fast_model_path):
    settings_path = str(tmp_path / "persist.ini")
    first = MainWindow(QtCore.QSettings(settings_path, QtCore.QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.set_model(fast_model_path)
    with qtbot.waitSignal(first.classificationShown, timeout=20_000):
        first.open_record(demo_record_paths()[0])
    first.trace.set_timebase(500)
    first._range_changed(*first.trace.visible_range())
    first.close()
    second = MainWindow(QtCore.QSettings(settings_path, QtCore.QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.trace.timebase_ms == 500
    assert second.settings.value("recent", [], type=list)[0] == str(demo_record_paths()[0])


def test_screenshot_command(tmp_path, fast_model_path):
    shot = tmp_path / "shot.png"
    script = shutil.which("emgviewer", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "emgviewer"]
    result = subprocess.run([*command, "view", str(demo_record_paths()[1]), "--model", str(fast_model_path),
                             "--screenshot", str(shot), "--size", "1200x700"],
                            capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    from PySide6 import QtGui

    image = QtGui.QImage(str(shot))
    assert (image.width(), image.height()) == (1200, 700)


def test_export_pdf_from_the_window(qtbot, window, fast_model_path, tmp_path):
    from pypdf import PdfReader

    window.set_model(fast_model_path)
    _open(qtbot, window, demo_record_paths()[0])
    window.trace.set_timebase(200)
    out = tmp_path / "from_ui.pdf"
    assert window.export_pdf(out)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "demo_normal" in text and "200 ms/div" in text
    assert not window.export_pdf(out)  # exists: refused, with a message
    assert "exists" in window.message_bar.label.text()


def test_folder_report_from_the_browser(qtbot, window, fast_model_path, tmp_path):
    from pypdf import PdfReader

    folder = tmp_path / "folder"
    shutil.copytree(demo_record_paths()[0].parent, folder)
    window.set_model(fast_model_path)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.open_folder(folder)
    out = tmp_path / "folder.pdf"
    job = window.export_folder_report(out, summary_only=True)
    with qtbot.waitSignal(job.signals.finished, timeout=60_000):
        pass
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "demo_myopathic" in text and "Records of people the model never saw: " in text


def test_drag_and_drop_opens_the_record(qtbot, window, fast_model_path):
    from PySide6 import QtGui

    window.set_model(fast_model_path)
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(demo_record_paths()[1]))])
    event = QtGui.QDropEvent(QtCore.QPointF(10, 10), QtCore.Qt.DropAction.CopyAction, mime,
                             QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.dropEvent(event)
    assert window.record.name == "demo_myopathic"


def test_the_models_menu_switches_between_the_shipped_and_opened_models(qtbot, window, fast_model_path, tmp_path):
    from emgviewer.inference import default_model_path
    from emgviewer.inference.zoo import available_models

    other = tmp_path / "other.onnx"
    other.write_bytes(fast_model_path.read_bytes())
    assert window.set_model(fast_model_path) and window.set_model(other)
    actions = {a.toolTip(): a for a in window.model_menu.menu.actions() if a.isCheckable()}
    shipped = [str(p.resolve()) for p in available_models()]  # the default first, then the other shipped models
    assert shipped[0] == str(default_model_path().resolve()) and len(shipped) >= 2
    assert list(actions) == [*shipped, str(other.resolve()), str(fast_model_path.resolve())]  # latest first
    assert [a.text() for a in actions.values()][:len(shipped)] == [f"{Path(p).name} (shipped)" for p in shipped]
    assert [a.toolTip() for a in actions.values() if a.isChecked()] == [str(other.resolve())]
    actions[shipped[1]].trigger()  # a second shipped model, one click away
    assert window.model.path.resolve() == Path(shipped[1]) and window.model.card.name.startswith("munet-local")
    actions = {a.toolTip(): a for a in window.model_menu.menu.actions() if a.isCheckable()}  # the menu was rebuilt
    assert [a.toolTip() for a in actions.values() if a.isChecked()] == [shipped[1]]
    actions[str(fast_model_path.resolve())].trigger()
    assert window.model.path.resolve() == fast_model_path.resolve()
    checked = [a.toolTip() for a in window.model_menu.menu.actions() if a.isCheckable() and a.isChecked()]
    assert checked == [str(fast_model_path.resolve())]
    other.unlink()  # a model file that has gone is no longer offered
    window.model_menu.refresh()
    assert str(other.resolve()) not in [a.toolTip() for a in window.model_menu.menu.actions()]


def test_the_drawn_time_range_is_the_time_base_when_a_record_opens_before_the_window_shows(qtbot, tmp_path,
                                                                                          fast_model_path):
    # As `emgviewer RECORD` starts: the record opens, then the window shows. The ribbon's
    # windows once widened its plot, and the linked trace, to the whole record while the
    # header still said the time base's span.
    from emgviewer.ui.app import build_window

    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    main = build_window(demo_record_paths()[0], fast_model_path, settings)
    qtbot.addWidget(main)
    main.resize(1400, 800)
    if main.result is None:
        with qtbot.waitSignal(main.classificationShown, timeout=20_000):
            main.show()
    else:
        main.show()
    qtbot.waitExposed(main)
    qtbot.wait(100)
    trace = main.trace
    expected = trace.visible_range()
    assert expected[1] - expected[0] == pytest.approx(trace.timebase_ms / 1e3 * 10)
    for plot in (trace.trace_plot, trace.ribbon_plot):
        assert plot.vb.viewRange()[0] == pytest.approx(list(expected), abs=1e-6)
    main.close()
