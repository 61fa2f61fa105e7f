"""Analysis → Compare with model, in the real window: the second model's ribbon is drawn under
the first with that model's own classes, the agreement is said, it follows the record, and it
goes away when asked, and while the answers are hidden."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from conftest import open_classified  # noqa: E402
from PySide6 import QtCore  # noqa: E402

from emgviewer.inference import classify, load_model  # noqa: E402
from emgviewer.inference.comparison import compare  # noqa: E402
from emgviewer.inference.zoo import available_models  # noqa: E402
from emgviewer.paths import demo_record_paths  # noqa: E402


def _classified(record, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return classify(record, load_model(path, force_cpu=True))


def local_label(result) -> str:
    """The label of the class ``result`` gives its window 1."""
    return result.model.card.classes[int(result.probabilities[1].argmax())].label


def _compare_actions(window) -> dict[str, object]:
    window.comparison.refresh()
    return {a.text(): a for a in window.comparison.menu.actions() if a.text()}


def test_a_second_models_ribbon_is_drawn_under_the_first_and_its_agreement_said(qtbot, window):
    default, local = available_models()[:2]
    assert window.set_model(default)
    open_classified(qtbot, window, demo_record_paths()[0])
    actions = _compare_actions(window)
    assert default.name not in actions and local.name in actions  # never the model already shown
    assert not actions["Stop comparing"].isEnabled()
    with qtbot.waitSignal(window.comparisonShown, timeout=20_000):
        actions[local.name].trigger()
    # Independently: the same record through both models, outside the window.
    first, second = _classified(window.record, default), _classified(window.record, local)
    drawn = window.trace.compare_item.windows
    assert (drawn.winner == second.probabilities.argmax(axis=1)).all()
    assert (window.trace.ribbon.winner == first.probabilities.argmax(axis=1)).all()
    expected = compare(first, second)
    assert window.comparison.comparison.n_agree == expected.n_agree
    assert window.comparison.status.text() == "Compared: " + expected.summary() and window.comparison.status.isVisible()
    assert window.trace.compare_plot.titleLabel.text == (
        f"below: munet-local (3class) 1.0.1 · agrees on {expected.n_agree}/{first.n_windows}")
    # A title never makes the plot wider than the trace's widget (the trace was cut at 650 ms of 1 s).
    assert window.trace.trace_plot.sceneBoundingRect().right() <= window.trace.viewport().width()
    # The visible range is the trace's, not the whole record (a new plot must not widen it).
    assert window.trace.compare_plot.vb.viewRange()[0] == pytest.approx(list(window.trace.visible_range()))
    # Hovering the lower band names the compared model and its own probabilities for that window.
    plot, lanes = window.trace.compare_plot, drawn.lanes
    centre = (second.starts_s[1] + second.stops_s[1]) / 2
    scene = plot.vb.mapViewToScene(QtCore.QPointF(centre, (1 + 0.5) / lanes))  # window 1 sits in lane 1
    assert window.trace.compared_window_at_scene(scene) == 1
    text = window.comparison.tooltip(1)
    assert text.startswith("munet-local (3class) 1.0.1 (compared)\nwindow 2: 0.40–1.40 s\n")
    assert f"{local_label(second)}: {second.probabilities[1].max():.2f}" in text

    # Another record: compared again, by the same second model; the last record's job is cancelled.
    last_job = window.comparison.job
    with qtbot.waitSignal(window.comparisonShown, timeout=20_000):
        assert window.open_record(demo_record_paths()[2])
    assert last_job.token.cancelled and window.comparison.job is not last_job
    again = _classified(window.record, local)
    assert window.record.name == "demo_neurogenic"
    assert (window.trace.compare_item.windows.winner == again.probabilities.argmax(axis=1)).all()

    # Showing the compared model swaps the two: the band now holds the one it replaced.
    with qtbot.waitSignal(window.comparisonShown, timeout=20_000):
        assert window.set_model(local)
    assert window.model.path == local and window.comparison.model.path == default
    # Every other model is offered, the one it replaced among them; never the one now shown.
    assert set(_compare_actions(window)) == {p.name for p in available_models() if p != local} | {"Stop comparing"}

    _compare_actions(window)["Stop comparing"].trigger()
    assert window.trace.compare_plot is None and window.comparison.status.text() == ""
    open_classified(qtbot, window, demo_record_paths()[1])
    assert window.trace.compare_plot is None  # stopped stays stopped


def test_the_comparison_is_hidden_with_the_answers(qtbot, window):
    default, local = available_models()[:2]
    assert window.set_model(default)
    open_classified(qtbot, window, demo_record_paths()[0])
    with qtbot.waitSignal(window.comparisonShown, timeout=20_000):
        assert window.comparison.compare_with(local)
    window.teaching.hide_answers()
    assert window.trace.compare_plot is None and window.comparison.status.text() == ""


def test_a_model_that_cannot_be_opened_is_said_and_nothing_is_compared(qtbot, window, tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    assert window.set_model(available_models()[0])
    open_classified(qtbot, window, demo_record_paths()[0])
    assert not window.comparison.compare_with(broken)
    assert window.message_bar.isVisible() and "broken.onnx" in window.message_bar.label.text()
    assert window.comparison.model is None and window.trace.compare_plot is None
    assert np.isfinite(window.result.probabilities).all()  # the shown classification is untouched


def test_the_compared_model_runs_where_the_window_says(qtbot, window, fast_model_path, monkeypatch):
    """--cpu (the window's force_cpu) holds for the second model too."""
    from emgviewer.ui import comparison as comparison_module

    asked = []
    real = comparison_module.load_model
    monkeypatch.setattr(comparison_module, "load_model",
                        lambda path, **kwargs: asked.append(kwargs.get("force_cpu")) or real(path, **kwargs))
    window.settings.setValue("force_cpu", True)
    window.comparison.compare_with(fast_model_path)
    assert asked == [True]


def test_the_hop_is_the_cards_unless_one_is_asked_for():
    from onnx_models import card_dict

    from emgviewer.inference.card import parse_card

    contract = parse_card(card_dict(hop_s=0.1)).input
    assert (contract.hop_or_card(None), contract.hop_or_card(0.05)) == (0.1, 0.05)
