"""Shared fixtures. Real-data fixtures skip with a reason when the data are not there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
N2001_ENV = "EMGVIEWER_N2001_DIR"
EMGDB_ENV = "EMGVIEWER_EMGDB_DIR"
EMGDB_NAMES = ("emg_healthy", "emg_myopathy", "emg_neuropathy")


@pytest.fixture(scope="session")
def n2001_dir() -> Path:
    """The unpacked N2001 folder (423 records), from $EMGVIEWER_N2001_DIR."""
    value = os.environ.get(N2001_ENV)
    if not value:
        pytest.skip(f"real N2001 records not available: set {N2001_ENV} "
                    "(../shared/data/unpack.sh DIR prints the folder)")
    folder = Path(value)
    if not (folder / "N2001A01BB02.hea").is_file():
        pytest.fail(f"{N2001_ENV}={value} does not hold the unpacked N2001 records")
    return folder


@pytest.fixture(scope="session")
def emgdb_dir() -> Path:
    """PhysioNet's three example EMG records (4 kHz, mV): $EMGVIEWER_EMGDB_DIR, else
    ../shared/data/emgdb beside the checkout."""
    folder = Path(os.environ.get(EMGDB_ENV) or REPO.parent / "shared" / "data" / "emgdb")
    if not (folder / "emg_healthy.hea").is_file():
        pytest.skip(f"PhysioNet emgdb records not found in {folder}; set {EMGDB_ENV}")
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
