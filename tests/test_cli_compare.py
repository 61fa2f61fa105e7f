"""``emgviewer compare`` as a user runs it: the counts against each record classified by both
models outside the command, the JSON parsed back, bad inputs said and skipped."""

from __future__ import annotations

import json
import shutil
import warnings

import numpy as np
from cli_runner import emgviewer_cli as _emgviewer

from emgviewer.inference import classify, load_model
from emgviewer.inference.zoo import available_models
from emgviewer.paths import demo_dir
from emgviewer.records import read_record


def _expected(header) -> tuple[int, object, object]:
    """Windows on which the two shipped models name the same class, and their verdicts."""
    record = read_record(header)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first, second = (classify(record, load_model(p, force_cpu=True)) for p in available_models()[:2])
    names = lambda r: np.array([c.name for c in r.model.card.classes])[r.probabilities.argmax(axis=1)]  # noqa: E731
    return int((names(first) == names(second)).sum()), first.verdict, second.verdict


def test_counts_and_verdicts_match_both_models_run_separately(tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(demo_dir(), folder)
    (folder / "broken.hea").write_text("not a header\n")
    result = _emgviewer("compare", folder, "--with", "munet-local", "--format", "json", "--cpu")
    assert result.returncode == 1  # the broken header, said and skipped
    assert "broken.hea" in result.stderr and result.stderr.count("emgviewer: error:") == 1
    document = json.loads(result.stdout)
    assert document["schema"] == "emgviewer-compare/1"
    assert (document["model"]["file"], document["with"]["file"]) == ("default.onnx", "munet-local.onnx")
    assert [r["record"] for r in document["records"]] == ["demo_myopathic", "demo_neurogenic", "demo_normal"]
    for row in document["records"]:
        agree, mine, theirs = _expected(folder / f"{row['record']}.hea")
        assert row["windows_agree"] == agree and row["windows_compared"] == row["windows"] == 13
        assert (row["verdict"]["label"], row["with_verdict"]["label"]) == (mine.label, theirs.label)
        assert row["verdict"]["confidence"] == round(mine.confidence, 4)
        assert row["verdicts_agree"] == (mine.label == theirs.label)
    totals = document["totals"]
    assert totals["windows_agree"] == sum(r["windows_agree"] for r in document["records"])
    assert totals["windows_compared"] == 39 and totals["records_with_both_verdicts"] == 3


def test_the_table_says_each_record_and_the_totals(tmp_path):
    header = demo_dir() / "demo_neurogenic.hea"
    agree, mine, theirs = _expected(header)
    result = _emgviewer("compare", header, "--with", "munet-local", "--cpu")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["model: munet (3class) 1.1.0 [default.onnx]", "with:  munet-local (3class) 1.0.1 [munet-local.onnx]"]
    row = next(line for line in lines if line.startswith("demo_neurogenic"))
    assert row.split() == ["demo_neurogenic", f"{agree}/13", f"({agree / 13:.0%})", mine.label, f"{mine.confidence:.2f}",
                           theirs.label, f"{theirs.confidence:.2f}"]
    assert f"All 1 records: windows agree {agree}/13 ({agree / 13:.0%}); record verdicts agree 1/1 (100%)." in lines


def test_a_second_model_that_does_not_exist_stops_the_run_before_any_work(tmp_path):
    out = tmp_path / "comparison.json"
    result = _emgviewer("compare", demo_dir(), "--with", "nonesuch", "--out", out, "--cpu")
    assert result.returncode == 1 and not out.exists()
    assert result.stderr == ("emgviewer: error: nonesuch: model file not found; nor is it a shipped model "
                             "(default, munet-local, resemgnet-learned, resemgnet: emgviewer models)\n")
