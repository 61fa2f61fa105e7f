"""The core never imports Qt: checked statically (import-linter) and at run time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_import_linter_contract_holds():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("import-linter is not installed (it is in the [test] extra)")
    result = subprocess.run([lint, "--config", str(REPO / "pyproject.toml")], capture_output=True,
                            text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout
    for contract in ("The core never imports Qt", "App layers: records < analysis < inference",
                     "Training layers:", "The app never imports the training package"):
        assert contract in result.stdout


def test_the_viewer_draws_without_loading_the_pdf_library():
    code = ("import sys\n"
            "import emgviewer.ui.main_window\n"
            "print('PDF:', sorted(m for m in sys.modules\n"
            "                     if m.split('.')[0] == 'reportlab' or m.startswith('emgviewer.report')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "PDF: []"


def test_core_and_cli_do_not_load_qt_at_run_time():
    code = (
        "import sys\n"
        "import emgviewer.records, emgviewer.analysis, emgviewer.inference, emgviewer.report\n"
        "import emgviewer.records.simulate, emgviewer.cli\n"
        "from emgviewer.cli import main\n"
        "from emgviewer.paths import demo_record_paths\n"
        "main(['info', str(demo_record_paths()[0])])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print('QT:', loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "QT: []"


def test_with_the_data_required_a_skipped_real_data_test_fails():
    env = {k: v for k, v in os.environ.items() if k != "EMGVIEWER_N2001_DIR"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(REPO / "tests" / "test_records_n2001_real.py")],
                         capture_output=True, text=True, timeout=300, cwd=REPO,
                         env={**env, "EMGVIEWER_REQUIRE_REAL_DATA": "1"})
    assert run.returncode != 0
    assert "EMGVIEWER_REQUIRE_REAL_DATA=1 but this real-data test skipped: real N2001 records not available" in run.stdout
