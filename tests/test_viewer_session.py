"""The viewer's session without a window: its state, its events and the order of its background
work, run by a recording runner that does the work when told (no Qt, no threads)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from emgviewer.inference import classify, load_model
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record
from emgviewer.session import ViewerSession


class Runner:
    """Records what the session asks for, in order; the test plays the results back."""

    def __init__(self) -> None:
        self.asked: list[tuple] = []

    def classify(self, generation, record, model, hop_s, force_verdict=False, final_model=False):
        self.asked.append(("classify", generation, record))

    def cancel_classification(self):
        self.asked.append(("cancel",))

    def saliency(self, tag, model, window_uv, class_index):
        self.asked.append(("saliency", tag, window_uv.size))

    def analyse_muaps(self, generation, record, behind_classification):
        self.asked.append(("muaps", "behind classification" if behind_classification else "own thread"))

    def load(self, serial, path, read_options):
        self.asked.append(("load", serial, path))

    def warm_up(self):
        self.asked.append(("warm up",))

    def work(self) -> list:
        return [a[0] if a[0] != "muaps" else f"muaps {a[1]}" for a in self.asked if a[0] != "cancel"]


def _listen(session: ViewerSession) -> list:
    heard: list = []
    for name, event in vars(session.events).items():
        event.connect(lambda *args, n=name: heard.append(n))
    return heard


@pytest.fixture
def model(fast_model_path):
    return load_model(fast_model_path)


def test_a_record_is_classified_first_and_its_muaps_wait_for_the_classification(model):
    runner = Runner()
    session = ViewerSession(runner)
    session.set_model(model)
    path = demo_record_paths()[0]
    assert session.open_record(path)
    assert runner.work() == ["classify"]  # the MUAP analysis waits for the classification
    _, generation, record = runner.asked[-1]
    result = classify(record, model)
    session.on_classified(generation, result)
    session.select(3)
    assert runner.work() == ["classify", "muaps behind classification", "saliency"]
    assert session.result is result and session.selected == 3


def test_the_view_selects_before_the_muaps_are_queued(model):
    """The window selects a window while it is told "classified": that saliency job is queued
    on the classification's thread before the waiting MUAP analysis."""
    runner = Runner()
    session = ViewerSession(runner)
    session.set_model(model)
    session.events.classified.connect(lambda result: session.select(0))
    session.open_record(demo_record_paths()[0])
    _, generation, record = runner.asked[-1]
    session.on_classified(generation, classify(record, model))
    assert runner.work() == ["classify", "saliency", "muaps behind classification"]


def test_without_a_model_the_muaps_run_at_once_on_their_own_thread():
    runner = Runner()
    session = ViewerSession(runner)
    heard = _listen(session)
    session.open_record(demo_record_paths()[0])
    assert runner.work() == ["muaps own thread"]
    assert heard.index("record_shown") < heard.index("no_model") < heard.index("classification_settled")


def test_a_result_for_an_earlier_record_is_dropped(model):
    runner = Runner()
    session = ViewerSession(runner)
    session.set_model(model)
    first, second = demo_record_paths()[:2]
    session.open_record(first)
    _, stale, record = runner.asked[-1]
    session.open_record(second)
    session.on_classified(stale, classify(record, model))
    assert session.result is None and session.record.name == second.stem


def test_messages_wait_while_blind_and_are_said_otherwise():
    session = ViewerSession(Runner())
    said: list = []
    session.events.message.connect(said.append)
    session.say("one")
    session.blind = True
    session.say("two: the file name gives the answer away")
    assert said == ["one"] and session.hidden_messages == ["two: the file name gives the answer away"]


def test_a_record_that_cannot_be_read_is_said_and_nothing_changes(tmp_path):
    session = ViewerSession(Runner())
    said: list = []
    session.events.message.connect(said.append)
    bad = tmp_path / "bad.hea"
    bad.write_text("not a header\n")
    assert not session.open_record(bad)
    assert session.record is None and len(said) == 1 and said[0].startswith(str(bad))


def test_a_long_record_loads_in_the_background_and_a_later_open_wins(monkeypatch, tmp_path):
    from emgviewer.session import viewer_session

    monkeypatch.setattr(viewer_session, "LOAD_IN_BACKGROUND_BYTES", 1)
    runner = Runner()
    session = ViewerSession(runner)
    first, second = demo_record_paths()[:2]
    session.open_record(first)
    session.open_record(second)
    (_, old, _), (_, new, _) = [a for a in runner.asked if a[0] == "load"]
    session.on_loaded(old, read_record(first), None, first)
    assert session.record is None and session.loading == second  # the older load is not wanted
    session.on_loaded(new, read_record(second), None, second)
    assert session.record.name == second.stem and session.loading is None


def test_work_held_for_the_first_frame_runs_once_on_release():
    runner = Runner()
    session = ViewerSession(runner)
    session.hold()
    session.after_release(runner.warm_up)
    session.after_release(runner.warm_up)
    session.open_record(demo_record_paths()[0])
    assert runner.work() == []  # no model: the MUAP analysis would run now, but the frame comes first
    session.release()
    assert runner.work() == ["warm up", "muaps own thread"]


def test_a_saliency_for_another_window_is_not_shown(model):
    session = ViewerSession(Runner())
    session.set_model(model)
    session.open_record(demo_record_paths()[0])
    _, generation, record = session.runner.asked[-1]
    session.on_classified(generation, classify(record, model))
    shown: list = []
    session.events.saliency_ready.connect(lambda curve, fs: shown.append(curve))
    session.select(1)
    late = session.saliency_tag(1)
    session.select(2)
    session.on_saliency(late, np.ones(3))
    assert shown == []
    session.on_saliency(session.saliency_tag(2), np.ones(3))
    assert len(shown) == 1


def test_muaps_count_only_for_the_classified_record():
    record, other = object(), object()
    session = ViewerSession()
    session.result, session.muaps = SimpleNamespace(record=record), SimpleNamespace(record=other)
    assert session.muaps_of_result() is None  # the analysis still belongs to the last record
    session.muaps = SimpleNamespace(record=record)
    assert session.muaps_of_result() is session.muaps


def test_the_window_keeps_its_state_in_the_session(qtbot, window, fast_model_path):
    from conftest import open_classified

    window.set_model(fast_model_path)
    open_classified(qtbot, window, demo_record_paths()[0])
    assert window.record is window.session.record and window.record.name == demo_record_paths()[0].stem
    window.select_window(2)
    assert window.session.selected == 2 and window.session.result is window.result is not None
    assert window.session.model is window.model and window.session.model.card.input.window_s == 0.1


def test_a_records_muap_analysis_is_made_once_whoever_asks(monkeypatch):
    """The learned verdict, the viewer's panel, the report and the CLI all call record_muaps:
    one analysis per record and span, a fresh one for a resampled copy, none kept on failure."""
    import dataclasses

    import emgviewer.analysis.muap.record as muap_record
    from emgviewer.analysis.muap import MuapAnalysisError

    made = []
    original = muap_record.analyse_record
    monkeypatch.setattr(muap_record, "analyse_record",
                        lambda record, max_duration_s=None: made.append(max_duration_s) or original(record, max_duration_s))
    record = read_record(demo_record_paths()[0])  # 6 s: within the viewer's 60-s span
    first = muap_record.record_muaps(record)
    assert muap_record.record_muaps(record, None) is first and muap_record.record_muaps(record, 60.0) is first
    assert made == [None]
    copy = dataclasses.replace(record, name="copy")
    assert muap_record.record_muaps(copy) is not first and made == [None, None]
    short = dataclasses.replace(record, signal_uv=record.signal_uv[:100])
    for _ in range(2):
        with pytest.raises(MuapAnalysisError):
            muap_record.record_muaps(short)
    assert made == [None, None, None, None]  # a failure is tried again, never kept
