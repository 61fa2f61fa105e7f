"""The viewer's state without a window: what the exports and the window read."""

from __future__ import annotations

from types import SimpleNamespace

from emgviewer.display.state import ViewerState


def test_a_new_record_drops_the_last_ones_classification_and_selection():
    state = ViewerState(result=SimpleNamespace(record="old"), selected=4, hop_s=0.2)
    state.show_record("new")
    assert (state.record, state.result, state.selected, state.hop_s) == ("new", None, None, 0.2)


def test_a_result_from_an_earlier_generation_is_not_current():
    state = ViewerState()
    started = state.next_generation()
    assert state.is_current(started)
    state.next_generation()  # another record opened meanwhile
    assert not state.is_current(started)


def test_muaps_count_only_for_the_classified_record():
    record, other = object(), object()
    state = ViewerState(result=SimpleNamespace(record=record), muaps=SimpleNamespace(record=other))
    assert state.muaps_of_result() is None  # the analysis still belongs to the last record
    state.muaps = SimpleNamespace(record=record)
    assert state.muaps_of_result() is state.muaps


def test_the_window_keeps_its_state_in_the_one_object(qtbot, window, fast_model_path):
    from conftest import open_classified

    from emgviewer.paths import demo_record_paths

    window.set_model(fast_model_path)
    open_classified(qtbot, window, demo_record_paths()[0])
    assert window.record is window.state.record and window.record.name == demo_record_paths()[0].stem
    window.select_window(2)
    assert window.state.selected == 2 and window.state.result is window.result is not None
    assert window.state.model is window.model and window.state.model.card.input.window_s == 0.1
