"""How big the window and its docks are: never larger than the screen, the trace keeping most
of the width, the dataset browser as wide as the reader left it."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

#: The inspector's close-up and probabilities stay legible down to this width.
INSPECTOR_MIN_WIDTH = 370
#: The docks share at most this part of the window's width; the trace keeps the rest.
DOCKS_SHARE = 0.68


def fit_to_screen(window: QtWidgets.QMainWindow) -> None:
    """Never larger than the screen it opens on (a 1280x720 laptop included)."""
    screen = window.screen().availableGeometry() if window.screen() else None
    if screen is None:
        return
    # The frame (title bar, borders) is outside width() and height(): a window of the screen's
    # height put its status bar below the screen's edge. Before the window manager has framed
    # the window, the style's title bar height stands in for it.
    frame_w = window.frameGeometry().width() - window.width()
    frame_h = window.frameGeometry().height() - window.height()
    if not window.isVisible() or frame_h <= 0:
        frame_h = window.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_TitleBarHeight) + 8
        frame_w = max(frame_w, 8)
    width = min(window.width(), screen.width() - frame_w)
    height = min(window.height(), screen.height() - frame_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    if not screen.contains(window.frameGeometry()):
        window.move(screen.topLeft())
    size_docks(window, window.inspector_dock)


def size_docks(window: QtWidgets.QMainWindow, inspector: QtWidgets.QDockWidget) -> None:
    """The trace keeps most of the width: the inspector takes about a third."""
    window.resizeDocks([inspector], [max(INSPECTOR_MIN_WIDTH, int(window.width() * 0.34))],
                       QtCore.Qt.Orientation.Horizontal)


def size_browser(window: QtWidgets.QMainWindow, browser: QtWidgets.QDockWidget, inspector: QtWidgets.QDockWidget,
                 wanted: int) -> None:
    """The dataset browser ``wanted`` wide (the width the reader last gave it, else its
    columns'); the two docks share at most ``DOCKS_SHARE`` of the window, the inspector giving
    way down to its narrowest before the browser does."""
    room = int(window.width() * DOCKS_SHARE)
    inspector_min = INSPECTOR_MIN_WIDTH if inspector.isVisible() else 0
    width = max(200, min(wanted, room - inspector_min))
    if inspector_min:  # one call per side: Qt weighs two docks of two sides against each other
        kept = max(inspector_min, min(inspector.width(), room - width))
        window.resizeDocks([inspector], [kept], QtCore.Qt.Orientation.Horizontal)
    window.resizeDocks([browser], [width], QtCore.Qt.Orientation.Horizontal)
