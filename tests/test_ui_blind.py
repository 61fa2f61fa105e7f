"""Blind mode holds against every menu entry, dock, tooltip, export and shortcut: a test walks
them all on a folder and reads every text the window then shows."""

from __future__ import annotations

import pytest
import shiboken6
from conftest import open_classified
from PySide6 import QtGui, QtWidgets

#: Entries that end blind mode or the session on purpose, or answer: not leaks.
NOT_WALKED = ("Quit", "Blind mode", "Reveal truth and model", "Answer: ")


@pytest.fixture
def no_dialogs(monkeypatch):
    """Every dialog answers "cancel" at once, so each entry can be walked."""
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    for name in ("getItem", "getInt", "getDouble", "getText"):
        monkeypatch.setattr(QtWidgets.QInputDialog, name, lambda *a, **k: ("", False))
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", lambda *a, **k: QtWidgets.QMessageBox.StandardButton.No)
    monkeypatch.setattr(QtWidgets.QDialog, "exec", lambda self: 0)


def _menu_actions(menu: QtWidgets.QMenu) -> list[QtGui.QAction]:
    out = []
    for action in menu.actions():
        if action.menu() is not None:
            out += [action, *_menu_actions(action.menu())]
        elif not action.isSeparator():
            out.append(action)
    return out


def _shown_texts(window) -> list[str]:
    """Every text a student can read now: title, status bar, message bar, and each visible
    widget's text, items and tooltip."""
    texts = [window.windowTitle()]
    for widget in window.findChildren(QtWidgets.QWidget):
        if not widget.isVisible():
            continue
        texts.append(widget.toolTip())
        if isinstance(widget, (QtWidgets.QLabel, QtWidgets.QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, QtWidgets.QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QtWidgets.QTableWidget):
            texts += [widget.item(r, c).text() for r in range(widget.rowCount()) for c in range(widget.columnCount())
                      if widget.item(r, c) is not None]
        elif isinstance(widget, QtWidgets.QTreeWidget):
            iterator = QtWidgets.QTreeWidgetItemIterator(widget)
            while iterator.value():
                item = iterator.value()
                texts += [item.text(c) for c in range(item.columnCount())]
                iterator += 1
    texts += [window.statusBar().currentMessage()]
    return texts


def _assert_blind(window, name: str) -> None:
    leaked = [t for t in _shown_texts(window)
              if name in t or ("truth" in t.lower() and t != "Reveal truth and model")]
    assert not leaked, leaked
    assert not window.browser_dock.isVisible() and not window.inspector_dock.isVisible()
    assert window.trace.ribbon is None and window.overview.ribbon_item.windows is None
    assert window._tooltip(0) == ""


def test_blind_mode_holds_against_every_menu_entry(qtbot, window, fast_model_path, demo_copy, no_dialogs):
    window.set_model(fast_model_path)
    window.setProperty("noDialogs", True)
    assert window.open_folder(demo_copy)
    qtbot.waitUntil(lambda: window.result is not None, timeout=20_000)
    name = window.record.name
    window.teaching.set_blind(True)
    _assert_blind(window, name)
    walked = []
    for action in _menu_actions(window.menuBar()):
        if not shiboken6.isValid(action):  # a menu rebuilt as it was walked (recent files, models)
            continue
        text = action.text().replace("&", "")
        if any(text.startswith(skip) for skip in NOT_WALKED) or action.menu() is not None:
            continue
        if action.isEnabled():
            action.trigger()
            walked.append(text)
        qtbot.wait(30)
        _assert_blind(window, name)
    assert {"Next window", "Re-classify", "Open folder…"} & set(walked)  # the walk reached the menus
    for text in ("Export PDF report…", "Export windows as CSV…", "Window inspector", "Dataset"):
        assert text not in walked  # off while blind
    # Docks shown directly (as opening a folder or a floating dock's button does) go again.
    window.inspector_dock.show()
    window.browser_dock.show()
    qtbot.wait(30)
    _assert_blind(window, name)
    # Shortcuts: every key bound to an action, pressed.
    for action in window.actions():
        for sequence in action.shortcuts():
            text = action.text().replace("&", "")
            if sequence.isEmpty() or any(text.startswith(skip) for skip in NOT_WALKED):
                continue
            if action.isEnabled():
                action.trigger()
            _assert_blind(window, name)
    # Opening another record of the folder, classified while blind.
    open_classified(qtbot, window, demo_copy / "demo_myopathic.hea")
    _assert_blind(window, "demo_myopathic")
    window.teaching.reveal()
    assert window.inspector_dock.isVisible() and window.browser_dock.isVisible()
    assert all(a.isEnabled() for a in window.revealing_actions)
