"""Shared fixtures. Real-data fixtures skip with a reason when the data are not there."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The suite (and every viewer it starts, in-process or not) keeps its settings in a scratch
# folder: never the user's ~/.config/emgviewer (recent models in pytest's temporary folders).
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="emgviewer-test-config-")

REPO = Path(__file__).resolve().parent.parent
# The training package runs from the checkout (it is not installed): found there, after the
# installed emgviewer, which the tests exercise as a user has it (its resources as package data).
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))
N2001_ENV = "EMGVIEWER_N2001_DIR"
EMGDB_ENV = "EMGVIEWER_EMGDB_DIR"
EMGDB_NAMES = ("emg_healthy", "emg_myopathy", "emg_neuropathy")
#: Set by .ci/run once it has unpacked the data: a real-data test that skips then fails, so a
#: wrong path can never turn the real-data tests into a green run of nothing.
REQUIRE_ENV = "EMGVIEWER_REQUIRE_REAL_DATA"
DATA_FIXTURES = {"n2001_dir", "emgdb_dir", "emgdb_copy"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    uses_data = item.get_closest_marker("real_data") or DATA_FIXTURES & set(getattr(item, "fixturenames", ()))
    if report.skipped and uses_data and os.environ.get(REQUIRE_ENV) == "1":
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.longrepr = f"{REQUIRE_ENV}=1 but this real-data test skipped: {reason}"


@pytest.fixture(scope="session")
def n2001_dir() -> Path:
    """The unpacked N2001 folder (423 records), from $EMGVIEWER_N2001_DIR."""
    value = os.environ.get(N2001_ENV)
    if not value:
        pytest.skip(f"real N2001 records not available: set {N2001_ENV} to the unpacked N2001 folder "
                    "(the README's Data section says where they come from)")
    folder = Path(value)
    if not (folder / "N2001A01BB02.hea").is_file():
        pytest.fail(f"{N2001_ENV}={value} does not hold the unpacked N2001 records")
    return folder


@pytest.fixture(scope="session")
def synthetic_n2001(tmp_path_factory) -> Path:
    """A small N2001-named folder of simulated records (3 classes x 3 subjects, one 3-s
    record each): the training pipeline end to end without the real data."""
    from emgviewer.records.n2001_writer import N2001_FS_HZ, write_n2001
    from emgviewer.records.simulate import simulate_emg

    folder = tmp_path_factory.mktemp("synthetic_n2001")
    for group, profile in (("C", "normal"), ("M", "myopathic"), ("A", "neurogenic")):
        for subject in range(1, 4):
            signal = simulate_emg(profile, duration_s=3.0, seed=subject).signal_uv
            write_n2001(folder, f"N2001{group}{subject:02d}BB01", signal, N2001_FS_HZ, ("muscle: biceps brachii",))
    return folder


@pytest.fixture(scope="session")
def emgdb_dir() -> Path:
    """PhysioNet's three example EMG records (4 kHz, mV): $EMGVIEWER_EMGDB_DIR, else
    ../shared/data/emgdb beside the checkout."""
    folder = Path(os.environ.get(EMGDB_ENV) or REPO.parent / "shared" / "data" / "emgdb")
    if not (folder / "emg_healthy.hea").is_file():
        pytest.skip(f"PhysioNet emgdb records not found in {folder}; set {EMGDB_ENV} to the folder of "
                    "emg_healthy.hea, emg_myopathy.hea and emg_neuropathy.hea (the README's Data section)")
    return folder


@pytest.fixture
def emgdb_copy(emgdb_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the emgdb folder, for tests that damage real files."""
    target = tmp_path / "emgdb"
    target.mkdir()
    for name in EMGDB_NAMES:
        for suffix in (".hea", ".dat"):
            shutil.copy(emgdb_dir / f"{name}{suffix}", target / f"{name}{suffix}")
    return target


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped demo records (N2001 layout)."""
    from emgviewer.paths import demo_dir

    target = tmp_path / "demo"
    shutil.copytree(demo_dir(), target)
    return target


@pytest.fixture
def window(qtbot, tmp_path):
    """The real main window (offscreen) with its own settings file, shown at 1400 x 800."""
    from PySide6 import QtCore

    from emgviewer.ui.main_window import MainWindow

    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.resize(1400, 800)
    main.show()
    yield main
    main.close()


@pytest.fixture
def fast_model_path(tmp_path):
    """A small real ONNX model at the N2001 rate with 0.1-s windows: classifies a demo record
    in milliseconds, for viewer tests."""
    from onnx_models import card_dict, write_model

    return write_model(tmp_path / "fast.onnx", card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05))


def open_classified(qtbot, window, path) -> None:
    """Open ``path`` in the viewer and wait until its classification (or its absence) is shown."""
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        assert window.open_record(path)
