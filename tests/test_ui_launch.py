"""Launch: the first frame waits for nothing it does not draw. The model, the MUAP analysis,
reportlab, wfdb (and its pandas), edfio and scipy.signal all come after it."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.usefixtures("qapp")

HEAVY = ("reportlab", "wfdb", "pandas", "edfio", "scipy.signal", "onnxruntime")


def test_interactive_launch_holds_model_and_muaps_until_the_trace_is_painted(qtbot, tmp_path, demo_copy,
                                                                           fast_model_path):
    from PySide6 import QtCore

    from emgviewer.ui.app import build_window

    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    window = build_window(demo_copy / "demo_neurogenic.hea", fast_model_path, settings, defer_model=True)
    qtbot.addWidget(window)
    assert window.record is not None  # the trace's data are there for the first frame...
    assert window.model is None and window.jobs.muap_job is None  # ...and nothing else started yet
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.show()
    assert window.model is not None and window.jobs.muap_job is not None
    assert window.result is not None and window.result.record is window.record
    qtbot.waitUntil(lambda: window.muaps is not None, timeout=30_000)
    window.close()


def test_a_window_opened_without_a_launch_classifies_at_once_and_analyses_muaps_after(qtbot, window, demo_copy,
                                                                                    fast_model_path):
    window.set_model(fast_model_path)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.open_record(demo_copy / "demo_neurogenic.hea")
        assert window.jobs.job is not None and window.jobs.muap_job is None  # never three busy threads on 2 cores
        assert window.muap_panel.summary.text() == "motor units: analysed once the classification is done…"
    assert window.jobs.muap_job is not None
    with qtbot.waitSignal(window.muapsShown, timeout=30_000):
        pass
    assert window.muaps is not None and window.muaps.record is window.record


def test_without_a_model_the_muap_analysis_starts_at_once(window, demo_copy):
    window.open_record(demo_copy / "demo_neurogenic.hea")
    assert window.model is None and window.jobs.muap_job is not None


def test_the_cli_and_the_viewer_import_without_the_heavy_libraries():
    code = ("import sys, emgviewer.cli, emgviewer.ui.app, emgviewer.ui.main_window; "
            f"print(' '.join(name for name in {HEAVY!r} if name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


def test_the_cli_knows_every_paper_size_without_reportlab():
    from emgviewer.report import PAPER_NAMES, PAPERS

    assert PAPER_NAMES == tuple(PAPERS)


def test_after_the_first_frame_the_analyses_modules_are_imported_in_the_background(tmp_path):
    """In a fresh interpreter: not at import or construction, then in the background, once."""
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from PySide6 import QtCore\n"
            "from emgviewer.ui.app import make_application\n"
            "from emgviewer.ui.main_window import MainWindow\n"
            "app = make_application()\n"
            "window = MainWindow(QtCore.QSettings(sys.argv[1], QtCore.QSettings.Format.IniFormat))\n"
            "before = 'scipy.signal' in sys.modules\n"
            "window.warmedUp.connect(app.quit)\n"
            "QtCore.QTimer.singleShot(60_000, app.quit)\n"
            "app.exec()\n"
            "print(before, all(m in sys.modules for m in ('scipy.signal', 'scipy.cluster.hierarchy', 'threadpoolctl')))\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "settings.ini")], capture_output=True,
                          text=True, check=True, timeout=120)
    assert done.stdout.split() == ["False", "True"]


def test_opening_a_record_drops_the_jobs_still_queued_for_the_last_one(qtbot, window, demo_copy, fast_model_path):
    import threading

    from PySide6 import QtCore

    class Blocker(QtCore.QRunnable):  # the worker busy with the last record's classification
        def __init__(self) -> None:
            super().__init__()
            self.release = threading.Event()

        def run(self) -> None:
            self.release.wait(30)

    ran = []
    blocker = Blocker()
    window.jobs.pool.start(blocker)
    window.jobs.pool.start(lambda: ran.append(True))  # a saliency or MUAP job queued behind it
    window.set_model(fast_model_path)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.open_record(demo_copy / "demo_neurogenic.hea")
        blocker.release.set()
    with qtbot.waitSignal(window.muapsShown, timeout=30_000):
        pass  # the new record's own jobs ran on the same worker
    assert ran == []
