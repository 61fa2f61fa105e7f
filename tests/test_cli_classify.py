"""``emgviewer classify`` as a user runs it; every output format parsed back."""

from __future__ import annotations

import csv
import io
import json
import shutil

import numpy as np
import pytest
from cli_runner import emgviewer_cli as _emgviewer  # noqa: E402
from onnx_models import card_dict, write_model

from emgviewer.inference import classify, load_model
from emgviewer.paths import demo_dir, demo_record_paths
from emgviewer.records import read_record


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    return write_model(folder / "fast.onnx", card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05))


def test_json_follows_the_documented_schema(model_path):
    result = _emgviewer("classify", demo_dir(), "--model", model_path, "--format", "json", "--cpu")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    # Version 2 only adds: every version 1 field is still there with its meaning.
    assert set(document) == {"schema_version", "model", "records", "subjects", "agreement"}
    assert document["schema_version"] == 2 and document["model"]["file"] == "fast.onnx"
    assert document["model"]["name"] == "amplitude-test" and document["model"]["provider"] == "CPU"
    records = {r["record"]: r for r in document["records"]}
    assert sorted(records) == ["demo_myopathic", "demo_neurogenic", "demo_normal"]
    neurogenic = records["demo_neurogenic"]
    assert {"record", "path", "truth", "verdict", "confidence", "probabilities", "n_windows",
            "n_valid", "n_uncertain", "windows"} <= set(neurogenic)
    assert neurogenic["truth"] == "ALS"
    # Same numbers as the library computes directly.
    direct = classify(read_record(demo_record_paths()[2]), load_model(model_path))
    assert neurogenic["verdict"] == direct.verdict.label
    assert neurogenic["confidence"] == pytest.approx(direct.verdict.confidence, abs=1e-6)
    assert neurogenic["n_windows"] == direct.n_windows == len(neurogenic["windows"])
    window = neurogenic["windows"][3]
    assert set(window) == {"start_s", "end_s", "class", "probabilities", "uncertain", "valid", "reason"}
    assert window["probabilities"]["ALS"] == pytest.approx(float(direct.probabilities[3, 2]), abs=1e-6)
    assert document["subjects"] == []  # simulated records have no subject


def test_csv_rows_equal_the_classification(model_path, tmp_path):
    out = tmp_path / "windows.csv"
    result = _emgviewer("classify", demo_record_paths()[0], "--model", model_path,
                        "--format", "csv", "--out", out)
    assert result.returncode == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    direct = classify(read_record(demo_record_paths()[0]), load_model(model_path))
    assert len(rows) == direct.n_windows
    assert list(rows[0]) == ["record", "start_s", "end_s", "class", "p_control", "p_myopathy",
                             "p_ALS", "uncertain", "valid", "reason", "record_status", "record_verdict",
                             "seen_in_training", "annotations"]
    assert {r["record_status"] for r in rows} == {"verdict" if direct.verdict.confidence >= 0.6 else "uncertain"}
    probabilities = np.array([[float(r["p_control"]), float(r["p_myopathy"]), float(r["p_ALS"])] for r in rows])
    np.testing.assert_allclose(probabilities, direct.probabilities, atol=1e-6)
    np.testing.assert_allclose([float(r["start_s"]) for r in rows], direct.starts_s, atol=1e-6)


def test_out_is_not_overwritten_without_force(model_path, tmp_path):
    out = tmp_path / "result.json"
    out.write_text("keep me")
    result = _emgviewer("classify", demo_record_paths()[0], "--model", model_path, "--out", out)
    assert result.returncode == 1
    assert result.stderr == f"emgviewer: error: {out}: exists; pass --force to overwrite it\n"
    assert out.read_text() == "keep me"
    forced = _emgviewer("classify", demo_record_paths()[0], "--model", model_path, "--out", out,
                        "--force", "--format", "json")
    assert forced.returncode == 0 and json.loads(out.read_text())["records"]


def test_bad_files_are_reported_and_the_rest_classified(model_path, tmp_path):
    broken = tmp_path / "broken.hea"
    broken.write_text("garbage\n")
    result = _emgviewer("classify", broken, demo_record_paths()[1], tmp_path / "missing.edf",
                        "--model", model_path, "--format", "json")
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert errors[0].startswith(f"emgviewer: error: {broken}: not a valid WFDB header")
    assert errors[1] == f"emgviewer: error: {tmp_path / 'missing.edf'}: record file not found"
    assert [r["record"] for r in json.loads(result.stdout)["records"]] == ["demo_myopathic"]


def test_table_with_resampling_warning_and_accuracy(model_path, emgdb_dir):
    result = _emgviewer("classify", emgdb_dir, "--model", model_path)
    assert result.returncode == 0
    said = "emgviewer: warning: emg_healthy: recorded at 4000 Hz, upsampled to the model's 23437.5 Hz\n"
    assert result.stderr.count(said) == 1  # once: the caveat is the one channel
    lines = result.stdout.splitlines()
    assert lines[0] == ("model: amplitude-test 0.0.1 [fast.onnx] (CPU); windows 0.1 s, hop 0.05 s; "
                        "uncertain below 0.60 (windows), 0.60 (records); evaluated none")
    myopathy = next(line for line in lines if line.startswith("emg_myopathy "))
    assert " myopathy " in myopathy and " no verdict " in myopathy  # its truth; band-limited: no verdict
    assert myopathy.rstrip().endswith("outside the model's domain: band-limited: a 4000-Hz record holds nothing "
                                      "above 2000 Hz, under half the band the model was trained on (up to 11718.8 Hz)")
    # None of these people trained the test model: their agreement is reported as evidence.
    assert any(line.startswith("Records of people the model never saw: ") for line in lines)
    assert not any("seen in training" in line for line in lines)
    assert "  emg_healthy: recorded at 4000 Hz, upsampled to the model's 23437.5 Hz" in lines
    forced = json.loads(_emgviewer("classify", emgdb_dir / "emg_myopathy.hea", "--model", model_path,
                                   "--format", "json", "--force-verdict").stdout)["records"][0]
    assert forced["status"] != "none" and forced["verdict"] is not None
    assert forced["basis"].startswith("the model's reading outside its domain, shown on request (band_limited)")
    assert "Research and teaching tool, not a medical device." in lines


@pytest.mark.real_data
def test_subjects_of_a_real_folder(model_path, n2001_dir, tmp_path):
    subset = tmp_path / "subset"
    subset.mkdir()
    for name in ("N2001A05BB51", "N2001A05BB52", "N2001C01BB51"):
        for suffix in (".hea", ".bin"):
            shutil.copy(n2001_dir / f"{name}{suffix}", subset / f"{name}{suffix}")
    result = _emgviewer("classify", subset, "--model", model_path, "--format", "json")
    assert result.returncode == 0, result.stderr
    subjects = {s["subject"]: s for s in json.loads(result.stdout)["subjects"]}
    assert sorted(subjects) == ["A05", "C01"]
    assert subjects["A05"]["truth"] == "ALS" and subjects["A05"]["records"] == ["N2001A05BB51", "N2001A05BB52"]


def test_model_errors_end_the_run_with_one_line(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_text("not a model")
    result = _emgviewer("classify", demo_record_paths()[0], "--model", bad)
    assert result.returncode == 1
    assert result.stderr.startswith(f"emgviewer: error: {bad}: not a loadable ONNX model")
    assert "Traceback" not in result.stderr


def test_without_a_default_model_the_user_is_told_what_to_pass():
    from emgviewer.inference import default_model_path

    if default_model_path() is not None:
        pytest.skip("a default model ships: nothing to tell")
    result = _emgviewer("classify", demo_record_paths()[0])
    assert result.returncode == 1
    assert result.stderr == ("emgviewer: error: no default model ships with this installation "
                             "yet; pass --model FILE\n")
