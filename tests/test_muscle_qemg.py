"""Muscle-level qEMG: a person's records pooled as a multi-MUP analysis pools its sites, read
by the published criteria only (nothing fitted), and said the same way on every surface."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pytest
from cli_runner import emgviewer_cli

from emgviewer.analysis.muap.muscle import (
    INDETERMINATE,
    MIN_UNITS,
    MYOPATHIC,
    NEUROGENIC,
    NORMAL,
    muscle_summary,
)
from emgviewer.analysis.muap.waveform import measure


def unit(amplitude, duration, phases=3, rise=0.3, implausible=()):
    measures = SimpleNamespace(amplitude_uv=amplitude, duration_ms=duration, polyphasic=phases >= 5,
                               rise_time_ms=rise)
    return SimpleNamespace(measures=measures, implausible=implausible)


def site(name, units, applies=True):
    return SimpleNamespace(record=SimpleNamespace(name=name), analysis=SimpleNamespace(units=tuple(units)),
                           references_apply=applies, notes=() if applies else ("muscle tibialis anterior",))


def test_pooled_means_and_outliers_are_over_accepted_units_only():
    rng = np.random.default_rng(0)
    amplitudes, durations = rng.uniform(250, 600, 24), rng.uniform(8, 11, 24)
    good = [unit(a, d) for a, d in zip(amplitudes, durations)]
    noise = [unit(5000, 30, implausible=("fires at 2.0 Hz, under 4 Hz",)), unit(20, 2, rise=1.2)]
    summary = muscle_summary([site("s1", good[:12] + noise), site("s2", good[12:])], "C09")
    assert (summary.n_units, summary.n_left_out, summary.n_distant) == (24, 1, 1)
    assert summary.mean_amplitude_uv == pytest.approx(amplitudes.mean())
    assert summary.mean_duration_ms == pytest.approx(durations.mean())
    assert (summary.outliers_high, summary.outliers_low) == (0, 0)
    assert summary.interpretation == NORMAL and summary.records == ("s1", "s2")


@pytest.mark.parametrize(("units", "expected", "said"), [
    # Means within, but 3 of 20 MUPs above the individual amplitude limit (1414 µV): over 2 of 20.
    ([unit(400, 10)] * 17 + [unit(1500, 12)] * 3, NEUROGENIC, "3 of 20 MUPs above an individual limit"),
    ([unit(400, 10)] * 18 + [unit(1500, 12)] * 2, NORMAL, "2 of 20 MUPs outside"),  # 2 of 20: not over
    ([unit(180, 6.0)] * 20, MYOPATHIC, "mean amplitude below 206-666 µV"),
    ([unit(700, 13.5)] * 20, NEUROGENIC, "mean amplitude above 206-666 µV"),
    ([unit(400, 10)] * 19, INDETERMINATE, f"19 MUPs, fewer than the {MIN_UNITS}"),
    ([unit(400, 10)] * 14 + [unit(1500, 12)] * 3 + [unit(100, 3)] * 3, INDETERMINATE, "signs both ways"),
])
def test_the_reading_follows_the_published_criteria(units, expected, said):
    summary = muscle_summary([site("r", units)])
    assert summary.interpretation == expected
    assert said in summary.statement()


def test_records_the_references_do_not_hold_for_are_not_pooled():
    summary = muscle_summary([site("ta", [unit(400, 10)] * 25, applies=False)])
    assert summary.n_units == 0 and summary.interpretation == INDETERMINATE
    assert summary.skipped == ("ta: muscle tibialis anterior",)


def test_rise_time_is_the_main_spikes_rising_edge():
    fs = 23437.5
    t = np.arange(-600, 601) / fs * 1e3
    template = 100 * np.exp(-((t + 0.4) / 0.15) ** 2) - 600 * np.exp(-(t / 0.12) ** 2)
    peak = int(np.argmin(template))
    expected = (peak - int(np.argmax(template[:peak]))) / fs * 1e3  # from the positive peak before it
    assert measure(template.astype(np.float32), fs).rise_time_ms == pytest.approx(expected)


def test_by_subject_on_the_cli_table_and_json_agree(synthetic_n2001):
    table = emgviewer_cli("muap", synthetic_n2001, "--by-subject")
    assert table.returncode == 0, table.stderr
    document = json.loads(emgviewer_cli("muap", synthetic_n2001, "--by-subject", "--format", "json").stdout)
    assert document["tool"] == "emgviewer muap --by-subject" and document["criteria"]["min_units"] == MIN_UNITS
    subjects = document["subjects"]
    assert [s["subject"] for s in subjects] == ["A01", "A02", "A03", "C01", "C02", "C03", "M01", "M02", "M03"]
    for s in subjects:
        line = next(line for line in table.stdout.splitlines() if line.startswith(s["subject"]))
        assert line.split()[1:4] == [str(len(s["records"])), str(s["n_units"]), str(s["n_left_out"])]
        assert line.endswith(s["interpretation"])


def test_the_folder_report_says_each_persons_reading_and_the_model_chosen(n2001_dir, tmp_path):
    """The folder PDF: one qEMG row per person, as muscle_summary reads the same records, and the
    model named is the one chosen (default.onnx), its fold models said as standing in."""
    import shutil

    from pypdf import PdfReader

    from emgviewer.analysis.muap.record import record_muaps
    from emgviewer.records import read_record

    folder = tmp_path / "two"
    folder.mkdir()
    names = ("N2001M05BB51", "N2001M05BB52", "N2001C07BB51", "N2001C07BB52")
    for name in names:
        for suffix in (".hea", ".bin"):
            shutil.copy(n2001_dir / f"{name}{suffix}", folder)
    out = tmp_path / "folder.pdf"
    run = emgviewer_cli("report", folder, "--out", out, "--summary-only")
    assert run.returncode == 0, run.stderr
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "classified with munet (3class) 1.1.0 (default.onnx)" in text
    assert "4 of them by the fold model trained without their subject" in text
    assert "Muscle-level qEMG (each person's records pooled)" in text
    for subject in ("C07", "M05"):
        expected = muscle_summary([record_muaps(read_record(folder / f"{n}.hea"), None) for n in names
                                   if n[5:8] == subject], subject)
        row = re.search(rf"{subject} (\d+) (\d+) / (\d+) .*? (\d+)/(\d+) (\w+)", text)
        assert row, text
        assert [int(g) for g in row.groups()[:5]] == [expected.n_units, expected.n_left_out, expected.n_distant,
                                                     expected.outliers_high, expected.outliers_low]
        assert row.group(6) == expected.interpretation
