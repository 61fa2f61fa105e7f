"""A model whose own subject-independent evaluation is at chance, or that (almost) never names a
class, says so wherever it is read: viewer, CLI table and JSON, record and folder PDFs; a model
that learned says nothing of the kind."""

from __future__ import annotations

import io
import json

import pytest
from cli_runner import emgviewer_cli as _emgviewer
from onnx_models import card_dict, write_model
from pypdf import PdfReader

from emgviewer.inference import ModelCard, classify, load_model
from emgviewer.inference.caveats import model_cautions
from emgviewer.paths import demo_dir, demo_record_paths
from emgviewer.records import read_record

#: Three classes: chance is 33.3 %, the warning rule 1.1 x that (36.7 %).
AT_CHANCE = {"protocol_kind": "grouped k-fold", "window_balanced_accuracy": 0.35,
             "window_recall": {"control": 0.98, "myopathy": 0.05, "ALS": 0.02}}
CHANCE = ("this model is at chance on people it never saw (grouped k-fold evaluation: window balanced "
          "accuracy 35.0% over 3 classes): its colours are not evidence")
MISSES_ALS = ("this model found ALS / neurogenic in only 2.0% of the ALS / neurogenic windows of people it never "
              "saw: a verdict other than ALS / neurogenic does not rule it out")


def _card(**evaluation) -> dict:
    return card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05, evaluation=evaluation)


@pytest.fixture(scope="module")
def weak_model(tmp_path_factory):
    return write_model(tmp_path_factory.mktemp("models") / "weak.onnx", _card(**AT_CHANCE))


def test_the_rules_read_the_cards_own_evaluation():
    cautions = model_cautions(ModelCard.from_json(json.dumps(_card(**AT_CHANCE))))
    assert cautions[0] == CHANCE and cautions[2] == MISSES_ALS
    assert "found myopathy in only 5.0% of the myopathy windows" in cautions[1] and len(cautions) == 3
    # Just above 1.1 x chance, every class named at least 10 % of the time: nothing to say.
    learned = {"window_balanced_accuracy": 0.37, "window_recall": {"control": 0.5, "myopathy": 0.1, "ALS": 0.5}}
    assert model_cautions(ModelCard.from_json(json.dumps(_card(**learned)))) == []
    assert model_cautions(ModelCard.from_json(json.dumps(_card()))) == []  # no evaluation: no claim
    untested = {"window_balanced_accuracy": 0.8, "window_recall": {"control": 0.8, "myopathy": None, "ALS": 0.8}}
    assert model_cautions(ModelCard.from_json(json.dumps(_card(**untested)))) == []  # a class no window tested


def test_the_cli_warns_once_for_a_folder_and_the_json_and_table_carry_it(weak_model):
    result = _emgviewer("classify", demo_dir(), "--model", weak_model, "--format", "json", "--cpu")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "at chance" in line]
    assert warned == [f"emgviewer: warning: weak.onnx: {CHANCE}"]  # once, not once per record
    document = json.loads(result.stdout)
    assert document["model"]["cautions"][0] == CHANCE and document["model"]["cautions"][2] == MISSES_ALS
    table = _emgviewer("classify", demo_dir(), "--model", weak_model, "--cpu").stdout
    assert f"model: read with care: {CHANCE}" in table.splitlines()


def test_record_and_folder_pdfs_say_it(weak_model):
    from emgviewer.report import folder_report_pdf, record_report_pdf

    model = load_model(weak_model, force_cpu=True)
    results = [classify(read_record(path), model) for path in demo_record_paths()]

    def text(pdf: bytes) -> str:
        return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())

    assert f"Read with care: {CHANCE}; " in text(record_report_pdf(results[0]))
    # The summary says it once, and each record's page again (a page may be read on its own).
    folder = text(folder_report_pdf(results, "demo"))
    assert f"Model: {CHANCE}." in folder and folder.count("at chance") == 1 + len(results)
    assert text(folder_report_pdf(results, "demo", summary_only=True)).count("at chance") == 1


def test_the_viewer_says_it_above_the_trace(qtbot, window, weak_model, demo_copy):
    from conftest import open_classified

    window.set_model(weak_model)
    open_classified(qtbot, window, demo_copy / "demo_normal.hea")
    assert window.message_bar.isVisible()
    assert CHANCE in window.message_bar.label.text() and MISSES_ALS in window.message_bar.label.text()


def test_the_browser_says_it_before_its_agreement_counts(qtbot, window, weak_model, demo_copy):
    window.set_model(weak_model)
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        window.open_folder(demo_copy)
    window.classify_all()
    qtbot.waitUntil(lambda: len(window.browser.assessments) == 3, timeout=30_000)
    lines = window.browser.agreement.text().splitlines()
    assert lines[0] == f"Read with care: {CHANCE}."
    assert lines[3].startswith("Records of people the model never saw: ")


def test_a_compared_model_says_it_in_the_status_bar(qtbot, window, weak_model):
    from conftest import open_classified

    from emgviewer.inference import default_model_path

    window.set_model(default_model_path())
    open_classified(qtbot, window, demo_record_paths()[0])
    with qtbot.waitSignal(window.comparisonShown, timeout=20_000):
        assert window.comparison.compare_with(weak_model)
    status = window.comparison.status
    assert status.text().endswith(" · amplitude-test: read with care (hover)")
    assert f"\namplitude-test: {CHANCE}\n" in status.toolTip()


def test_a_model_that_learned_adds_nothing(tmp_path):
    learned = {"window_balanced_accuracy": 0.8, "window_recall": {"control": 0.7, "myopathy": 0.8, "ALS": 0.9}}
    result = _emgviewer("classify", demo_dir(), "--model", write_model(tmp_path / "good.onnx", _card(**learned)),
                        "--format", "json", "--cpu")
    assert "this model" not in result.stderr
    assert json.loads(result.stdout)["model"]["cautions"] == []


def test_the_pdfs_model_table_words_nested_evaluation_numbers():
    from emgviewer.report.record_section import evaluation_text

    text = evaluation_text({"window_accuracy": 0.7663, "records": "342/422", "brier": 1.23456,
                            "selective": {"coverage": 0.8815165876777251, "accuracy": 0.8440860215053764,
                                          "rule": "a fixed threshold of 0.6"}})
    assert text == ("window accuracy 76.6%, records 342/422, brier 1.235, selective (coverage 88.2%, "
                    "accuracy 84.4%, rule a fixed threshold of 0.6)")
