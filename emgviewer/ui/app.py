"""Starting the viewer, and ``--screenshot`` rendering for docs, slides and tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from emgviewer.inference import default_model_path
from emgviewer.paths import demo_record_paths


def make_application(argv: list[str] | None = None) -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or [sys.argv[0]])
    app.setApplicationName("emgviewer")
    app.setOrganizationName("emgviewer")
    pg.setConfigOptions(antialias=False, background="w", foreground="k")
    return app


def build_window(path: Path | None, model: Path | None, settings: QtCore.QSettings | None = None):
    from emgviewer.ui.main_window import MainWindow

    window = MainWindow(settings)
    window.set_model(model or default_model_path())
    window.open_path(path or demo_record_paths()[2])  # the neurogenic demo shows the most
    return window


def run_viewer(path: Path | None = None, model: Path | None = None, screenshot: Path | None = None,
               size: tuple[int, int] = (1600, 900)) -> int:
    app = make_application()
    window = build_window(path, model)
    window.resize(*size)
    if screenshot is None:
        window.show()
        return app.exec()
    return _screenshot(app, window, screenshot)


def _screenshot(app: QtWidgets.QApplication, window, path: Path) -> int:
    """Render once classification has finished (or failed, or there is no model), then exit."""
    window.show()
    done = {"shown": window.result is not None or window.model is None}

    def capture() -> None:
        if done.get("captured"):
            return
        done["captured"] = True
        app.processEvents()
        window.grab().save(str(path))
        app.quit()

    def on_shown() -> None:
        if not done["shown"]:
            done["shown"] = True
            if window.saliency_job is not None:  # wait for the inspector's saliency curve too
                window.saliency_job.signals.finished.connect(lambda *_: QtCore.QTimer.singleShot(200, capture))
                QtCore.QTimer.singleShot(15_000, capture)
            else:
                QtCore.QTimer.singleShot(200, capture)

    window.classificationShown.connect(on_shown)
    if done["shown"]:
        QtCore.QTimer.singleShot(200, capture)
    QtCore.QTimer.singleShot(60_000, app.quit)  # never hang a documentation build
    app.exec()
    return 0 if path.exists() else 1


__all__ = ["build_window", "make_application", "run_viewer"]
