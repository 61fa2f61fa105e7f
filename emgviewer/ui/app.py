"""Starting the viewer, and ``--screenshot`` rendering for docs, slides and tests."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.inference import default_model_path
from emgviewer.paths import app_icon_path, demo_record_paths

#: Qt's notices that say nothing a user can act on (their beginnings): the offscreen platform
#: (every --screenshot) prints the first for each dock; QtMultimedia the others where it has no
#: media backend (the desktop bundle leaves FFmpeg out: raw sound needs none) or no sound server
#: (the viewer says itself, once, that it plays silently).
QUIET_QT_MESSAGES = (
    "This plugin does not support propagateSizeHints()",
    "No QtMultimedia backends found.",
    "PulseAudioService: pa_context_connect() failed",
)


def _qt_messages(mode, context, message: str) -> None:
    if not message.startswith(QUIET_QT_MESSAGES):
        print(message, file=sys.stderr)


def make_application(argv: list[str] | None = None) -> QtWidgets.QApplication:
    """The one QApplication (made on first call), with Qt's messages routed to the log and
    pyqtgraph set for the viewer."""
    QtCore.qInstallMessageHandler(_qt_messages)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or [sys.argv[0]])
    app.setApplicationName("emgviewer")
    app.setOrganizationName("emgviewer")
    app.setDesktopFileName("emgviewer")  # Wayland and the taskbar match the window to emgviewer.desktop
    app.setWindowIcon(QtGui.QIcon(str(app_icon_path())))
    pg.setConfigOptions(antialias=False, background="w", foreground="k")
    return app


def build_window(path: Path | None, model: Path | None, settings: QtCore.QSettings | None = None,
                 defer_model: bool = False, read_options: dict | None = None, force_verdict: bool = False,
                 final_model: bool = False):
    """The main window with the record open. ``defer_model``: load the model after the first
    frame (the trace never waits for onnxruntime); a screenshot loads it first."""
    from emgviewer.ui.main_window import MainWindow

    window = MainWindow(settings)
    window.read_options = dict(read_options or {})  # --channel, --fs-hz: how the records are read
    window.force_verdict_action.setChecked(force_verdict)
    window.session.force_verdict = force_verdict
    window.final_model_action.setChecked(final_model)
    window.session.final_model = final_model
    model_path = model or default_model_path()
    if defer_model:
        window.hold_until_first_frame()
        window.after_first_frame(lambda: window.set_model(model_path))
    else:
        window.set_model(model_path)
    window.open_path(path or demo_record_paths()[2])  # the neurogenic demo shows the most
    return window


def run_viewer(path: Path | None = None, model: Path | None = None, screenshot: Path | None = None,
               size: tuple[int, int] = (1600, 900), read_options: dict | None = None,
               force_verdict: bool = False, final_model: bool = False, first_frame_only: bool = False) -> int:
    """Open the viewer on ``path`` (or render it to ``screenshot`` at ``size`` and exit); the exit status.

    ``first_frame_only`` (launch benchmarks): as an interactive launch, up to the first frame
    rendered, whose wall-clock time is printed as JSON; then the process ends at once."""
    app = make_application()
    settings = None
    if screenshot is not None:  # a throw-away scope: a rendering never changes the user's settings
        scratch = tempfile.TemporaryDirectory(prefix="emgviewer-screenshot-")
        settings = QtCore.QSettings(str(Path(scratch.name) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        app.aboutToQuit.connect(scratch.cleanup)
    window = build_window(path, model, settings, defer_model=screenshot is None, read_options=read_options,
                          force_verdict=force_verdict, final_model=final_model)
    window.resize(*size)
    if first_frame_only:
        window.show()
        app.processEvents()
        window.grab()  # the first frame, trace included, rendered for real
        print(json.dumps({"first_frame": time.time(), "record_open": window.record is not None}), flush=True)
        os._exit(0)  # what is measured is the first frame; the jobs the open started are not waited for
    if screenshot is None:
        window.fit_to_screen()
        window.show()
        QtCore.QTimer.singleShot(0, window.fit_to_screen)  # again with the frame the window manager drew
        return app.exec()
    window.size_docks()  # a screenshot keeps the size asked for, whatever the screen
    if window.record is None and window.session.loading is None:  # could not be opened: said, never waited on
        print(f"emgviewer: error: {window.message_bar.label.text()}", file=sys.stderr)
        return 1
    return _screenshot(app, window, screenshot)


#: The longest a screenshot waits for its record to load and be classified (a 30-minute record
#: takes about 40 s on 2 cores).
SCREENSHOT_LIMIT_MS = 180_000


def _screenshot(app: QtWidgets.QApplication, window, path: Path) -> int:
    """Render once classification has finished (or failed, or there is no model), then exit."""
    window.show()
    done = {"shown": (window.result is not None or window.model is None) and window.session.loading is None}

    def capture() -> None:
        if done.get("captured"):
            return
        done["captured"] = True
        app.processEvents()
        window.grab().save(str(path))
        app.quit()

    def saliency_settled() -> bool:
        note = window.inspector.saliency_note.toPlainText()
        curve = window.inspector.saliency_curve.getData()[0]
        return (window.jobs.saliency_job is None or (curve is not None and len(curve) > 0)
                or (note != "" and "computing" not in note))

    def on_shown() -> None:
        if done["shown"]:
            return
        done["shown"] = True
        waited = QtCore.QElapsedTimer()
        waited.start()

        def poll() -> None:  # no race with a saliency job that already finished
            if saliency_settled() or waited.elapsed() > 15_000:
                QtCore.QTimer.singleShot(200, capture)
            else:
                QtCore.QTimer.singleShot(100, poll)
        poll()

    def load_failed(message: str) -> None:  # a long record read in the background
        print(f"emgviewer: error: {message}", file=sys.stderr)
        app.quit()

    window.classificationShown.connect(on_shown)
    window.loadFailed.connect(load_failed)
    if done["shown"]:
        QtCore.QTimer.singleShot(200, capture)
    def give_up() -> None:  # never hang a documentation build
        if not done.get("captured"):
            print(f"emgviewer: error: {path}: not written; the record was not shown and classified within "
                  f"{SCREENSHOT_LIMIT_MS // 1000} s", file=sys.stderr)
        app.quit()

    QtCore.QTimer.singleShot(SCREENSHOT_LIMIT_MS, give_up)
    app.exec()
    return 0 if path.exists() else 1


__all__ = ["build_window", "make_application", "run_viewer"]
