"""The MUAP tools in the real viewer (offscreen): panel, discharge ticks, calipers, trigger line
and the report export, each checked against the Qt-free analysis computed independently."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from emgviewer.analysis.muap.instruments import caliper_reading, triggered_sweeps  # noqa: E402
from emgviewer.records.n2001_writer import write_n2001  # noqa: E402
from emgviewer.records.simulate import VALIDATION_UNITS, simulate_units  # noqa: E402


@pytest.fixture
def units_record(tmp_path):
    sim = simulate_units(VALIDATION_UNITS, 6.0, seed=7)
    comments = ("diagnosis: simulated units", "muscle: biceps brachii", "electrode: concentric needle")
    return write_n2001(tmp_path, "units", sim.signal_uv, sim.fs_hz, comments)


def _open(qtbot, window, path):
    with qtbot.waitSignal(window.muapsShown, timeout=20_000):
        assert window.open_record(path)


def test_panel_and_ticks_show_every_unit_and_discharge(qtbot, window, units_record):
    _open(qtbot, window, units_record)
    units = window.muaps.analysis.units
    assert len(units) == len(VALIDATION_UNITS)
    panel = window.muap_panel
    assert panel.table.rowCount() == len(units)
    assert [panel.table.item(r, 0).text() for r in range(len(units))] == [u.label for u in units]
    assert panel.table.item(0, 3).text().startswith(f"{units[0].measures.amplitude_uv:.0f}")
    x, _ = window.muap_overlay.ticks.getData()
    expected = np.sort(np.concatenate([u.discharges / window.record.fs_hz for u in units]))
    np.testing.assert_allclose(np.sort(x), expected)
    panel.select_unit(2)
    curves = panel.unit_plot.listDataItems()
    np.testing.assert_allclose(curves[-1].getData()[1], units[2].template_uv)  # the average drawn last
    window.markers_action.trigger()  # M: ticks off
    assert window.muap_overlay.ticks.getData()[0].size == 0


def test_calipers_snap_to_a_muap_and_read_the_signal(qtbot, window, units_record):
    _open(qtbot, window, units_record)
    unit = window.muaps.analysis.units[0]
    fs = window.record.fs_hz
    onset = unit.discharges[5] / fs + unit.measures.onset_ms * 1e-3
    end = unit.discharges[5] / fs + unit.measures.end_ms * 1e-3
    window.calipers_action.trigger()  # C
    window.muap_overlay.set_calipers(onset + 0.0008, end - 0.0009)
    t1, t2 = (line.value() for line in window.muap_overlay.calipers)
    assert (t1, t2) == (pytest.approx(onset), pytest.approx(end))
    expected = caliper_reading(window.record.signal_uv, fs, onset, end)
    assert expected.dt_ms == pytest.approx(unit.measures.duration_ms - 1e3 / fs)
    assert window.status_calipers.text() == f"calipers: {expected.text()}" and window.status_calipers.isVisible()
    window.calipers_action.trigger()  # C again: the reading goes with them
    assert window.status_calipers.text() == "" and not window.status_calipers.isVisible()


def test_trigger_line_stacks_the_sweeps_of_that_level(qtbot, window, units_record):
    _open(qtbot, window, units_record)
    window.muap_panel.set_trigger(True, 600.0)
    line = window.muap_overlay.trigger
    assert line.isVisible() and line.value() == 600.0
    expected = triggered_sweeps(window.record.signal_uv, window.record.fs_hz, 600.0, pre_ms=5.0, post_ms=25.0)
    assert window.muap_panel.trigger_count.text() == f"{len(expected.sweeps_uv)} sweeps"
    np.testing.assert_allclose(window.muap_panel.sweeps.average_uv, expected.average_uv)
    line.setValue(-400.0)  # dragged on the trace
    line.sigPositionChangeFinished.emit(line)
    assert window.muap_panel.level.value() == -400.0
    assert window.trigger_action.isChecked()
    # The plot's title says what it shows: a level nothing reaches, then the trigger off.
    title = lambda: window.muap_panel.trigger_plot.titleLabel.text  # noqa: E731
    assert title().endswith("triggered at -400 µV, and their average")
    window.muap_panel.set_trigger(True, 19_000.0)  # the simulated units stay under 2 mV
    assert window.muap_panel.trigger_count.text() == "0 sweeps"
    assert title() == "no crossing of 19000 µV: no sweep"
    window.muap_panel.set_trigger(False)
    assert title() == "triggered sweeps: turn on Trigger line (T)" and window.muap_panel.sweeps is None
    # Empty, the plot keeps the sweeps' frame (5 ms before the trigger, 25 after), not 0-1 ms.
    (x0, x1), (y0, y1) = window.muap_panel.trigger_plot.viewRange()
    assert (x0, x1) == pytest.approx((-5.0, 25.0)) and (y0, y1) == pytest.approx((-38_000.0, 38_000.0))
    window.muap_panel.set_trigger(True, 600.0)  # sweeps again: the frame follows them
    (x0, x1), _ = window.muap_panel.trigger_plot.viewRange()
    assert x0 <= -5.0 < 25.0 <= x1 and x1 - x0 < 40.0


def test_a_record_too_slow_for_muaps_says_why(qtbot, window, tmp_path):
    slow = write_n2001(tmp_path, "slow", np.random.default_rng(0).normal(0, 20, 4000).astype(np.float32),
                       2000.0, ("muscle: biceps brachii",))
    _open(qtbot, window, slow)
    assert window.muaps is None
    assert "needs at least 4 kHz sampling; this record has 2000 Hz" in window.muap_panel.summary.text()


def test_the_pdf_export_carries_the_units_shown(qtbot, window, units_record, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    from onnx_models import card_dict, write_model
    window.set_model(write_model(tmp_path / "fast.onnx", card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05)))
    with qtbot.waitSignal(window.classificationShown, timeout=20_000):
        with qtbot.waitSignal(window.muapsShown, timeout=20_000):
            window.open_record(units_record)
    assert window.export_pdf(tmp_path / "report.pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "report.pdf").pages)
    assert "Motor unit potentials (MUAP analysis)" in text
    for unit in window.muaps.analysis.units:
        assert f"{unit.label}  {unit.measures.amplitude_uv:.0f} µV  {unit.measures.duration_ms:.1f} ms" in text  # its drawing


def test_a_learned_verdicts_muap_analysis_is_the_one_the_panel_shows(qtbot, window, n2001_dir, tmp_path, monkeypatch):
    """A learned verdict (resemgnet-learned's card) reads MUAP measures, so the classification analyses the record:
    the viewer shows that analysis, and the record is analysed once, not twice."""
    import shutil

    import emgviewer.analysis.muap.record as muap_record
    from emgviewer.paths import models_dir

    calls = []

    def counting(original):
        def analyse(record, max_duration_s=None):
            calls.append(max_duration_s)
            return original(record, max_duration_s=max_duration_s)
        return analyse

    monkeypatch.setattr(muap_record, "analyse_record", counting(muap_record.analyse_record))  # the one that analyses
    for suffix in (".hea", ".bin"):
        shutil.copy(n2001_dir / f"N2001M02BB10{suffix}", tmp_path)
    window.set_model(models_dir() / "resemgnet-learned.onnx")
    with qtbot.waitSignals([window.classificationShown, window.muapsShown], timeout=30_000):
        assert window.open_record(tmp_path / "N2001M02BB10.hea")
    assert window.result.verdict.learned and window.result.muaps is not None
    assert window.muaps is window.result.muaps
    assert calls == [None]  # once: an 11-s record is within the viewer's span (VIEWER_MUAP_S), so all of it
    assert window.muap_panel.table.rowCount() == len(window.muaps.analysis.units) > 0  # every unit, plausible or not
