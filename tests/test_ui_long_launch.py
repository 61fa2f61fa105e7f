"""A long record given on the command line (read in the background) loads, is classified and
screenshotted: the model that loads after the first frame must not drop the load."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emgviewer.paths import demo_record_paths

pytestmark = pytest.mark.usefixtures("qapp")


def _long_record(folder: Path, copies: int) -> Path:
    """A demo record's samples repeated: an N2001 record of ``copies`` times its length."""
    source = demo_record_paths()[2]
    data = source.with_suffix(".bin").read_bytes()
    header = source.read_text().splitlines()
    fields = header[0].split()
    offset = 20 if "+20" in header[1] else 0
    payload = data[offset:]
    (folder / "LONG.bin").write_bytes(data[:offset] + payload * copies)
    fields[0], fields[3] = "LONG", str(len(payload) // 2 * copies)
    lines = [" ".join(fields)] + [line.replace(source.stem, "LONG") for line in header[1:]]
    (folder / "LONG.hea").write_text("\n".join(lines) + "\n")
    return folder / "LONG.hea"


def test_a_launch_with_a_record_read_in_the_background_shows_it(qtbot, tmp_path, fast_model_path, monkeypatch):
    from PySide6 import QtCore

    from emgviewer.session import viewer_session
    from emgviewer.ui.app import build_window

    monkeypatch.setattr(viewer_session, "LOAD_IN_BACKGROUND_BYTES", 1)  # the demo record counts as long
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    window = build_window(demo_record_paths()[0], fast_model_path, settings, defer_model=True)
    qtbot.addWidget(window)
    assert window.record is None and window.session.loading is not None  # still being read
    with qtbot.waitSignal(window.classificationShown, timeout=30_000):
        window.show()
    qtbot.waitUntil(lambda: window.result is not None and window.record is not None, timeout=30_000)
    assert window.record.name == demo_record_paths()[0].stem and window.windowTitle().startswith(window.record.name)
    assert window.model is not None and window.result.record is window.record
    window.close()


def test_a_background_load_that_fails_is_said(qtbot, window, tmp_path, monkeypatch):
    from emgviewer.session import viewer_session

    monkeypatch.setattr(viewer_session, "LOAD_IN_BACKGROUND_BYTES", 1)
    record = _long_record(tmp_path, 1)
    (tmp_path / "LONG.bin").write_bytes((tmp_path / "LONG.bin").read_bytes()[:1000])
    with qtbot.waitSignal(window.loadFailed, timeout=30_000) as failed:
        assert window.open_record(record)
    assert "LONG.bin: data file holds" in failed.args[0]
    assert "LONG.bin: data file holds" in window.message_bar.label.text()


def test_screenshot_of_a_long_record_from_the_command_line(tmp_path, fast_model_path):
    size = demo_record_paths()[2].with_suffix(".bin").stat().st_size
    record = _long_record(tmp_path, 52 * 2**20 // size + 1)  # just over 50 MB: read in the background
    assert record.with_suffix(".bin").stat().st_size > 50 * 2**20
    shot = tmp_path / "long.png"
    script = shutil.which("emgviewer", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "emgviewer"]
    result = subprocess.run([*command, "view", str(record), "--model", str(fast_model_path), "--screenshot", str(shot),
                             "--size", "1366x768"], capture_output=True, text=True, timeout=240,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr and shot.stat().st_size > 10_000
