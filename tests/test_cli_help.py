"""The command line explains itself: examples, the bare PATH form, help for every option, and
the viewer reading records as info does."""

from __future__ import annotations

import pytest
from cli_runner import emgviewer_cli

from emgviewer.cli import build_parser


def test_top_level_help_has_examples_and_the_bare_path_form():
    text = build_parser().format_help()
    assert "emgviewer [PATH]" in text and "examples:" in text and "emgviewer data/n2001 " in text


@pytest.mark.parametrize("command", ["view", "info", "classify", "report", "muap", "audio", "models", "compare"])
def test_every_option_of_every_command_has_help(command):
    parser = build_parser()
    sub = next(a for a in parser._subparsers._group_actions).choices[command]
    missing = [a.option_strings or a.dest for a in sub._actions if not a.help]
    assert not missing, missing


def test_view_reads_records_as_info_does():
    actions = {a.dest for a in next(a for a in build_parser()._subparsers._group_actions).choices["view"]._actions}
    assert {"channel", "fs_hz"} <= actions


def test_audio_notch_is_50_or_60():
    run = emgviewer_cli("audio", "x.wav", "--out", "y.wav", "--notch", "55")
    assert run.returncode == 2 and "argument --notch: invalid choice: 55.0 (choose from 50.0, 60.0)" in run.stderr


def test_the_viewer_opens_a_one_column_csv_with_its_rate_given(qtbot, tmp_path):
    import numpy as np
    from PySide6 import QtCore

    from emgviewer.ui.app import build_window

    (tmp_path / "one.csv").write_text("\n".join(f"{v:.2f}" for v in np.sin(np.arange(8000))) + "\n")
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat)
    window = build_window(tmp_path / "one.csv", None, settings, read_options={"fs_hz": 4000.0})
    qtbot.addWidget(window)
    assert window.record is not None and window.record.fs_hz == 4000.0 and window.record.duration_s == 2.0
    window.close()
