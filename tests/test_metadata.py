from __future__ import annotations

import pytest

from emgviewer.records.metadata import frequency_hz, parse_comments
from emgviewer.records.n2001 import parse_n2001_name


def test_n2001_comment_lines():
    meta = parse_comments(["gender: F", "age: 21", "diagnosis: healty controls",
                           "high-pass filter: 2 Hz", "low-pass filter: 10 kHz",
                           "indentifier: C:\\x\\2.bin", "free text without a colon"])
    assert (meta.gender, meta.age_years, meta.diagnosis) == ("F", 21.0, "healty controls")
    assert (meta.high_pass_hz, meta.low_pass_hz) == (2.0, 10_000.0)
    assert meta.fields["indentifier"] == "C:\\x\\2.bin"
    assert meta.notes == ("free text without a colon",)
    assert meta.truth_from_diagnosis() == "control"  # original typo still recognised


def test_physionet_fields_several_on_a_line():
    meta = parse_comments(["<age>: 44 <sex>: M <diagnoses> no history of neuromuscular disease"])
    assert (meta.age_years, meta.gender) == (44.0, "M")
    assert meta.diagnosis == "no history of neuromuscular disease"


@pytest.mark.parametrize("diagnosis, truth", [
    ("ALS", "ALS"), ("Mainly bulbar ALS", "ALS"), ("Myopathy unclassified", "myopathy"),
    ("simulated neurogenic pattern (ALS-like)", "ALS"), ("Polymyositis", None),
    ("healty controls", "control"), ("chronic low back pain", None),
    ("chronic low back pain and neuropathy due to a right L5 radiculopathy", "neuropathy"),
    ("L5 radiculopathy", "neuropathy"), ("neurogenic changes", "neuropathy"),
])
def test_truth_from_diagnosis(diagnosis, truth):
    assert parse_comments([f"diagnosis: {diagnosis}"]).truth_from_diagnosis() == truth


@pytest.mark.parametrize("text, hz", [("2 Hz", 2.0), ("10 kHz", 10_000.0), ("0.5Hz", 0.5),
                                      ("off", None), (None, None)])
def test_frequency(text, hz):
    assert frequency_hz(text) == hz


def test_n2001_names():
    ident = parse_n2001_name("N2001M07BB22")
    assert (ident.group, ident.subject_id, ident.muscle_code, ident.number, ident.group_class) == (
        "M", "M07", "BB", 22, "myopathy")
    assert parse_n2001_name("N2001X01BB02") is None
    assert parse_n2001_name("emg_healthy") is None


def test_a_physionet_field_continued_on_the_next_line_is_whole():
    meta = parse_comments([" <age>: 62 <sex>: M", " <diagnoses>: chronic low back pain and neuropathy due to a",
                           "  right L5 radiculopathy", " EMG from 25mm concentric needle electrode placed in tibialis "
                           "anterior muscle"])
    assert meta.diagnosis == "chronic low back pain and neuropathy due to a right L5 radiculopathy"
    assert meta.notes == ("EMG from 25mm concentric needle electrode placed in tibialis anterior muscle",)
