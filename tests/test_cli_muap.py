"""``emgviewer muap`` as a user runs it; every output format parsed back."""

from __future__ import annotations

import csv
import io
import json

import pytest
from cli_runner import emgviewer_cli as _emgviewer  # noqa: E402

from emgviewer.analysis.muap.record import analyse_record
from emgviewer.cli.muap import CSV_COLUMNS
from emgviewer.records import read_record
from emgviewer.records.n2001_writer import write_n2001
from emgviewer.records.simulate import VALIDATION_UNITS, simulate_units


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    folder = tmp_path_factory.mktemp("muap")
    sim = simulate_units(VALIDATION_UNITS, 6.0, seed=11)
    good = write_n2001(folder, "units", sim.signal_uv, sim.fs_hz,
                       ("muscle: biceps brachii", "electrode: concentric needle"))
    thigh = write_n2001(folder, "thigh", sim.signal_uv, sim.fs_hz, ("muscle: vastus lateralis",))
    return good, thigh


def test_json_follows_the_documented_schema(records, tmp_path):
    good, thigh = records
    out = tmp_path / "muap.json"
    run = _emgviewer("muap", good, thigh, "--format", "json", "--out", out)
    assert run.returncode == 0, run.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["schema"], document["tool"]) == (2, "emgviewer muap")
    assert document["references"]["unit"]["amplitude_uv"]["low"] == 178.0
    first, second = document["records"]
    expected = analyse_record(read_record(good))
    assert first["summary"]["n_units"] == expected.analysis.summary.n_units == len(VALIDATION_UNITS)
    assert first["summary"]["n_implausible"] == 0 and all(u["implausible"] == [] for u in first["units"])
    assert [u["measures"]["amplitude_uv"] for u in first["units"]] == pytest.approx(
        [u.measures.amplitude_uv for u in expected.analysis.units])
    assert first["references_apply"] is True
    assert second["references_apply"] is False  # vastus lateralis: the biceps values do not apply
    assert all(mark is None for mark in second["summary"]["marks"].values())
    assert "muscle vastus lateralis; the reference values are for the biceps brachii" in second["notes"]


def test_csv_has_one_row_per_unit(records):
    run = _emgviewer("muap", records[0], "--format", "csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["unit"] for r in rows] == [f"U{i + 1}" for i in range(len(VALIDATION_UNITS))]
    assert {r["references_apply"] for r in rows} == {"True"}


def test_table_marks_and_footnotes(records):
    run = _emgviewer("muap", records[0])
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"units: {len(VALIDATION_UNITS)} units; mean amplitude ")
    assert "multi-MUP, biceps, concentric needle" in run.stdout
    assert "Analysis band (detection and sorting only) 250 Hz - 5 kHz" in run.stdout


def test_bad_files_are_reported_and_the_rest_analysed(records, tmp_path):
    missing = tmp_path / "gone.hea"
    slow = write_n2001(tmp_path, "slow", simulate_units(VALIDATION_UNITS[:1], 2.0).signal_uv[::12],
                       23437.5 / 12, ("muscle: biceps brachii",))
    run = _emgviewer("muap", missing, slow, records[0], "--format", "csv")
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert lines[0].startswith(f"emgviewer: error: {missing}")
    assert lines[1] == (f"emgviewer: error: {slow}: MUAP analysis needs at least 4 kHz sampling; this record "
                        f"has 1953.12 Hz, too slow to measure a MUAP's spike")
    assert len(list(csv.DictReader(io.StringIO(run.stdout)))) == len(VALIDATION_UNITS)


def test_out_is_not_overwritten_without_force(records, tmp_path):
    out = tmp_path / "kept.csv"
    out.write_text("mine")
    run = _emgviewer("muap", records[0], "--format", "csv", "--out", out)
    assert run.returncode == 1 and out.read_text() == "mine"
    assert _emgviewer("muap", records[0], "--format", "csv", "--out", out, "--force").returncode == 0
    assert out.read_text().startswith("record,unit,")


@pytest.mark.real_data
def test_real_records_of_each_group(n2001_dir):
    run = _emgviewer("muap", n2001_dir / "N2001A01BB01.hea", n2001_dir / "N2001C05BB80.hea",
                     n2001_dir / "N2001M02BB01.hea", "--format", "json")
    assert run.returncode == 0, run.stderr
    records = json.loads(run.stdout)["records"]
    assert all(r["references_apply"] for r in records)  # biceps, concentric needle, calibrated
    for record in records:
        assert record["summary"]["n_units"] >= 2
        amplitudes = [u["measures"]["amplitude_uv"] for u in record["units"]]
        assert all(40 <= a <= 5000 for a in amplitudes)  # µV, as a MUAP is
