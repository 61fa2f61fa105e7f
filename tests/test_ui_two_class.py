"""A two-class model trained by `training` (ALS vs control, as ALSNet is published) in the real
viewer: File → Open model takes it, and every place that shows classes shows its two, never the
default model's three. Issue 15 ships such exports; nothing else loads one into the window."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("torch")

from conftest import open_classified  # noqa: E402

from emgviewer.inference import classify, load_model  # noqa: E402
from emgviewer.paths import demo_record_paths  # noqa: E402
from training.cli import main as training_main  # noqa: E402


@pytest.fixture(scope="module")
def als_vs_control_path(synthetic_n2001, tmp_path_factory):
    """munet-small trained for two steps on ALS vs control and exported with its card."""
    out = tmp_path_factory.mktemp("two_class")
    common = ["--data", str(synthetic_n2001), "--task", "als_vs_control", "--model", "munet-small",
              "--window-s", "1.0", "--hop-s", "0.5", "--epochs", "1", "--steps-per-epoch", "2",
              "--batch-size", "6", "--threads", "1"]
    assert training_main(["train", *common, "--out", str(out)]) == 0
    path = out / "als_vs_control.onnx"
    assert training_main(["export", "--checkpoint", str(out / "munet-small.pt"), "--data", str(synthetic_n2001),
                          "--out", str(path)]) == 0
    return path


def test_the_card_of_a_two_class_export_names_control_and_als(als_vs_control_path):
    card = load_model(als_vs_control_path, force_cpu=True).card
    assert [c.name for c in card.classes] == ["control", "ALS"]
    assert len({c.colour for c in card.classes}) == 2


def test_a_two_class_model_in_the_window_shows_its_own_two_classes(qtbot, window, als_vs_control_path, tmp_path):
    from pypdf import PdfReader

    assert window.set_model(als_vs_control_path)
    open_classified(qtbot, window, demo_record_paths()[2])
    card = window.model.card
    names, labels = [c.name for c in card.classes], [c.label for c in card.classes]
    # The legend: the model's two classes, then the app's own marks; nothing of myopathy.
    legend = window.legend.text()
    assert all(label in legend for label in labels) and "myopathy" not in legend
    # The ribbon: one winner per window, each one of the two classes, as classify gives them.
    expected = classify(window.record, load_model(als_vs_control_path, force_cpu=True))
    assert expected.probabilities.shape[1] == 2
    np.testing.assert_array_equal(window.trace.ribbon.winner, expected.probabilities.argmax(axis=1))
    # The record verdict: one of the two classes, or uncertain.
    assert expected.verdict.label in (*names, "uncertain")
    assert set(expected.verdict.probabilities) == set(names)
    # A PDF of it reads back with the two classes and not the third.
    out = tmp_path / "two_class.pdf"
    assert window.export_pdf(out)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "demo_neurogenic" in text and "ALS" in text and "myopathy" not in text
