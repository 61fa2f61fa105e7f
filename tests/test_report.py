"""PDF reports read back with pypdf: what a reader sees is what the classification says."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from onnx_models import card_dict, write_model
from pypdf import PdfReader

from emgviewer.inference import classify, load_model
from emgviewer.inference.caveats import assess
from emgviewer.paths import demo_record_paths
from emgviewer.records import read_record
from emgviewer.records.n2001_writer import write_n2001
from emgviewer.report import folder_report_pdf, record_report_pdf, write_pdf


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = write_model(tmp_path_factory.mktemp("m") / "fast.onnx",
                       card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05,
                                 evaluation={"window_balanced_accuracy": 0.8765, "subjects": "3/3"}))
    return load_model(path)


def _text(data: bytes, path: Path) -> tuple[PdfReader, str]:
    path.write_bytes(data)
    reader = PdfReader(path)
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_record_report_text_and_window_table(model, tmp_path):
    result = classify(read_record(demo_record_paths()[2]), model)
    reader, text = _text(record_report_pdf(result), tmp_path / "r.pdf")
    assert len(reader.pages) >= 3
    assert "EMG window classification: demo_neurogenic" in text
    assert "amplitude-test 0.0.1" in text
    # Truth and verdict side by side, in the same words as the CLI and the viewer.
    statement = assess(result).statement
    assert statement.status == ("verdict" if result.verdict.confidence >= 0.6 else "uncertain")
    assert f"Ground truth\nModel verdict\nAgreement\nALS / neurogenic\n{statement.text}\n" in text
    assert f"from the header diagnosis {statement.detail}" in text.replace("\n", " ")  # cells wrap
    assert "Research and teaching tool, not a medical device" in text
    assert "window balanced accuracy 87.6%" in text  # the card's evaluation numbers
    # Every window row: index, start, end, then the three probabilities as classified.
    # (pypdf gives one table cell per line.)
    rows = re.findall(r"^(\d+)\n(\d+\.\d\d)\n(\d+\.\d\d)\n[^\n]+\n(\d\.\d{3})\n(\d\.\d{3})\n(\d\.\d{3})$",
                      text, re.M)
    assert len(rows) == result.n_windows
    for number, start, stop, *probabilities in rows:
        i = int(number) - 1
        assert float(start) == pytest.approx(result.starts_s[i], abs=0.006)
        assert float(stop) == pytest.approx(result.stops_s[i], abs=0.006)
        np.testing.assert_allclose([float(v) for v in probabilities], result.probabilities[i], atol=6e-4)


def test_invalid_windows_are_listed(model, tmp_path):
    signal = np.random.default_rng(0).normal(0, 60, 46_875).astype(np.float32)
    signal[10_000:14_000] = 0.0
    write_n2001(tmp_path, "flat", signal)
    result = classify(read_record(tmp_path / "flat.hea"), model)
    invalid = int((~result.valid).sum())
    assert invalid > 0
    _, text = _text(record_report_pdf(result), tmp_path / "r.pdf")
    assert f"{invalid} invalid." in " ".join(text.split())
    assert "no: flat for" in text


def test_folder_summary_only(model, tmp_path):
    results = [classify(read_record(p), model) for p in demo_record_paths()]
    reader, text = _text(folder_report_pdf(results, "demo folder", summary_only=True), tmp_path / "f.pdf")
    for name in ("demo_normal", "demo_myopathic", "demo_neurogenic"):
        assert name in text
    assert "EMG window classification" not in text  # no per-record sections
    full_reader, full_text = _text(folder_report_pdf(results, "demo folder"), tmp_path / "g.pdf")
    assert full_text.count("EMG window classification:") == 3
    assert len(full_reader.pages) > len(reader.pages)


def test_existing_file_is_not_clobbered(model, tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the user's own file")
    result = classify(read_record(demo_record_paths()[0]), model)
    with pytest.raises(FileExistsError, match="exists; pass --force"):
        write_pdf(target, record_report_pdf(result))
    assert target.read_bytes() == b"the user's own file"


def test_a_failure_mid_write_leaves_the_old_file_intact(model, tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"previous report")
    data = record_report_pdf(classify(read_record(demo_record_paths()[0]), model))

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        write_pdf(target, data, overwrite=True)
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary left behind


def test_report_cli(model, tmp_path):
    out = tmp_path / "cli.pdf"
    script = shutil.which("emgviewer", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "emgviewer"]
    args = [*command, "report", str(demo_record_paths()[1]), "--model", str(model.path), "--out", str(out),
            "--paper", "letter"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    assert reader.pages[0].mediabox.width == pytest.approx(612)  # US letter
    again = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and again.stderr == f"emgviewer: error: {out}: exists; pass --force to overwrite it\n"


@pytest.mark.real_data
def test_real_folder_subject_summary(model, n2001_dir, tmp_path):
    names = ("N2001A05BB51", "N2001A05BB52", "N2001C01BB51", "N2001C05BB80")
    results = [classify(read_record(n2001_dir / f"{n}.hea"), model) for n in names]
    _, text = _text(folder_report_pdf(results, "subset", summary_only=True), tmp_path / "s.pdf")
    assert "A05" in text and "C01" in text and "C05" in text
    # The test model was trained on nobody: all four records are evidence, and said so.
    assert "Records of people the model never saw: " in text and "not evidence" not in text


def test_a_figures_heading_never_ends_a_page_without_its_figure(model, tmp_path):
    """Pushed down a point at a time, each heading reaches a page's foot somewhere in the sweep;
    its figure (known by the text drawn in it) must be on the heading's page (seen: 'Window
    probabilities over time' alone at the foot of page 1, its plot on page 2)."""
    from reportlab.platypus import Spacer

    from emgviewer.report.pdf import content_width, render, styles
    from emgviewer.report.record_section import record_section

    result = classify(read_record(demo_record_paths()[0]), model)
    figures = {"Whole record": "bar height: confidence", "Window probabilities over time": "uncertainty threshold"}
    width = content_width("a4")
    for push in range(0, 720, 40):  # each figure is over 90 points tall: every heading meets the foot
        story = [Spacer(1, push), *record_section(result, styles(), width)]
        reader = PdfReader(io.BytesIO(render(story)))
        pages = [page.extract_text() for page in reader.pages]
        for heading, drawn in figures.items():
            on = [k for k, text in enumerate(pages) if heading in text.splitlines()]
            assert len(on) == 1 and drawn in pages[on[0]], (push, heading, on)


def test_the_score_sheet_names_the_student_date_and_seed(tmp_path):
    from emgviewer.report.score_sheet import score_sheet_pdf
    from emgviewer.teaching import QuizItem, QuizScore

    long_statement = "uncertain (ALS / neurogenic 0.55) (seen in training: not evidence)"
    score = QuizScore([QuizItem(Path("N2001A01BB01.hea"), "N2001A01BB01", "ALS", "myopathy", None, long_statement)],
                      seed=3, student="Ada Lovelace", date="2026-12-06")
    _reader, text = _text(score_sheet_pdf(score), tmp_path / "sheet.pdf")
    assert "Student: Ada Lovelace · quiz of 2026-12-06, seed 3" in text
    assert "not evidence)" in " ".join(text.split())  # the model's statement whole, wrapped


def test_a_folders_report_is_a_page_per_subject_unless_the_book_is_asked_for(model, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    for path in demo_record_paths():
        for suffix in (".hea", ".bin"):
            shutil.copy(path.with_suffix(suffix), folder / f"{path.stem}{suffix}")
    model_path = model.path
    out = tmp_path / "subjects.pdf"
    run = subprocess.run([sys.executable, "-m", "emgviewer", "report", str(folder), "--model", str(model_path),
                          "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    reader, text = _text(out.read_bytes(), out)
    assert "Subject " in text and "EMG window classification:" not in text
    book = tmp_path / "book.pdf"
    run = subprocess.run([sys.executable, "-m", "emgviewer", "report", str(folder), "--model", str(model_path),
                          "--out", str(book), "--full"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    book_reader, book_text = _text(book.read_bytes(), book)
    assert book_text.count("EMG window classification:") == 3 and len(book_reader.pages) > len(reader.pages)


@pytest.mark.parametrize("index", range(3))
def test_the_references_stay_with_the_averaged_potentials(model, tmp_path, index):
    result = classify(read_record(demo_record_paths()[index]), model)
    reader, _text_all = _text(record_report_pdf(result), tmp_path / "r.pdf")
    pages = [page.extract_text() for page in reader.pages]
    with_references = [p for p in pages if "References (" in p]
    assert len(with_references) == 1
    if result.muaps is not None and result.muaps.analysis.units or "Averaged potentials" in _text_all:
        assert "Averaged potentials" in with_references[0]  # never a last page of five lines alone


def test_the_whole_record_scale_bars_stand_below_the_trace():
    from reportlab.graphics.shapes import PolyLine, Rect

    from emgviewer.report.figures import trace_figure

    result = classify(read_record(demo_record_paths()[2]), load_model(write_model(
        Path(os.environ.get("TMPDIR", "/tmp")) / "bars.onnx", card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05))))
    drawing = trace_figure(result, 480)
    box = next(item for item in drawing.contents if isinstance(item, Rect) and item.fillColor is None)
    trace = next(item for item in drawing.contents if isinstance(item, PolyLine))
    lowest_trace = min(trace.points[1::2])
    bars = [item for item in drawing.contents if type(item).__name__ == "Line" and item.strokeWidth == 1.2]
    assert bars and max(max(line.y1, line.y2) for line in bars) < box.y <= lowest_trace
