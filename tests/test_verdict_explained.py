"""A record verdict led by a class that fewer than half the valid windows show is explained, with
the evidence side by side, on every surface: the viewer's verdict line, the CLI table, the JSON
and the PDF. The learned record verdict of resemgnet-learned.onnx (the default model until 0.3.0)
does this on real N2001 records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from emgviewer.inference import classify, load_model
from emgviewer.inference.caveats import assess
from emgviewer.inference.zoo import resolve_model
from emgviewer.records import read_record

pytestmark = pytest.mark.real_data

#: 25 of its 26 windows read ALS; the learned verdict says normal (control) 0.85.
AGAINST_THE_COLOURS = "N2001C04BB80"
#: Its verdict is its windows' majority: nothing to explain.
WITH_THE_COLOURS = "N2001A01BB02"
#: A model whose learned record verdict can go against its windows.
LEARNED = "resemgnet-learned"

from cli_runner import emgviewer_cli  # noqa: E402


@pytest.fixture(scope="module")
def shipped():
    return load_model(resolve_model(Path(LEARNED)))


@pytest.fixture
def two_records(n2001_dir, tmp_path) -> Path:
    for name in (AGAINST_THE_COLOURS, WITH_THE_COLOURS):
        for suffix in (".hea", ".bin"):
            shutil.copy(n2001_dir / f"{name}{suffix}", tmp_path)
    return tmp_path


def _explanation(n2001_dir, shipped, name):
    result = classify(read_record(n2001_dir / f"{name}.hea"), shipped)
    return result, assess(result)


def test_the_explanation_counts_the_windows_and_names_what_the_verdict_weighed(n2001_dir, shipped):
    result, assessment = _explanation(n2001_dir, shipped, AGAINST_THE_COLOURS)
    predicted = result.predicted[result.valid]
    als = result.class_names.index("ALS")
    n_als, n_valid = int(np.sum(predicted == als)), int(result.valid.sum())
    assert 2 * n_als > n_valid and assessment.statement.leading != "ALS"  # the case in question
    said = assessment.explanation
    assert said.startswith(f"windows: ALS / neurogenic {n_als} of {n_valid}")
    summary = result.muaps.analysis.summary
    assert f"MUAP measures: mean amplitude {summary.mean_amplitude_uv:.0f} µV" in said
    assert f"mean duration {summary.mean_duration_ms:.1f} ms" in said
    assert said.endswith(f"verdict {assessment.statement.short}, {result.verdict.basis}")
    assert _explanation(n2001_dir, shipped, WITH_THE_COLOURS)[1].explanation is None


def test_the_cli_table_and_json_say_it(two_records, n2001_dir, shipped):
    expected = _explanation(n2001_dir, shipped, AGAINST_THE_COLOURS)[1].explanation
    table = emgviewer_cli("classify", two_records, "--model", LEARNED)
    assert table.returncode == 0
    section = table.stdout.split("Verdicts that are not what most windows show:\n", 1)[1]
    assert section.splitlines()[0] == f"  {AGAINST_THE_COLOURS}: {expected}"
    assert WITH_THE_COLOURS not in section.split("\n\n")[0]
    document = json.loads(emgviewer_cli("classify", two_records, "--format", "json", "--model", LEARNED).stdout)
    by_name = {r["record"]: r for r in document["records"]}
    assert by_name[AGAINST_THE_COLOURS]["verdict_explanation"] == expected
    assert by_name[WITH_THE_COLOURS]["verdict_explanation"] is None


def test_the_pdf_says_it_under_the_verdict(two_records, n2001_dir, shipped, tmp_path):
    out = tmp_path / "r.pdf"
    assert emgviewer_cli("report", two_records / f"{AGAINST_THE_COLOURS}.hea", "--out", out, "--model", LEARNED).returncode == 0
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(out).pages).split())
    said = " ".join(text.split("Not what most windows show:", 1)[1].split())
    assert said.startswith("windows: ALS / neurogenic 25 of 26")


def test_the_viewer_says_it_on_the_verdict_line(qtbot, window, two_records):
    from conftest import open_classified

    window.set_model(resolve_model(Path(LEARNED)))
    open_classified(qtbot, window, two_records / f"{AGAINST_THE_COLOURS}.hea")
    line = window.verdict_label.text()
    assert "Not what most windows show: windows: ALS / neurogenic 25 of 26" in line
    open_classified(qtbot, window, two_records / f"{WITH_THE_COLOURS}.hea")
    assert "Not what most windows show" not in window.verdict_label.text()
