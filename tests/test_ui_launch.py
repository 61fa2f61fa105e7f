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
    assert window.model is None and window.muap_job is None  # ...and nothing else started yet
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.show()
    assert window.model is not None and window.muap_job is not None
    assert window.result is not None and window.result.record is window.record
    qtbot.waitUntil(lambda: window.muaps is not None, timeout=30_000)
    window.close()


def test_a_window_opened_without_a_launch_starts_its_jobs_at_once(window, demo_copy, fast_model_path):
    window.set_model(fast_model_path)
    window.open_record(demo_copy / "demo_neurogenic.hea")
    assert window.muap_job is not None and window.job is not None


def test_the_cli_and_the_viewer_import_without_the_heavy_libraries():
    code = ("import sys, emgviewer.cli, emgviewer.ui.app, emgviewer.ui.main_window; "
            f"print(' '.join(name for name in {HEAVY!r} if name in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


def test_the_cli_knows_every_paper_size_without_reportlab():
    from emgviewer.report import PAPER_NAMES, PAPERS

    assert PAPER_NAMES == tuple(PAPERS)
