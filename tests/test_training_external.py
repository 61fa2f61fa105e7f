"""``python -m training external``: every verdict against the record classified outside the
command, each percentile against a count by hand, the reports read back, bad inputs named."""

from __future__ import annotations

import json
import shutil
import warnings

import pytest

pytest.importorskip("torch", reason="the training commands need PyTorch (pip install torch==2.13.0)")

from emgviewer.inference import classify, load_model  # noqa: E402
from emgviewer.inference.zoo import default_model_path  # noqa: E402
from emgviewer.paths import demo_dir  # noqa: E402
from emgviewer.records import read_record  # noqa: E402
from training.cli import main  # noqa: E402
from training.external import group_references, place  # noqa: E402


def _by_hand(value: float, reference: list[float]) -> float:
    """Share of ``reference`` below ``value``, a tie counting half, in percent."""
    return 100.0 * sum(1.0 if r < value else 0.5 if r == value else 0.0 for r in reference) / len(reference)


@pytest.mark.parametrize("value, expected", [(-1.0, 0.0), (0.0, 50 / 7), (2.0, 300 / 7), (2.5, 400 / 7),
                                             (3.0, 450 / 7), (9.0, 100.0)])
def test_a_value_is_placed_by_the_share_below_it_ties_counting_half(value, expected):
    references = group_references([{"truth": "control", "rms_uv": r} for r in (0.0, 1.0, 2.0, 2.0, 3.0, 5.0, 8.0)])
    assert place({"rms_uv": value}, references)["rms_uv"].percentiles == {"control": pytest.approx(expected)}


def test_groups_keep_only_their_own_records_and_skip_missing_values():
    rows = [{"truth": "control", "mean_amplitude_uv": 100.0, "rms_uv": 10.0},
            {"truth": "control", "mean_amplitude_uv": None, "rms_uv": 30.0},
            {"truth": "ALS", "mean_amplitude_uv": 500.0}]
    references = group_references(rows)
    assert references["control"]["mean_amplitude_uv"].tolist() == [100.0]
    assert references["control"]["rms_uv"].tolist() == [10.0, 30.0]
    assert references["ALS"]["rms_uv"].size == 0
    placed = place({"mean_amplitude_uv": 300.0, "rms_uv": 20.0, "n_units": None}, references)
    assert placed["mean_amplitude_uv"].percentiles == {"ALS": 0.0, "control": 100.0}
    assert placed["rms_uv"].percentiles == {"control": 50.0}  # ALS has no RMS: no percentile, not p0
    assert placed["n_units"].value is None and placed["n_units"].percentiles == {}


def _muap_file(tmp_path):
    rows = [{"record": f"N2001C0{i}BB01", "subject": f"C0{i}", "truth": "control", "n_units": 5,
             "mean_amplitude_uv": 100.0 * i, "mean_duration_ms": 9.0, "polyphasic_share": 0.0,
             "recruitment_ratio": None, "recruitment_frequency_hz": None} for i in range(1, 5)]
    path = tmp_path / "muap.json"
    path.write_text(json.dumps({"records": rows}))
    return path


def test_verdicts_are_the_apps_and_a_broken_record_is_named(tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(demo_dir(), folder)
    (folder / "broken.hea").write_text("not a header\n")
    model_path = default_model_path()
    out = tmp_path / "report"
    status = main(["external", str(folder), "--model", str(model_path), "--muap", str(_muap_file(tmp_path)),
                   "--out", str(out)])
    assert status == 1  # the broken header, reported; the others still checked
    document = json.loads((out / "external.json").read_text(encoding="utf-8"))
    assert any("broken.hea" in problem for problem in document["problems"])
    assert [r["record"] for r in document["records"]] == ["demo_myopathic", "demo_neurogenic", "demo_normal"]
    model = load_model(model_path, force_cpu=True)
    text = (out / "external.md").read_text(encoding="utf-8")
    for row in document["records"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = classify(read_record(folder / f"{row['record']}.hea"), model).verdict
        said = row["verdicts"]["default.onnx"]
        assert (said["leading"], said["confidence"]) == (expected.label, pytest.approx(expected.confidence))
        assert said["agreement"] == ("agrees" if expected.label == row["truth"] else "differs")
        amplitude = row["measures"]["mean_amplitude_uv"]
        assert amplitude["percentiles"]["control"] == pytest.approx(
            _by_hand(amplitude["value"], [100.0, 200.0, 300.0, 400.0]))
        assert f"| {row['record']} |" in text
    assert "## Not read" in text and "broken.hea" in text


def test_an_unreadable_muap_file_is_named_before_any_work(tmp_path, capsys):
    missing = tmp_path / "nowhere.json"
    status = main(["external", str(demo_dir()), "--model", str(default_model_path()), "--muap", str(missing),
                   "--out", str(tmp_path / "out")])
    assert status == 2
    assert f"{missing}: not a MUAP feature file" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_model_that_cannot_be_opened_is_named(tmp_path, capsys):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not onnx")
    status = main(["external", str(demo_dir()), "--model", str(bad), "--muap", str(_muap_file(tmp_path)),
                   "--out", str(tmp_path / "out")])
    assert status == 2
    assert "bad.onnx" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_physionet_records_are_read_at_their_own_rate(emgdb_dir, tmp_path):
    out = tmp_path / "report"
    assert main(["external", str(emgdb_dir), "--model", str(default_model_path()),
                 "--muap", str(_muap_file(tmp_path)), "--out", str(out)]) == 0
    document = json.loads((out / "external.json").read_text(encoding="utf-8"))
    assert {r["record"]: r["fs_hz"] for r in document["records"]} == {
        "emg_healthy": 4000.0, "emg_myopathy": 4000.0, "emg_neuropathy": 4000.0}
    caveats = document["records"][0]["verdicts"]["default.onnx"]["caveats"]
    assert any("upsampled" in c for c in caveats)
