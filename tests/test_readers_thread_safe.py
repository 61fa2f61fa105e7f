"""Readers leave Python's warning machinery alone: a ``catch_warnings`` in a
loading thread swaps the filters of the whole process, so another thread's warning could be
raised, lost or counted twice. What they used to learn from warnings they now check first."""

from __future__ import annotations

import struct
import warnings
from contextlib import contextmanager
from unittest.mock import patch

import edfio
import numpy as np
import pytest
from scipy.io import wavfile

from emgviewer.records import HeaderError, read_record
from emgviewer.records.errors import TruncatedDataError


@contextmanager
def no_filter_swaps():
    """Fail any code that swaps the process's warning filters inside the block (pytest's own
    use around each test stays outside it)."""
    def refuse(*args, **kwargs):
        raise AssertionError("the process-wide warning filters were changed")

    with patch.object(warnings, "catch_warnings", refuse), patch.object(warnings, "simplefilter", refuse):
        yield


def _wav(path, extra_chunk: bytes = b"") -> None:
    wavfile.write(path, 8000, (1000 * np.sin(np.arange(8000) / 5)).astype(np.int16))
    if extra_chunk:  # a recorder's own chunk (broadcast WAV's 'bext'), before the data
        data = path.read_bytes()
        body = data[12:] + extra_chunk
        path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)


def _edf(path) -> None:
    signal = edfio.EdfSignal(np.sin(np.arange(4000) / 7) * 100, 4000, label="EMG", physical_dimension="uV",
                             physical_range=(-200.0, 200.0))
    edfio.Edf([signal]).write(path)


def test_wav_and_edf_are_read_without_touching_the_warning_filters(tmp_path):
    _wav(tmp_path / "a.wav", extra_chunk=b"bext" + struct.pack("<I", 4) + b"abcd")
    _edf(tmp_path / "a.edf")
    with no_filter_swaps():  # and, with pytest's filters on "error", no warning either
        assert read_record(tmp_path / "a.wav").n_samples == 8000  # the unknown chunk is skipped
        assert read_record(tmp_path / "a.edf").n_samples == 4000


def test_a_riff_size_beyond_the_file_is_refused(tmp_path):
    path = tmp_path / "short.wav"
    _wav(path)
    data = bytearray(path.read_bytes())
    data[4:8] = struct.pack("<I", len(data) + 100)
    path.write_bytes(bytes(data))
    with pytest.raises(TruncatedDataError, match=r"short\.wav: the RIFF header says the file is [\d,]+ bytes "
                                                 r"but it has [\d,]+"):
        read_record(path)


def test_an_edf_with_more_records_than_its_header_says_is_refused(tmp_path):
    path = tmp_path / "more.edf"
    _edf(path)
    with open(path, "ab") as handle:
        handle.write(b"\0" * 8000)  # one more 1-s data record of 4000 int16 samples
    with pytest.raises(HeaderError, match=r"more\.edf: not a valid EDF/EDF\+ file: it holds 2 data records but "
                                          r"the header says 1"):
        read_record(path)


def test_an_edf_ending_inside_a_data_record_is_refused(tmp_path):
    path = tmp_path / "part.edf"
    _edf(path)
    with open(path, "ab") as handle:
        handle.write(b"\0" * 10)
    with pytest.raises(TruncatedDataError, match=r"part\.edf: ends 10 bytes into a data record after 1 complete"):
        read_record(path)
