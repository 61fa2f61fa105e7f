"""On a laptop screen the record's verdict is in the layout, above the trace, whole; the window
fits the screen with its frame."""

from __future__ import annotations

import pytest
from conftest import open_classified
from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.inference.caveats import assess
from emgviewer.paths import demo_record_paths


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768), (2560, 1440)])
def test_the_verdict_is_read_above_the_trace_at_every_size(qtbot, window, fast_model_path, size):
    window.resize(*size)
    window.inspector_dock.show()
    window.set_model(fast_model_path)
    open_classified(qtbot, window, demo_record_paths()[2])
    label = window.verdict_label
    statement = assess(window.result).statement
    assert label.isVisible() and statement.short in label.text() and window.model.card.name in label.text()
    top_left = label.mapTo(window, QtCore.QPoint(0, 0))
    assert 0 <= top_left.y() and top_left.y() + label.height() <= window.height() // 4  # near the top
    assert label.fontMetrics().horizontalAdvance(_plain(label.text())) <= label.width()  # not cut
    assert label.y() < window.trace.y()  # above the trace, in the central widget


def test_the_verdict_line_follows_classifying_blind_and_no_model(qtbot, window, fast_model_path):
    window.set_model(None)
    open_classified(qtbot, window, demo_record_paths()[0])
    assert window.verdict_label.text() == "Verdict: none (no model)"
    window.set_model(fast_model_path)
    assert "classifying" in window.verdict_label.text()
    qtbot.waitUntil(lambda: window.result is not None, timeout=20_000)
    window.teaching.set_blind(True)
    assert window.verdict_label.text().startswith("Verdict: hidden (blind)")
    assert window.verdict_label.toolTip() == ""


def test_fit_to_screen_leaves_room_for_the_frame(qtbot, window):
    screen = window.screen().availableGeometry()
    window.resize(screen.width() + 400, screen.height() + 400)
    window.fit_to_screen()
    assert window.width() < screen.width() and window.height() < screen.height()


def _plain(html: str) -> str:
    document = QtGui.QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def test_the_dataset_browser_opens_wide_enough_and_remembers_its_width(qtbot, window, fast_model_path, demo_copy,
                                                                    tmp_path):
    from emgviewer.ui.browser import COLUMNS

    window.resize(1600, 900)
    window.set_model(fast_model_path)
    assert window.open_folder(demo_copy)
    qtbot.waitUntil(lambda: window.result is not None, timeout=20_000)
    qtbot.wait(50)
    tree = window.browser.tree
    columns = sum(tree.columnWidth(c) for c in range(len(COLUMNS)))
    assert window.browser_dock.width() >= columns  # every column whole, the verdict and out-of-fold too
    assert tree.textElideMode() == QtCore.Qt.TextElideMode.ElideMiddle
    # The reader widens it; the next folder (and the next session) opens at that width.
    window.resizeDocks([window.browser_dock], [600], QtCore.Qt.Orientation.Horizontal)
    qtbot.wait(50)
    wanted = window.browser_dock.width()
    window.close()
    assert window.settings.value("browser_width", type=int) == wanted


def test_the_browser_highlights_the_record_on_screen_after_a_quiz(qtbot, window, fast_model_path, demo_copy):
    window.set_model(fast_model_path)
    window.setProperty("noDialogs", True)
    assert window.open_folder(demo_copy)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        assert window.teaching.start_quiz(demo_copy, 2, seed=1)
    for _ in range(2):
        window.teaching.answer("control")
        qtbot.wait(20)
    assert window.teaching.quiz is None  # over
    current = window.browser.tree.currentItem()
    assert current is not None and current.text(0) == window.record.name


def test_a_later_message_joins_the_caution_instead_of_replacing_it(qtbot, window):
    bar = window.message_bar
    bar.show_message("N2001A01BB01, read with care: seen in training", level="caution")
    bar.show_message("Sound unavailable: no audio device", level="error")
    assert bar.label.text() == "Sound unavailable: no audio device\nN2001A01BB01, read with care: seen in training"
    assert bar.level == "error"
    bar.hide()
    bar.show_message("Quiz over", level="info")
    assert bar.label.text() == "Quiz over" and bar.level == "info"


def test_the_answer_note_goes_on_the_reveal(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    open_classified(qtbot, window, demo_record_paths()[0])
    window.teaching.set_blind(True)
    window.teaching.answer("control")
    assert "R reveals" in window.statusBar().currentMessage()
    window.teaching.reveal()
    assert window.statusBar().currentMessage() == ""


def test_help_menu_shortcuts_fit_and_about_says_what_it_is(qtbot, window, fast_model_path):
    from emgviewer import __version__

    window.set_model(fast_model_path)
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus[-1] == "Help"
    file_menu = window.menuBar().actions()[0].menu()
    entries = [a.text() for a in file_menu.actions() if a.text()]
    assert entries[-1] == "Quit" and entries.index("Quiz on a folder…") < entries.index("Quit")
    help_menu = window.menuBar().actions()[-1].menu()
    texts = {a.text(): a for a in help_menu.actions()}
    texts["Keyboard shortcuts (?)"].trigger()
    table = window.shortcuts_dialog.findChild(QtWidgets.QTableWidget)
    qtbot.waitUntil(table.isVisible)
    assert not table.horizontalScrollBar().isVisible()  # nothing cut at the right
    assert table.viewport().width() >= table.columnWidth(0) + table.horizontalHeader().sectionSize(1) - 1
    screen = window.screen().availableGeometry()  # the offscreen test screen is 800x600: it scrolls there
    assert window.shortcuts_dialog.height() <= 0.85 * screen.height() + 1
    texts["About emgviewer…"].trigger()
    about = window.about_box.text()
    assert f"emgviewer {__version__}" in about and "Not a medical device" in about
    assert "Licence: MIT" in about and window.model.card.name in about


def test_the_last_records_verdict_never_stays_while_the_next_is_classified(qtbot, window, fast_model_path):
    window.set_model(fast_model_path)
    open_classified(qtbot, window, demo_record_paths()[0])
    assert "verdict" in window.status_time.text()
    window.open_record(demo_record_paths()[1])  # classification starts: nothing of the last record is said
    assert window.status_time.text() == ""
