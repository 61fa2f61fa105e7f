"""Every model in resources/models, as File → Models offers it: it opens in a real onnxruntime
session, classifies a record, and its card carries the subject-independent numbers of the
report that its recipe's LOSO run wrote, not a hand-typed or leaky figure."""

from __future__ import annotations

import gzip
import json
import re
import warnings
from pathlib import Path

import pytest

from emgviewer.inference import classify, load_model
from emgviewer.inference.zoo import DEFAULT_MODEL_NAME, available_models
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record

REPORTS = Path(__file__).resolve().parent.parent / "training" / "reports"
SHIPPED = available_models()


def _expected(card, path: Path) -> dict:
    """The numbers the card must carry: its levers row for a model made by ``final`` (the row
    names itself in the card's protocol); for a model shipped with its fold models, the report of
    the run that made them (training/reports/folds); else its recipe's LOSO report (MUNet's own,
    or the zoo's)."""
    row_name = re.search(r"levers row '(.+)'$", card.evaluation.get("protocol", ""))
    if row_name:
        rows = [r for f in sorted((REPORTS / "levers").glob("*/levers.json.gz"))
                for r in json.loads(gzip.decompress(f.read_bytes())) if r["run"] == row_name.group(1)]
        assert rows, f"no levers report holds the row {row_name.group(1)!r}"
        row = rows[0]
        return {"windows": row["windows"], "records": f"{row['records_correct']}/{row['n_records']}",
                "subjects": f"{row['subjects_correct']}/{row['n_subjects']}"}
    model = card.training["config"]["model"]
    if path.with_suffix(".folds").is_dir():
        source = REPORTS / "folds" / f"{model}_3class_loso_folds_seed0.json"
    else:
        source = REPORTS / "munet_3class_loso.json" if model == "munet" else REPORTS / "zoo" / f"{model}_3class_loso.json"
    report = json.loads(source.read_text())
    records = report["records"]
    return {"windows": report["windows"], "records": f"{records['records_correct']}/{records['records_with_verdict']}",
            "subjects": f"{records['subjects_correct']}/{records['n_subjects']}"}


def test_the_default_model_ships_first_and_others_beside_it():
    assert [p.name for p in SHIPPED][:1] == [DEFAULT_MODEL_NAME]
    assert len(SHIPPED) >= 2, "a second full-budget model ships so that File → Models has a choice"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_a_shipped_model_carries_its_recipes_loso_numbers(path):
    loaded = load_model(path, force_cpu=True, threads=1)
    card = loaded.card
    assert re.fullmatch(r"\d+\.\d+\.\d+", card.version), f"{path.name}: {card.version} is not a release version"
    assert card.provenance.protocol_kind == "leave-one-subject-out"
    assert len(card.provenance.subjects) == 19 and len(card.provenance.out_of_fold) == 422
    expected = _expected(card, path)
    assert card.evaluation["window_balanced_accuracy"] == pytest.approx(expected["windows"]["balanced_accuracy"], abs=5e-5)
    assert card.evaluation["window_accuracy"] == pytest.approx(expected["windows"]["accuracy"], abs=5e-5)
    assert (card.evaluation["records"], card.evaluation["subjects"]) == (expected["records"], expected["subjects"])


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_a_shipped_model_classifies_a_record(path):
    loaded = load_model(path, force_cpu=True, threads=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the simulated record says it is unlike the training data
        record = read_record(demo_record_paths()[2])
        result = classify(record, loaded)
    contract = loaded.card.input
    window = round(contract.window_s * contract.fs_hz)
    expected = (record.n_samples - window) // round(contract.hop_s * contract.fs_hz) + 1
    assert result.probabilities.shape == (expected, len(loaded.card.classes))
    assert result.probabilities.sum(axis=1) == pytest.approx(1.0, abs=1e-5)  # every simulated window is valid
    # The demo's neurogenic record is there to show the ALS colour: every shipped model must show it.
    assert result.verdict.label == "ALS" and result.verdict.n_used == expected
