"""Round 2 of the hardening probe, on the surfaces added after the readers: each case that gave
a traceback, a hang, a wrong result or an injection is now one clear line or the right result."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from cli_runner import emgviewer_cli as _emgviewer
from onnx_models import card_dict, write_model
from pypdf import PdfReader

from emgviewer.analysis.audio import SoundError, pcm16
from emgviewer.analysis.display_filter import DisplayFilter, FilterError
from emgviewer.analysis.muap import MuapAnalysisError
from emgviewer.analysis.muap.record import analyse_record
from emgviewer.analysis.stacking import RecordStacker
from emgviewer.atomic import atomic_write_bytes, remove_stale_temporaries
from emgviewer.csv_cells import safe_cell
from emgviewer.inference import classify, load_model
from emgviewer.inference.card import parse_card
from emgviewer.inference.errors import CardError
from emgviewer.paths import demo_record_paths
from emgviewer.records import RecordError, expand_paths, read_record
from emgviewer.records.annotations import Annotation
from emgviewer.records.errors import HeaderError
from emgviewer.records.record import Record
from emgviewer.report import record_report_pdf


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> Path:
    return write_model(tmp_path_factory.mktemp("m") / "fast.onnx", card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05))


def _wav(path: Path, rate: int, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


# -- 7: marks in the PDF ----------------------------------------------------------------------------
def test_a_page_long_label_and_thousands_of_marks_make_a_report(model_path, tmp_path):
    result = classify(read_record(demo_record_paths()[0]), load_model(model_path))
    long_label = "\n".join(f"line {i} of a pasted note" for i in range(3000))
    marks = [Annotation(0.5, 0.0, long_label)] + [Annotation(1.0 + i * 1e-4, 0.0, f"m{i}") for i in range(2500)]
    data = record_report_pdf(result, marks=(marks, "sidecar"))
    (tmp_path / "r.pdf").write_bytes(data)
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages)
    assert "Marks (2501, from the record's events file)" in text
    assert "line 0 of a pasted note line 1 of a pasted note" in text  # the label, one line
    assert f"({len(long_label):,} characters in the events file)" in text
    assert "and 501 more marks, listed in the record's events file." in text


def test_the_viewers_pdf_export_says_a_layout_failure(qtbot, window, fast_model_path, demo_copy, tmp_path, monkeypatch):
    from conftest import open_classified
    from reportlab.platypus.doctemplate import LayoutError

    window.set_model(fast_model_path)
    open_classified(qtbot, window, demo_copy / "demo_normal.hea")

    def fail(*_args, **_kwargs):
        raise LayoutError("Flowable <Table> too large on page 2")
    monkeypatch.setattr("emgviewer.report.record_report_pdf", fail)
    assert not window.export_pdf(tmp_path / "r.pdf")
    assert "r.pdf: the report could not be made (LayoutError: Flowable <Table> too large on page 2)" in \
        window.message_bar.label.text()
    assert not (tmp_path / "r.pdf").exists()


# -- 9, 15: the atomic writer -----------------------------------------------------------------------
def test_an_absurd_stale_temporary_is_removed_not_an_overflow(tmp_path):
    target = tmp_path / "out.json"
    stale = tmp_path / ".out.json.99999999999999999999.x.tmp"
    stale.write_text("left by nobody")
    assert remove_stale_temporaries(target) == [stale]
    atomic_write_bytes(target, b"{}")
    assert target.read_bytes() == b"{}"


def test_a_device_is_never_replaced_by_a_file(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="is a device, FIFO or socket, not a file"):
        atomic_write_bytes(fifo, b"x")
    assert fifo.is_fifo()
    run = _emgviewer("classify", str(demo_record_paths()[0]), "--out", "/dev/null", "--force", "--format", "csv")
    assert run.returncode == 1
    assert run.stderr == "emgviewer: error: /dev/null: is a device, FIFO or socket, not a file; name a regular file to write\n"
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("target", ["demo_normal.hea", "demo_normal.bin"])
def test_out_naming_the_input_recording_is_refused(demo_copy, target):
    record = demo_copy / "demo_normal.hea"
    before = (demo_copy / target).read_bytes()
    run = _emgviewer("classify", str(record), "--out", str(demo_copy / target), "--force", "--format", "csv")
    assert run.returncode == 1 and "recordings are never overwritten" in run.stderr
    run = _emgviewer("muap", str(demo_copy), "--out", str(demo_copy / target), "--force")
    assert run.returncode == 1 and f"is a recording in the input folder {demo_copy}" in run.stderr
    assert (demo_copy / target).read_bytes() == before


# -- 10, 18: the MUAP analysis ----------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 15, 100])
def test_a_record_of_a_few_samples_is_said_not_a_padlen_error(n):
    record = Record("tiny", np.zeros(n, np.float32), 23437.5, Path("tiny.csv"), "CSV")
    with pytest.raises(MuapAnalysisError, match=rf"needs at least 0.2 s of signal; this record has {n} sample"):
        analyse_record(record)


def test_a_short_record_in_a_folder_does_not_end_the_muap_run(tmp_path):
    (tmp_path / "tiny.csv").write_text("# fs_hz: 23437.5\n" + "\n".join(["1.0"] * 15) + "\n")
    (tmp_path / "ok.csv").write_text("# fs_hz: 23437.5\n" + "\n".join(f"{v:.3f}" for v in np.sin(np.arange(9000))) + "\n")
    run = _emgviewer("muap", str(tmp_path), "--format", "csv")
    assert run.returncode == 1 and "tiny.csv" in run.stderr and "needs at least 0.2 s" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout.count("\nok,") == 1


def test_a_rate_a_header_divides_to_just_under_4_khz_is_4_khz():
    signal = np.random.default_rng(0).normal(0, 20, 8000).astype(np.float32)
    record = Record("r", signal, 3999.9999999999995, Path("r.csv"), "CSV")
    analyse_record(record)  # accepted: it is 4 kHz
    with pytest.raises(MuapAnalysisError, match="this record has 3990 Hz, too slow"):
        analyse_record(Record("r", signal, 3990.0, Path("r.csv"), "CSV"))


def test_a_record_too_long_for_the_muap_memory_is_refused_with_the_figure(monkeypatch):
    from emgviewer.analysis.muap import detect

    monkeypatch.setattr(detect, "MAX_SAMPLES", 10_000)
    record = Record("r", np.zeros(20_000, np.float32), 23437.5, Path("r.csv"), "CSV")
    with pytest.raises(MuapAnalysisError, match=r"this record has 20,000 samples; the MUAP analysis takes at most 10,000"):
        analyse_record(record)


# -- 11: sound --------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [1.0, 0.05, 0.001, 1e-300])
def test_sound_at_rates_nothing_can_be_heard_is_refused(rate):
    with pytest.raises(SoundError, match="sound needs at least 1000 Hz"):
        pcm16(np.zeros(4000), rate)


def test_audio_command_refuses_slow_records_and_singular_filters(tmp_path):
    slow = _wav(tmp_path / "slow.wav", 1, np.zeros(8000))
    run = _emgviewer("audio", str(slow), "--out", str(tmp_path / "o.wav"))
    assert run.returncode == 1 and run.stderr.endswith("sound needs at least 1000 Hz (below, nothing of needle EMG is audible)\n")
    assert not (tmp_path / "o.wav").exists()
    (tmp_path / "t.csv").write_text("time,uv\n0,1\n1e308,2\n")
    run = _emgviewer("audio", str(tmp_path / "t.csv"), "--out", str(tmp_path / "o.wav"))
    assert run.returncode == 1 and "recorded at 1e-308 Hz; sound needs at least 1000 Hz" in run.stderr
    ok = _wav(tmp_path / "ok.wav", 8000, np.zeros(800))
    run = _emgviewer("audio", str(ok), "--out", str(tmp_path / "o.wav"), "--high-pass", "1e-9")
    assert run.returncode == 1
    assert run.stderr.endswith("high-pass 1e-09 Hz is below the lowest corner a filter is designed for (0.1 Hz at this "
                               "record's rate)\n")


def test_an_hour_of_sound_at_most():
    with pytest.raises(SoundError, match="61 min of sound asked for; at most 60 min at once"):
        pcm16(np.zeros(int(61 * 60 * 1000)), 1000.0)


@pytest.mark.parametrize("corner", [1e-9, 1e-6, 0.05])
def test_filter_corners_too_low_to_design_are_refused(corner):
    with pytest.raises(FilterError, match="below the lowest corner"):
        DisplayFilter(high_pass_hz=corner).apply(np.zeros(1000), 23437.5)


# -- 12, 13: hops and cards -------------------------------------------------------------------------
@pytest.mark.parametrize("hop", ["1e-6", "1e-9", "1e-320"])
def test_a_hop_under_one_sample_is_one_line(hop, model_path):
    for command in ("classify", "compare"):
        extra = ["--with", str(model_path)] if command == "compare" else []
        run = _emgviewer(command, str(demo_record_paths()[0]), "--model", str(model_path), "--hop", hop, *extra)
        assert run.returncode in (1, 2) and "Traceback" not in run.stderr
        assert "shorter than one sample at the model's 23437.5 Hz" in run.stderr or "must be a positive" in run.stderr


def _card(**edits) -> dict:
    card = card_dict()
    for path, value in edits.items():
        where = card
        keys = path.split("__")
        for key in keys[:-1]:
            where = where.setdefault(key, {})
        where[keys[-1]] = value
    return card


@pytest.mark.parametrize("edits, message", [
    ({"input__hop_s": 1e-9}, "input.hop_s 1e-09 s is shorter than one sample at 4000 Hz"),
    ({"calibration__temperature": 10**400}, "calibration.temperature must be a finite number, got 1000000000"),
    ({"uncertainty_threshold": -10**400}, "uncertainty_threshold must be a finite number"),
    ({"input__hop_s": 10**400}, "input.hop_s must be a finite number"),
    ({"evaluation": {"window_balanced_accuracy": "high"}},
     "evaluation.window_balanced_accuracy must be a finite number, got 'high'"),
    ({"evaluation": {"window_accuracy": 1.5}}, "evaluation.window_accuracy must be a share between 0 and 1, got 1.5"),
    ({"evaluation": {"window_recall": {"ALS": "most"}}}, "evaluation.window_recall.ALS must be a finite number"),
    ({"evaluation": {"window_recall": [0.5]}}, "evaluation.window_recall must be an object"),
    ({"evaluation": {"protocol": 3}}, "evaluation.protocol must be text, got 3"),
])
def test_card_numbers_and_evaluation_fields_are_checked(edits, message):
    with pytest.raises(CardError) as caught:
        parse_card(_card(**edits))
    assert message in str(caught.value)


def _stacker_dict(value: float) -> dict:
    from emgviewer.analysis.stacking import window_feature_names

    names = list(window_feature_names(["control", "myopathy", "ALS"]))
    n = len(names)
    return {"features": names, "mean": [0.0] * n, "scale": [1.0] * n, "fill": [0.0] * n,
            "weights": [[value, -value, 0.0]] * n, "bias": [value, 0.0, -value]}


@pytest.mark.parametrize("value", [1e308, -1e308, 10**400])
def test_stacker_coefficients_beyond_any_fit_are_refused(value):
    with pytest.raises(ValueError, match=r"must (lie within ±1e\+06|be finite numbers|be numbers)"):
        RecordStacker.from_dict(_stacker_dict(value), ["control", "myopathy", "ALS"])


def test_the_largest_allowed_stacker_never_gives_nan():
    stacker = RecordStacker.from_dict(_stacker_dict(1e6), ["control", "myopathy", "ALS"])
    rows = np.array([[1e300] * len(stacker.features), [-1e300] * len(stacker.features)])
    probabilities = stacker.predict(rows)
    assert np.isfinite(probabilities).all() and np.allclose(probabilities.sum(axis=1), 1.0)


def test_models_and_classify_name_the_bad_card_field(tmp_path):
    bad = write_model(tmp_path / "bad.onnx", _card(evaluation={"window_balanced_accuracy": "high"}))
    run = _emgviewer("classify", str(demo_record_paths()[0]), "--model", str(bad))
    assert run.returncode == 1 and "evaluation.window_balanced_accuracy must be a finite number, got 'high'" in run.stderr
    assert "Traceback" not in run.stderr


# -- 16: screenshot size ----------------------------------------------------------------------------
@pytest.mark.parametrize("size, message", [
    ("99999999999x2", "size must look like 1600x900"),
    ("100000x100000", "size must be from 640x400 to 7680x4320, got 100000x100000"),
    ("10x10", "size must be from 640x400 to 7680x4320, got 10x10"),
])
def test_view_size_is_bounded(size, message, tmp_path):
    run = _emgviewer("view", str(demo_record_paths()[0]), "--screenshot", str(tmp_path / "s.png"), "--size", size)
    assert run.returncode == 2 and message in run.stderr and not (tmp_path / "s.png").exists()


# -- 18: messages -----------------------------------------------------------------------------------
def test_a_wav_with_only_its_riff_header_says_what_is_missing(tmp_path):
    path = tmp_path / "head.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", 4) + b"WAVE")
    with pytest.raises(HeaderError, match=r"head\.wav: not a readable WAV file \(it has no 'fmt ' chunk\)"):
        read_record(path)


def test_an_edf_range_beyond_any_recorder_is_said_so(tmp_path):
    from test_fuzz_inputs import _valid_edf

    content = _valid_edf()
    content[256 + 104: 256 + 120] = b"-1e38   1e38    "  # physical minimum and maximum
    (tmp_path / "a.edf").write_bytes(bytes(content))
    with pytest.raises(HeaderError, match=r"physical range -1e\+38 to 1e\+38 is beyond ±1e\+30, more than any recorder"):
        read_record(tmp_path / "a.edf")


def test_a_non_ascii_record_name_reads_as_written(tmp_path):
    np.arange(1000, dtype="<i2").tofile(tmp_path / "récord.bin")
    (tmp_path / "récord.hea").write_text("récord 1 4000 2000\nrécord.bin 16 200/mV\n", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        read_record(tmp_path / "récord.hea")
    assert "récord.hea" in str(caught.value) and "Ã" not in str(caught.value)
    (tmp_path / "récord.hea").write_text("récord 1 4000 1000\nrécord.bin 16 200/mV\n", encoding="utf-8")
    assert read_record(tmp_path / "récord.hea").name == "récord"


def test_the_same_folder_twice_counts_once(demo_copy):
    targets, problems = expand_paths([demo_copy, demo_copy, demo_copy / "demo_normal.hea"])
    assert not problems and len(targets) == len(set(t.resolve() for t in targets)) == 3


def test_float_samples_beyond_float32_are_refused_not_drawn_as_infinity(tmp_path):
    from scipy.io import wavfile

    wavfile.write(tmp_path / "f64.wav", 8000, np.array([1.0, 1e39, -1e39] * 3000, dtype=np.float64))
    run = _emgviewer("info", str(tmp_path / "f64.wav"))
    assert run.returncode == 1
    assert run.stderr == (f"emgviewer: error: {tmp_path / 'f64.wav'}: sample 1 (1e+39) is beyond the range of a "
                          "32-bit float (6,000 such samples)\n")  # and no numpy RuntimeWarning


def test_library_floating_point_notices_stay_off_the_terminal(tmp_path):
    """A numpy notice that reaches the CLI (here raised on purpose inside a command) is not printed."""
    script = ("import numpy as np, sys\n"
              "from emgviewer.cli import main, info\n"
              "real = info.run\n"
              "def run(args):\n"
              "    np.array([3e38], np.float64).astype(np.float32) * np.float32(10)\n"
              "    return real(args)\n"
              "info.run = run\n"
              "from emgviewer.cli import build_parser\n"
              "sys.exit(main(['info', sys.argv[1]]))\n")
    run = subprocess.run([sys.executable, "-c", script, str(demo_record_paths()[0])], capture_output=True, text=True)
    assert run.returncode == 0 and run.stderr == ""


# -- 19: spreadsheets -------------------------------------------------------------------------------
@pytest.mark.parametrize("value, written", [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1+2", "'+1+2"),
                                            ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("-0.25", "-0.25"),
                                            ("+1e3", "+1e3"), ("N2001A01BB01", "N2001A01BB01"), (0.5, 0.5)])
def test_cells_a_spreadsheet_would_run_are_escaped(value, written):
    assert safe_cell(value) == written


def test_a_record_named_as_a_formula_is_escaped_in_every_csv(tmp_path, model_path):
    import shutil

    source = demo_record_paths()[0]
    for suffix in (".hea", ".bin"):
        shutil.copy(source.with_suffix(suffix), tmp_path / f"=cmd{suffix}")
    text = (tmp_path / "=cmd.hea").read_text().replace(source.stem, "=cmd")
    (tmp_path / "=cmd.hea").write_text(text)
    run = _emgviewer("classify", str(tmp_path / "=cmd.hea"), "--model", str(model_path), "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert all(line.startswith("'=cmd,") for line in run.stdout.splitlines()[1:])
    run = _emgviewer("muap", str(tmp_path / "=cmd.hea"), "--format", "csv")
    assert run.stdout.splitlines()[1].startswith("'=cmd,")



def test_a_few_samples_through_three_filters_are_shown_as_they_are():
    signal = np.arange(13, dtype=np.float32)  # under the three sections' padding (15 samples)
    np.testing.assert_array_equal(DisplayFilter(None, 1.0, 50.0).apply(signal, 999.0), signal)


def test_an_odd_rate_is_made_into_sound_with_a_small_filter():
    from fractions import Fraction

    from emgviewer.analysis.audio import resample_for_audio

    samples, rate = resample_for_audio(np.zeros(1000), 1454.5)  # exact: 88200/2909, a 1.7-M-tap filter
    assert abs(rate - 44_100) / 44_100 < 0.01 and samples.size == round(1000 * rate / 1454.5)
    assert max(Fraction(rate / 1454.5).limit_denominator(100).as_integer_ratio()) <= 5000
    assert resample_for_audio(np.zeros(1000), 23437.5)[1] == 44_100  # N2001's rate stays exact
