"""Honest colours for known people: a model shipped with its fold models reads a record of a
person it was trained on with the fold model that never saw them, says so on every surface, and
keeps the old reading ("seen in training") for whoever asks for the final model."""

from __future__ import annotations

import json
import shutil
from html import unescape
from pathlib import Path

import numpy as np
import pytest
from cli_runner import emgviewer_cli
from onnx_models import card_dict, write_model

from emgviewer.inference import ModelError, classify, load_model
from emgviewer.inference.caveats import assess
from emgviewer.records import read_record

N2001_HZ = 23437.5
SUBJECTS = ["A01", "A02", "A03", "C01", "C02", "C03", "M01", "M02", "M03"]


def _card(trained_on: list[str], temperature: float, version: str) -> dict:
    return card_dict(fs_hz=N2001_HZ, window_s=0.1, hop_s=0.05, version=version,
                     calibration={"temperature": temperature},
                     training={"data": "N2001 (test)", "dataset": "N2001", "subjects": trained_on})


@pytest.fixture
def shipped(tmp_path):
    """``final.onnx`` trained on all nine subjects, with ``final.folds/`` holding a fold model for
    C01 and one for A01 (a hotter temperature, so their readings differ from the final model's)."""
    final = write_model(tmp_path / "final.onnx", _card(SUBJECTS, 1.0, "1.0.0"))
    folds = tmp_path / "final.folds"
    folds.mkdir()
    for held_out in ("C01", "A01"):
        write_model(folds / f"fold_{held_out}.onnx",
                    _card([s for s in SUBJECTS if s != held_out], 3.0, f"1.0.0+fold.{held_out}"))
    return final


def test_a_known_person_is_read_by_the_fold_that_never_saw_them(shipped, synthetic_n2001):
    model = load_model(shipped)
    record = read_record(synthetic_n2001 / "N2001C01BB01.hea")
    result = classify(record, model)
    fold = load_model(shipped.with_suffix(".folds") / "fold_C01.onnx")
    assert result.model.path.name == "fold_C01.onnx" and result.stands_for is model
    np.testing.assert_allclose(result.probabilities, classify(record, fold).probabilities)
    assessment = assess(result)
    assert not assessment.seen  # the fold never saw C01: agreement is evidence
    final = classify(record, model, final_model=True)
    assert final.model is model and final.stands_for is None and assess(final).seen
    assert not np.allclose(final.probabilities, result.probabilities)  # the two readings differ


def test_without_a_fold_for_that_person_the_model_itself_reads(shipped, synthetic_n2001, tmp_path):
    model = load_model(shipped)
    seen_no_fold = classify(read_record(synthetic_n2001 / "N2001M02BB01.hea"), model)
    assert seen_no_fold.model is model and assess(seen_no_fold).seen
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    for suffix in (".hea", ".bin"):  # a person the model never trained on: N2001 A09
        (stranger / f"N2001A09BB01{suffix}").write_bytes((synthetic_n2001 / f"N2001A01BB01{suffix}").read_bytes()
                                                         .replace(b"N2001A01BB01", b"N2001A09BB01"))
    unseen = classify(read_record(stranger / "N2001A09BB01.hea"), model)
    assert unseen.model is model and unseen.stands_for is None and not assess(unseen).seen


def test_a_fold_that_saw_the_person_is_refused(shipped, synthetic_n2001):
    write_model(shipped.with_suffix(".folds") / "fold_C01.onnx", _card(SUBJECTS, 3.0, "broken"))
    with pytest.raises(ModelError, match=r"fold_C01\.onnx: this fold model's card lists C01 among its training"):
        classify(read_record(synthetic_n2001 / "N2001C01BB01.hea"), load_model(shipped))


def test_the_cli_json_and_table_say_which_model_read_it(shipped, synthetic_n2001, tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("N2001C01BB01", "N2001M02BB01"):
        for suffix in (".hea", ".bin"):
            shutil.copy(synthetic_n2001 / f"{name}{suffix}", folder)
    document = json.loads(emgviewer_cli("classify", folder, "--model", shipped, "--format", "json").stdout)
    rows = {r["record"]: r for r in document["records"]}
    assert rows["N2001C01BB01"]["held_out_model"] == "fold_C01.onnx"
    assert not rows["N2001C01BB01"]["seen_in_training"]
    assert rows["N2001M02BB01"]["held_out_model"] is None and rows["N2001M02BB01"]["seen_in_training"]
    table = emgviewer_cli("classify", folder, "--model", shipped).stdout
    assert ("1 record(s) of people the model was trained on: colours from the model trained without this "
            "person (its fold model; --final-model for the model itself).") in table
    final = json.loads(emgviewer_cli("classify", folder, "--model", shipped, "--format", "json",
                                     "--final-model").stdout)
    assert all(r["held_out_model"] is None and r["seen_in_training"] for r in final["records"])


def test_the_viewer_says_it_and_can_show_the_final_model(qtbot, window, shipped, synthetic_n2001):
    from conftest import open_classified

    window.set_model(shipped)
    open_classified(qtbot, window, synthetic_n2001 / "N2001C01BB01.hea")
    assert "colours from the model trained without this person (fold_C01.onnx)" in unescape(
        window.verdict_label.text())
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.final_model_action.trigger()
    assert window.result.stands_for is None and "seen in training" in unescape(window.verdict_label.text())


@pytest.mark.real_data
@pytest.mark.parametrize("name", ["N2001A01BB02", "N2001A04BB54", "N2001C04BB80", "N2001C06BB63", "N2001M02BB10"])
def test_the_shipped_munet_folds_give_each_record_its_cards_out_of_fold_verdict(n2001_dir, name):
    """munet.onnx ships its 19 fold models: a record of N2001 is read by its subject's fold, and
    the verdict is the one the card lists as that record's out-of-fold verdict."""
    from emgviewer.inference.zoo import resolve_model

    model = load_model(resolve_model(Path("munet")))
    result = classify(read_record(n2001_dir / f"{name}.hea"), model)
    assert result.model.path.name == f"fold_{name[5:8]}.onnx" and result.stands_for is model
    expected = model.card.provenance.out_of_fold[name]
    assert result.verdict.label == expected.label
    assert result.verdict.confidence == pytest.approx(expected.confidence, abs=1e-4)
    assert not assess(result).seen
