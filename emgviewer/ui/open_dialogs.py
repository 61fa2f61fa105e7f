"""The File and Analysis menus' dialogs: a record, a folder, a model, the hop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtWidgets

from emgviewer.records.formats import dialog_filter
from emgviewer.ui.message_bar import NO_MODEL_MESSAGE

if TYPE_CHECKING:
    from emgviewer.ui.main_window import MainWindow


def ask_record(window: MainWindow) -> None:
    """File → Open record."""
    path, _ = QtWidgets.QFileDialog.getOpenFileName(
        window, "Open record", window.settings.value("last_folder", ""), dialog_filter())
    if path:
        window.open_record(path)


def ask_folder(window: MainWindow) -> None:
    """File → Open folder."""
    path = QtWidgets.QFileDialog.getExistingDirectory(window, "Open folder", window.settings.value("last_folder", ""))
    if path:
        window.open_folder(path)


def ask_model(window: MainWindow) -> None:
    """File → Open model."""
    path, _ = QtWidgets.QFileDialog.getOpenFileName(window, "Open model", "", "ONNX models (*.onnx)")
    if path:
        window.set_model(path)


def ask_hop(window: MainWindow) -> None:
    """Analysis → Window length and hop: ask for the hop (the window is the model's)."""
    session = window.session
    if session.model is None:
        window.show_error(NO_MODEL_MESSAGE)
        return
    card = session.model.card
    hop, ok = QtWidgets.QInputDialog.getDouble(
        window, "Window hop", f"Hop between windows in seconds (window {card.input.window_s:g} s, fixed by the model):",
        card.input.hop_or_card(session.hop_s), 0.01, card.input.window_s * 4, 3)
    if ok:
        session.set_hop(hop)
