"""Settings stay the user's own: a screenshot or the test suite never writes them, another
installation's shipped models are not listed, and a restored time base fits the record."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from emgviewer.display import scales
from emgviewer.paths import demo_record_paths


def test_a_screenshot_leaves_the_users_settings_alone(tmp_path, fast_model_path):
    config = tmp_path / "config"
    config.mkdir()
    script = shutil.which("emgviewer", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "emgviewer"]
    run = subprocess.run([*command, "view", str(demo_record_paths()[0]), "--model", str(fast_model_path),
                          "--screenshot", str(tmp_path / "s.png")], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "XDG_CONFIG_HOME": str(config), "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr
    assert list(config.rglob("*")) == []  # nothing written: no recent file, no model, no geometry


def test_the_suite_keeps_its_settings_out_of_the_users_home():
    assert os.environ["XDG_CONFIG_HOME"] != str(Path.home() / ".config")
    assert "emgviewer-test-config-" in os.environ["XDG_CONFIG_HOME"]


def test_another_installs_shipped_model_is_not_listed(window, tmp_path, fast_model_path):
    other = tmp_path / "venv" / "resources" / "models"
    other.mkdir(parents=True)
    shutil.copy(fast_model_path, other / "default.onnx")
    window.settings.setValue("recent_models", [str(other / "default.onnx"), str(fast_model_path)])
    listed = window.model_menu.paths()
    assert other / "default.onnx" not in listed and Path(fast_model_path) in listed


def test_a_time_base_from_a_long_record_is_brought_within_a_short_one(qtbot, window):
    window.trace.timebase_ms = 2000  # 20 s on screen, kept from a long record or a setting
    assert window.open_record(demo_record_paths()[0])
    duration = window.record.duration_s
    assert window.trace.timebase_ms * scales.H_DIVISIONS / 1e3 <= duration
    assert window.trace.timebase_ms == max(v for v in scales.TIMEBASE_MS if v * scales.H_DIVISIONS / 1e3 <= duration)
    start, stop = window.trace.visible_range()
    assert stop <= duration + 1e-9


def test_timebase_within():
    assert scales.timebase_within(2000, 11.18) == 1000
    assert scales.timebase_within(100, 11.18) == 100
    assert scales.timebase_within(500, 0.004) == 1  # shorter than any screen: the shortest time base


def test_needle_emg_presets_set_time_base_and_sensitivity(qtbot, window):
    assert window.open_record(demo_record_paths()[0])
    view = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View")
    presets = next(a.menu() for a in view.actions() if a.menu() is not None and a.text() == "Presets")
    entries = {a.text(): a for a in presets.actions()}
    entries["Spontaneous activity (fibrillations, positive sharp waves): 10 ms/div · 50 µV/div"].trigger()
    assert (window.trace.timebase_ms, window.trace.sensitivity_uv) == (10, 50)
    assert window.scale_label.text().startswith("10 ms/div · 50 µV/div")
    entries["MUAP morphology: 10 ms/div · 200 µV/div"].trigger()
    assert (window.trace.timebase_ms, window.trace.sensitivity_uv) == (10, 200)
    assert len(entries) == len(scales.PRESETS)
