"""A shipped model on real records: every place a verdict appears (browser, CLI table, JSON, PDF)
marks training subjects as seen, says "uncertain" below the threshold, warns on foreign
recordings, and never prints a fake number. The seen marking needs a model read as it is, not
by its fold models: resemgnet-learned ships none (the default reads N2001 out of fold,
tests/test_fold_models.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from emgviewer.inference import load_model
from emgviewer.inference.zoo import resolve_model

pytestmark = pytest.mark.real_data

#: The shipped model without fold models that these checks read with.
MODEL = "resemgnet-learned"
#: A control of the training set whose verdict by MODEL leads with ALS at 0.57, below the
#: card's record threshold (0.60), with three uncertain windows.
SEEN_UNCERTAIN = "N2001C01BB54"
ALL_INVALID = "N2001A06BB08"  # 99.6 % zeros: every window flat
from cli_runner import emgviewer_cli as _emgviewer  # noqa: E402


@pytest.fixture(scope="module")
def shipped():
    return load_model(resolve_model(Path(MODEL)))


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_shipped_card_describes_its_training_data(shipped):
    provenance = shipped.card.provenance
    assert provenance.dataset == "N2001" and len(provenance.subjects) == 19
    assert provenance.protocol_kind == "leave-one-subject-out"
    assert provenance.distribution.muscles == ("biceps brachii",)
    assert provenance.distribution.fs_hz == (23437.5,)
    # Out-of-fold verdicts for every record that gave windows, from the fold that held its subject out.
    assert len(provenance.out_of_fold) == 422
    assert provenance.out_of_fold_protocol.startswith("leave-one-subject-out: each record judged by the fold model")


def test_cli_table_and_json_mark_seen_and_uncertain(n2001_dir, shipped):
    table = _emgviewer("classify", n2001_dir / f"{SEEN_UNCERTAIN}.hea", "--model", MODEL)
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if line.startswith(SEEN_UNCERTAIN))
    assert re.match(rf"{SEEN_UNCERTAIN}\s+seen\s+normal \(control\)\s+uncertain \(ALS / neurogenic 0\.5\d\)", row)
    # The columns line up under their headings, however long the verdict with its OOF part.
    header = next(line for line in table.stdout.splitlines() if line.startswith("record "))
    assert len(row[row.index("uncertain"):row.index(" OOF")]) > 30 and "; OOF " in row
    assert row.index("uncertain") == header.index("verdict")
    valid = re.search(r"\d+/\d+", row[header.index("verdict"):])  # "26/26": its slash under the v of "valid"
    assert header.index("verdict") + valid.start() + valid.group().index("/") == header.index("valid")
    assert "Records seen in training (not evidence of accuracy): 0/1 agree, 0 disagree, 1 uncertain." in table.stdout
    assert "Records of people the model never saw" not in table.stdout
    as_json = _emgviewer("classify", n2001_dir / f"{SEEN_UNCERTAIN}.hea", "--format", "json", "--model", MODEL)
    document = json.loads(as_json.stdout)
    record = document["records"][0]
    assert (record["status"], record["seen_in_training"], record["agreement"]) == ("uncertain", True, None)
    assert record["verdict"] == "ALS" and record["confidence"] < shipped.card.record_threshold
    assert record["statement"] == f"uncertain (ALS / neurogenic {record['confidence']:.2f})"
    assert document["subjects"][0]["seen_in_training"] and document["subjects"][0]["status"] == "uncertain"
    assert document["agreement"]["records"]["seen"] == {"agrees": 0, "differs": 0, "uncertain": 1, "no_verdict": 0}
    oof = shipped.card.provenance.out_of_fold[SEEN_UNCERTAIN]
    assert record["out_of_fold"] == {"verdict": oof.label, "confidence": oof.confidence,
                                     "status": "verdict" if oof.confidence >= shipped.card.record_threshold else "uncertain",
                                     "agreement": ("agrees" if oof.label == "control" else "differs")
                                     if oof.confidence >= shipped.card.record_threshold else None}


def test_pdf_marks_seen_and_uncertain_beside_the_truth(n2001_dir, tmp_path):
    out = tmp_path / "seen.pdf"
    assert _emgviewer("report", n2001_dir / f"{SEEN_UNCERTAIN}.hea", "--out", out, "--model", MODEL).returncode == 0
    text = _pdf_text(out)
    assert "Ground truth\nModel verdict\nAgreement\nnormal (control)\nuncertain\n" in text
    assert "leading class ALS / neurogenic at 0.5" in text
    flat = text.replace("\n", " ")
    assert "Read with care: seen in training: this subject's recordings trained the model" in flat
    assert f"[{MODEL}.onnx]" not in text and f"({MODEL}.onnx)" in text  # the file beside the name


def test_foreign_recording_raises_rate_and_muscle_warnings(emgdb_dir, tmp_path):
    result = _emgviewer("classify", emgdb_dir / "emg_neuropathy.hea", "--format", "json")
    assert result.returncode == 0
    codes = [c["code"] for c in json.loads(result.stdout)["records"][0]["caveats"]]
    assert codes[:3] == ["resampled", "band_limited", "muscle"]
    assert ("emgviewer: warning: emg_neuropathy: muscle tibialis anterior; the model was trained on "
            "biceps brachii only\n") in result.stderr
    out = tmp_path / "foreign.pdf"
    assert _emgviewer("report", emgdb_dir / "emg_neuropathy.hea", "--out", out).returncode == 0
    flat = _pdf_text(out).replace("\n", " ")
    assert "recorded at 4000 Hz, upsampled to the model's 23437.5 Hz" in flat
    assert "muscle tibialis anterior; the model was trained on biceps brachii only" in flat


def test_all_invalid_record_pdf_has_no_fake_numbers(n2001_dir, tmp_path):
    out = tmp_path / "invalid.pdf"
    assert _emgviewer("report", n2001_dir / f"{ALL_INVALID}.hea", "--out", out).returncode == 0
    text = _pdf_text(out)
    assert not re.search(r"nan", text, re.IGNORECASE)
    assert text.count("no verdict") == 1  # said once, plainly, with its reason beside it
    assert "only 0 valid window(s) of 26, at least 3 needed" in text


def test_browser_marks_seen_and_uncertain(qtbot, tmp_path, n2001_dir):
    pytest.importorskip("pytestqt")
    from PySide6 import QtCore

    from emgviewer.ui.main_window import MainWindow

    folder = tmp_path / "folder"
    folder.mkdir()
    for suffix in (".hea", ".bin"):
        shutil.copy(n2001_dir / f"{SEEN_UNCERTAIN}{suffix}", folder)
    window = MainWindow(QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.set_model(resolve_model(Path(MODEL)))
    with qtbot.waitSignal(window.classificationShown, timeout=30_000):
        window.open_folder(folder)
    item = window.browser.record_items[SEEN_UNCERTAIN]
    assert item.text(2).startswith("uncertain (ALS / neurogenic 0.5") and item.text(3) == "seen"
    assert item.text(4) != "" and item.toolTip(4) != ""  # the out-of-fold verdict beside it
    subject = window.browser.subject_items["C01"]
    assert subject.text(2).startswith("uncertain (") and subject.text(3) == "seen"
    assert "seen in training (not evidence of accuracy): 0/1 agree" in window.browser.agreement.text()
    assert "out-of-fold, from the model card" in window.browser.agreement.text()
    assert window.message_bar.isVisibleTo(window) and "seen in training" in window.message_bar.label.text()
    assert window.status_model.text().startswith(f"{window.model.card.name} {window.model.card.version} [{MODEL}.onnx]")
    assert "verdict: uncertain (ALS / neurogenic 0.5" in window.status_time.text()


def test_invalid_window_says_why_it_has_no_numbers(qtbot, tmp_path, n2001_dir):
    pytest.importorskip("pytestqt")
    from PySide6 import QtCore, QtGui

    from emgviewer.ui.main_window import MainWindow

    window = MainWindow(QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.set_model(resolve_model(Path(MODEL)))
    with qtbot.waitSignal(window.classificationShown, timeout=30_000):
        window.open_record(n2001_dir / f"{ALL_INVALID}.hea")
    inspector = window.inspector
    qtbot.waitUntil(lambda: bool(inspector.shown), timeout=5_000)  # drawn on the next turn
    assert inspector.shown["probabilities"] is None and inspector.bars is None
    assert inspector.probabilities_note.toPlainText() == "none: the window was not classified"
    assert inspector.saliency_note.toPlainText() == "none, the window is invalid and was not classified"
    plain = QtGui.QTextDocument()
    plain.setHtml(inspector.details.text())
    text = " ".join(plain.toPlainText().split())
    assert text.startswith("invalid flat for 954.7 ms: not classified, so no probabilities or uncertainty")
    assert "nan" not in text.lower()
    # An uncertain window keeps its "< 0.60)" (escaped rich text) and its line break.
    with qtbot.waitSignal(window.classificationShown, timeout=30_000):
        window.open_record(n2001_dir / f"{SEEN_UNCERTAIN}.hea")
    index = int(np.flatnonzero(window.result.uncertain)[0])
    with qtbot.waitSignal(inspector.windowShown, timeout=5_000):
        window.select_window(index)
    plain.setHtml(inspector.details.text())
    first_line = plain.toPlainText().splitlines()[0]
    assert first_line.endswith(f"uncertain (top probability {window.result.max_probability[index]:.2f} < 0.60)")
