"""Help → Keyboard shortcuts and Help → About."""

from __future__ import annotations

from html import escape

from PySide6 import QtCore, QtWidgets

from emgviewer import __version__
from emgviewer.inference.model import LoadedModel
from emgviewer.ui.shortcuts import shortcut_help_text


def shortcuts_dialog(parent: QtWidgets.QWidget) -> QtWidgets.QDialog:
    """The keys in a two-column table (a message box's tabs do not line up), as large as its
    table (no scroll bars, no cut text) within 85 % of the screen."""
    rows = [line.split("\t", 1) for line in shortcut_help_text(parent.actions()).splitlines()]
    dialog = QtWidgets.QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QtWidgets.QTableWidget(len(rows), 2, dialog)
    table.setHorizontalHeaderLabels(("key", "action"))
    table.verticalHeader().hide()
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    for r, (key, text) in enumerate(rows):
        table.setItem(r, 0, QtWidgets.QTableWidgetItem(key))
        table.setItem(r, 1, QtWidgets.QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    layout = QtWidgets.QVBoxLayout(dialog)
    layout.addWidget(table)
    width = table.verticalHeader().width() + sum(table.columnWidth(c) for c in range(2)) + 4 * table.frameWidth()
    height = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(len(rows))) + \
        4 * table.frameWidth()
    margins = layout.contentsMargins()
    screen = parent.screen().availableGeometry()
    dialog.resize(min(width + margins.left() + margins.right() + table.verticalScrollBar().sizeHint().width(),
                      int(screen.width() * 0.85)),
                  min(height + margins.top() + margins.bottom(), int(screen.height() * 0.85)))
    return dialog


def about_box(parent: QtWidgets.QWidget, model: LoadedModel | None) -> QtWidgets.QMessageBox:
    """Version, the model in use and its evaluation protocol, the licence, and the notice."""
    said = "none loaded"
    if model is not None:
        kind = model.card.provenance.protocol_kind
        how = (f"evaluated {kind}" if kind not in ("", "none", "not stated")
               else "with no subject-independent evaluation stated")
        said = f"{escape(model.card.name)} {escape(model.card.version)} ({escape(model.path.name)}), {escape(how)}"
    text = (f"<h3>emgviewer {escape(__version__)}</h3>"
            "<p>A viewer for clinical needle EMG with neural-network window classification, "
            "for research and teaching.</p>"
            "<p><b>Not a medical device.</b> Its output is not a diagnosis and must not be used for "
            "clinical decisions.</p>"
            f"<p>Model: {said}.</p>"
            "<p>Licence: MIT. N2001 records: EMGLAB (www.emglab.net); PhysioNet records under their "
            "own terms.</p>")
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Information, "About emgviewer", "", parent=parent)
    box.setTextFormat(QtCore.Qt.TextFormat.RichText)
    box.setText(text)
    return box
