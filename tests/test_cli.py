"""``emgviewer info`` through the installed console script, as a user runs it."""

from __future__ import annotations

import json

import pytest
from cli_runner import emgviewer_cli as _emgviewer  # noqa: E402

from emgviewer import __version__
from emgviewer.paths import demo_record_paths


def test_info_text_on_a_real_record(emgdb_dir):
    result = _emgviewer("info", str(emgdb_dir / "emg_neuropathy.dat"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"emg_neuropathy  (WFDB, {emgdb_dir / 'emg_neuropathy.dat'})"
    assert "  rate        4000 Hz" in lines
    assert "  duration    36.965 s  (147858 samples)" in lines
    assert "  units       uV (file: mV)" in lines
    assert "  age         62" in lines


def test_info_json_on_a_demo_record():
    result = _emgviewer("info", str(demo_record_paths()[2]), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["name"], info["format"], info["fs_hz"], info["n_samples"]) == (
        "demo_neurogenic", "N2001", 23437.5, 140625)
    assert info["truth"] == "ALS" and info["n2001"] is None
    assert info["metadata"]["high_pass_hz"] == 2.0
    assert info["quality"]["full_scale_uv"] == pytest.approx([-2500.038, 2499.962], abs=1e-3)


@pytest.mark.real_data
def test_info_on_the_n2001_folder(n2001_dir):
    result = _emgviewer("info", str(n2001_dir), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["n_records"] == 423
    assert info["counts"]["control"] == {"subjects": 8, "records": 240}
    assert info["groups"]["ALS"]["A05"] == ["N2001A05BB51", "N2001A05BB52", "N2001A05BB53"]


@pytest.mark.real_data
def test_info_flags_a_suspect_real_record(n2001_dir):
    result = _emgviewer("info", str(n2001_dir / "N2001C05BB80.hea"))
    assert "  N2001       group C (control), subject C05, muscle BB, record 80" in result.stdout
    assert "  WARNING     clips at full scale on 8.3% of samples" in result.stdout


def test_bad_input_is_one_line_without_traceback(tmp_path):
    bad = tmp_path / "broken.hea"
    bad.write_text("garbage\n")
    result = _emgviewer("info", str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"emgviewer: error: {bad}: not a valid WFDB header")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_version_and_help():
    assert _emgviewer("--version").stdout.strip() == f"emgviewer {__version__}"
    result = _emgviewer("--help")
    text = " ".join(result.stdout.split())  # argparse wraps lines
    assert result.returncode == 0 and "not a medical device" in text
    assert all(command in text for command in ("view", "info", "classify"))
