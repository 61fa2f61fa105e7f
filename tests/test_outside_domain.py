"""A record outside the model's domain (here PhysioNet's 4-kHz tibialis records, for the shipped
N2001 model) gets no record verdict anywhere, its windows drawn apart; asked for, the model's
reading is shown, labelled as such. And its report is written whole, however many units it has."""

from __future__ import annotations

import json
from html import unescape

import pytest
from cli_runner import emgviewer_cli
from pypdf import PdfReader

from emgviewer.inference import default_model_path

pytestmark = pytest.mark.real_data


def _text(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_the_viewer_withholds_the_verdict_until_asked(qtbot, window, emgdb_dir):
    from conftest import open_classified

    window.set_model(default_model_path())
    open_classified(qtbot, window, emgdb_dir / "emg_myopathy.hea")
    line = unescape(window.verdict_label.text())
    assert "no verdict" in line and "outside the model's domain: band-limited" in line
    assert window.trace.ribbon.outside
    assert "outside the model's domain (no verdict)" in window.legend.text()
    with qtbot.waitSignal(window.classificationShown, timeout=30_000):
        window.force_verdict_action.trigger()  # Analysis → Verdict outside the model's domain
    assert window.result.forced and window.result.verdict.label is not None
    assert "the model's reading outside its domain, shown on request" in unescape(window.verdict_label.text())
    assert not window.trace.ribbon.outside
    assert "outside the model's domain" not in window.legend.text()


def test_json_and_pdf_say_no_verdict_with_the_reason(emgdb_dir, tmp_path):
    document = json.loads(emgviewer_cli("classify", emgdb_dir, "--format", "json").stdout)
    for record in document["records"]:
        assert (record["status"], record["verdict"]) == ("none", None)
        assert record["reason"].startswith("outside the model's domain: band-limited")
    out = tmp_path / "myopathy.pdf"
    run = emgviewer_cli("report", emgdb_dir / "emg_myopathy.hea", "--out", out)
    assert run.returncode == 0, run.stderr  # 41 units: their potentials no longer outgrow a page
    text = _text(out)
    assert "no verdict" in text and "outside the model's domain: band-limited" in text
    assert "outside the model's domain: every window in slate, no verdict" in text  # the ribbon's legend
    assert "The model's reading over time (outside its domain: not a finding)" in text
    assert "all in slate: solid: normal (control), dashed: myopathy, dotted: ALS / neurogenic" in text
    assert "Window probabilities over time" not in text
    assert text.count("U41") >= 2  # the last unit in the table and among the drawn potentials


def test_potentials_are_drawn_a_page_at_most_at_a_time():
    from types import SimpleNamespace

    import numpy as np

    from emgviewer.report.muap_section import ROWS_PER_DRAWING, TEMPLATES_PER_ROW, _templates

    measures = SimpleNamespace(onset_ms=1.0, end_ms=9.0, amplitude_uv=100.0, duration_ms=8.0, phases=3)
    units = [SimpleNamespace(template_uv=np.sin(np.linspace(0, 6, 200)) * (i + 1), measures=measures, label=f"U{i + 1}",
                             template_times_ms=lambda fs: np.linspace(-5, 5, 200)) for i in range(41)]
    muaps = SimpleNamespace(analysis=SimpleNamespace(units=units, fs_hz=20_000.0))
    drawings = _templates(muaps, 500.0)
    per_drawing = ROWS_PER_DRAWING * TEMPLATES_PER_ROW
    assert len(drawings) == -(-41 // per_drawing)
    assert max(d.height for d in drawings) <= ROWS_PER_DRAWING * 80 + 14 < 700  # under an A4 frame


def test_the_windows_are_drawn_apart_from_the_first_partial_ribbon(emgdb_dir):
    """A long record fills its ribbon batch by batch: outside the domain, every partial ribbon
    is drawn apart too, never for a moment in class colours; asked for, none is."""
    from emgviewer.display.overlay import windows_from
    from emgviewer.inference import classify, load_model
    from emgviewer.records import read_record

    model = load_model(default_model_path())
    record = read_record(emgdb_dir / "emg_myopathy.hea")
    for force, expected in ((False, True), (True, False)):
        seen = []
        result = classify(record, model, batch_size=8, force_verdict=force,
                          partial=lambda starts, stops, p, valid, apart: seen.append(
                              windows_from(starts, stops, p, valid, model.card, 0.4, outside=apart).outside))
        assert len(seen) >= 5 and set(seen) == {expected}
        assert result.drawn_apart is expected


def test_the_probability_timeline_outside_the_domain_has_no_class_colour(emgdb_dir):
    from reportlab.graphics.shapes import PolyLine
    from reportlab.lib import colors

    from emgviewer.display.colours import OUTSIDE_DOMAIN
    from emgviewer.inference import classify, load_model
    from emgviewer.records import read_record
    from emgviewer.report.figures import probability_timeline

    model = load_model(default_model_path())
    record = read_record(emgdb_dir / "emg_myopathy.hea")
    for force in (False, True):
        result = classify(record, model, force_verdict=force)
        lines = [shape for shape in probability_timeline(result, 400).contents if isinstance(shape, PolyLine)]
        assert len(lines) == len(model.card.classes)
        if force:  # the model's reading, asked for: in the class colours
            assert [line.strokeColor for line in lines] == [colors.HexColor(c.colour) for c in model.card.classes]
        else:
            assert {line.strokeColor.hexval() for line in lines} == {colors.HexColor(OUTSIDE_DOMAIN).hexval()}
            assert len({str(line.strokeDashArray) for line in lines}) == len(lines)  # told apart by dashes
