"""The events file a reader's marks live in: every mark written reads back unchanged, a bad or
hostile file is one clear error (never a hang, never the whole disk read), and two writers
never drop each other's marks."""

from __future__ import annotations

import csv
import io
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz_inputs import bounded

from emgviewer.records import read_record
from emgviewer.records.annotations import (
    MAX_EVENTS_BYTES,
    Annotation,
    AnnotationFileError,
    annotations_tsv,
    load_annotations,
    record_annotations,
    record_sidecar,
    save_annotations,
    sidecar_path,
)
from emgviewer.records.marks_store import MarksFile, merge_marks

HEADER = "onset\tduration\ttrial_type\n"

# Labels as people type and paste them: any character but lone surrogates (not UTF-8).
LABELS = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
TIMES = st.floats(-1e6, 1e9, allow_nan=False, allow_infinity=False)
MARKS = st.builds(Annotation, TIMES, st.floats(0, 1e6, allow_nan=False, allow_infinity=False), LABELS)
ROUND_TRIPS = int(os.environ.get("EMGVIEWER_FUZZ_EXAMPLES", "0")) or 300


def _by_onset(marks: list[Annotation]) -> list[Annotation]:
    return sorted(marks, key=lambda a: a.onset_s)


@pytest.mark.fuzz
@settings(max_examples=ROUND_TRIPS, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(marks=st.lists(MARKS, max_size=8))
def test_every_mark_reads_back_unchanged(tmp_path, marks):
    """The app's own writer and reader: 0 marks changed or lost (the goal of 10,000 round trips;
    EMGVIEWER_FUZZ_EXAMPLES=10000 runs that many)."""
    path = tmp_path / "r_events.tsv"
    save_annotations(path, marks)
    assert load_annotations(path) == _by_onset(marks)


@pytest.mark.parametrize("label", ['"quoted" label', '"', 'a "b" c', "x\ty", "line one\nline two", "  padded  ",
                                   "\r", "=SUM(A1)", "é ✓ µV", "a\x00b"])
def test_awkward_labels_round_trip_and_other_readers_agree(tmp_path, label):
    path = tmp_path / "r_events.tsv"
    save_annotations(path, [Annotation(1.0, 0.0, "before"), Annotation(2.0, 0.5, label), Annotation(3.0, 0.0, "after")])
    assert [m.label for m in load_annotations(path)] == ["before", label, "after"]
    # What a BIDS tool or a spreadsheet reads: the same three rows, the label as typed.
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline=""), delimiter="\t"))
    assert rows[0] == ["onset", "duration", "trial_type"] and [r[2] for r in rows[1:]] == ["before", label, "after"]


def test_times_are_kept_exactly(tmp_path):
    path = tmp_path / "r_events.tsv"
    marks = [Annotation(0.1 + 0.2, 1 / 3, "a"), Annotation(12345.678901234, 0.0, "b")]
    save_annotations(path, marks)
    assert load_annotations(path) == marks


def test_a_label_longer_than_the_csv_modules_limit_reads_back(tmp_path):
    path = tmp_path / "r_events.tsv"
    label = "x" * 200_000  # the csv module's own limit is 131,072
    save_annotations(path, [Annotation(1.0, 0.0, label)])
    assert load_annotations(path)[0].label == label


def test_a_byte_order_mark_is_no_error(tmp_path):
    path = tmp_path / "r_events.tsv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"1.5\t0\tfibrillation\r\n")
    assert load_annotations(path) == [Annotation(1.5, 0.0, "fibrillation")]


def test_an_unclosed_quote_written_by_hand_is_kept_whole(tmp_path):
    # Another program's file with an opening quote never closed: read as that program meant,
    # the quote swallows the rest; nothing raises, and the app never writes such a file.
    path = tmp_path / "r_events.tsv"
    path.write_text(HEADER + '1\t0\t"open\n2\t0\tsecond\n')
    assert load_annotations(path) == [Annotation(1.0, 0.0, "open\n2\t0\tsecond\n")]


@pytest.mark.parametrize("content, message", [
    (HEADER + "1.0\tabc\tMUAP\n", "line 2: onset and duration must be seconds, got ['1.0', 'abc']"),
    (HEADER + "inf\t0\tMUAP\n", "line 2: onset and duration must be finite, duration not negative"),
    (HEADER + "1\t-1\tMUAP\n", "line 2: onset and duration must be finite, duration not negative"),
    ("time,label\n", "not an events file"),
    ("", "not an events file"),
    (HEADER + "x" * 100 + "\t0\tMUAP\n", "got ['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...', '0']"),
])
def test_bad_files_are_one_clear_error(tmp_path, content, message):
    path = tmp_path / "r_events.tsv"
    path.write_text(content)
    with pytest.raises(AnnotationFileError) as caught:
        load_annotations(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


def test_not_utf8_is_said_with_the_byte(tmp_path):
    path = tmp_path / "r_events.tsv"
    path.write_bytes(HEADER.encode() + b"1\t0\t\xff\n")
    with pytest.raises(AnnotationFileError, match=r"not UTF-8 text: invalid start byte at byte 30\)"):
        load_annotations(path)


def test_a_fifo_is_refused_at_once(tmp_path):
    path = tmp_path / "r_events.tsv"
    os.mkfifo(path)
    done = []
    thread = threading.Thread(target=lambda: done.append(_error_of(path)), daemon=True)
    thread.start()
    thread.join(5)
    assert done == [f"{path}: is not a regular file; marks are read only from a regular file"]


def test_a_link_to_a_device_is_refused_unread(tmp_path):
    path = tmp_path / "r_events.tsv"
    path.symlink_to("/dev/zero")
    with bounded(0):  # the device is never read: no budget beyond the fixed cost
        assert _error_of(path) == f"{path}: is not a regular file; marks are read only from a regular file"


def test_a_runaway_file_is_refused_with_its_size(tmp_path):
    path = tmp_path / "r_events.tsv"
    with open(path, "wb") as file:
        file.truncate(MAX_EVENTS_BYTES + 1)  # sparse: nothing on disk
    assert _error_of(path) == f"{path}: is larger than 96 MB; not read as an events file"


def test_a_missing_file_and_a_dangling_link_are_no_marks(tmp_path):
    assert load_annotations(tmp_path / "none_events.tsv") == []
    (tmp_path / "dangling_events.tsv").symlink_to(tmp_path / "nowhere")
    assert load_annotations(tmp_path / "dangling_events.tsv") == []


def _error_of(path: Path) -> str:
    try:
        load_annotations(path)
    except AnnotationFileError as err:
        return str(err)
    return "no error"


# -- whose marks a file holds ---------------------------------------------------------------------
def test_marks_are_named_after_the_file_not_the_header(tmp_path):
    """A header that names another record must not show or rewrite that record's marks."""
    np.arange(4000, dtype="<i2").tofile(tmp_path / "N2001A01BB01.bin")
    (tmp_path / "N2001A01BB01.hea").write_text("N2001A01BB02 1 23437.5 4000\nN2001A01BB01.bin 16 1/uV\n")
    save_annotations(tmp_path / "N2001A01BB02_events.tsv", [Annotation(1.0, 0.0, "BB02's own mark")])
    record = read_record(tmp_path / "N2001A01BB01.hea")
    assert record.name == "N2001A01BB02"  # what the header says ...
    assert record_sidecar(record) == tmp_path / "N2001A01BB01_events.tsv"  # ... but the marks are this file's
    assert record_annotations(record) == ([], "")


def test_an_overlong_name_is_one_clear_error(tmp_path):
    record_path = tmp_path / ("r" * 250 + ".wav")  # the sidecar's name would pass the 255-byte limit
    with pytest.raises(AnnotationFileError, match=r"cannot read the marks \(File name too long\)"):
        load_annotations(sidecar_path(record_path))


# -- two writers ------------------------------------------------------------------------------------
A, B, C, D = (Annotation(float(i), 0.0, label) for i, label in enumerate("ABCD"))


@pytest.mark.parametrize("base, ours, theirs, merged", [
    ([A], [A, B], [A, C], [A, B, C]),  # both added: both kept
    ([A, B], [A], [A, B, C], [A, C]),  # we deleted B, they added C
    ([A, B], [A, B, D], [B], [B, D]),  # they deleted A, we added D
    ([A], [A, B], [A, B], [A, B]),  # the same mark added by both: once
    ([A], [Annotation(0.0, 0.0, "A2")], [A, C], [Annotation(0.0, 0.0, "A2"), C]),  # our relabel, their add
    ([A], [Annotation(0.0, 0.0, "A2")], [Annotation(0.0, 0.0, "A3")],
     [Annotation(0.0, 0.0, "A2"), Annotation(0.0, 0.0, "A3")]),  # both relabelled: both labels kept
])
def test_three_way_merge(base, ours, theirs, merged):
    assert merge_marks(base, ours, theirs) == merged


def test_a_second_viewer_never_drops_the_first_ones_marks(tmp_path):
    path = tmp_path / "r_events.tsv"
    save_annotations(path, [A])
    first, second = MarksFile(path), MarksFile(path)
    assert first.read() == [A] and second.read() == [A]
    assert first.save([A, B]).merged_from_disk == 0
    outcome = second.save([A, C])  # the file changed under the second viewer: merged, not overwritten
    assert outcome.marks == [A, B, C] and outcome.merged_from_disk == 1
    assert load_annotations(path) == [A, B, C]
    assert first.save([A, B, D]).marks == [A, B, C, D]  # and the first viewer keeps the second's C
    assert load_annotations(path) == [A, B, C, D]


def test_a_file_that_turns_unreadable_is_never_saved_over(tmp_path):
    path = tmp_path / "r_events.tsv"
    viewer = MarksFile(path)
    assert viewer.read() is None
    path.write_text("someone else's notes, not marks\n")
    with pytest.raises(AnnotationFileError, match="not an events file"):
        viewer.save([A])
    assert path.read_text() == "someone else's notes, not marks\n"


def test_marks_with_no_finite_time_are_never_written(tmp_path):
    with pytest.raises(ValueError, match="a mark needs a finite onset"):
        annotations_tsv([Annotation(float("nan"), 0.0, "x")])
