"""Bad input: each case damages a real file in a temporary folder and expects the exact error
type, with a message that names the file and the problem."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from emgviewer.records import (
    ChannelError,
    EmptyFileError,
    HeaderError,
    InvalidValueError,
    MissingFileError,
    NoRecordsError,
    TruncatedDataError,
    UnreadableFileError,
    UnsupportedFormatError,
    index_folder,
    read_record,
)


def _rewrite_header(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_missing_header(emgdb_copy):
    (emgdb_copy / "emg_healthy.hea").unlink()
    with pytest.raises(MissingFileError) as err:
        read_record(emgdb_copy / "emg_healthy.dat")
    assert str(err.value) == f"{emgdb_copy / 'emg_healthy.hea'}: header not found next to the data file emg_healthy.dat"


def test_missing_data_file(emgdb_copy):
    (emgdb_copy / "emg_healthy.dat").unlink()
    with pytest.raises(MissingFileError) as err:
        read_record(emgdb_copy / "emg_healthy.hea")
    assert str(err.value) == f"{emgdb_copy / 'emg_healthy.dat'}: data file named in the header not found"


def test_data_shorter_than_header_says(emgdb_copy):
    data = emgdb_copy / "emg_healthy.dat"
    data.write_bytes(data.read_bytes()[:2000])  # 1000 samples of 50,860
    with pytest.raises(TruncatedDataError) as err:
        read_record(emgdb_copy / "emg_healthy.hea")
    assert str(err.value) == f"{data}: data file holds 1000 samples but the header (emg_healthy.hea) says 50860"


def test_truncated_n2001_bin(demo_copy):
    data = demo_copy / "demo_normal.bin"
    data.write_bytes(data.read_bytes()[:-1000])
    with pytest.raises(TruncatedDataError, match=r"demo_normal\.bin: data file holds \d+ samples"):
        read_record(demo_copy / "demo_normal.hea")


@pytest.mark.parametrize("garbage", ["this is not a header\n", "emg_healthy one 4000 x\nemg_healthy.dat\n",
                                     "\x00\x01\x02 binary junk"])
def test_garbled_header(emgdb_copy, garbage):
    header = emgdb_copy / "emg_healthy.hea"
    header.write_text(garbage)
    with pytest.raises(HeaderError) as err:
        read_record(header)
    assert str(err.value).startswith(f"{header}: ")


def test_unsupported_wfdb_format(emgdb_copy):
    header = emgdb_copy / "emg_healthy.hea"
    _rewrite_header(header, "emg_healthy.dat 16 ", "emg_healthy.dat 999 ")
    with pytest.raises(UnsupportedFormatError) as err:
        read_record(header)
    assert str(err.value).startswith(f"{header}: WFDB storage format '999' is not supported (supported: 8, 16,")


def test_multi_segment_wfdb_is_refused(emgdb_copy):
    header = emgdb_copy / "multi.hea"
    header.write_text("multi/2 1 4000 100\nemg_healthy 50\nemg_myopathy 50\n")
    with pytest.raises(UnsupportedFormatError) as err:
        read_record(header)
    assert str(err.value) == f"{header}: multi-segment WFDB records are not supported; open one of its segments"


def test_known_but_unsupported_units(emgdb_copy):
    header = emgdb_copy / "emg_healthy.hea"
    _rewrite_header(header, "10000/mV", "10000/degC")
    with pytest.raises(HeaderError) as err:
        read_record(header)
    assert str(err.value) == f"{header}: units 'degC' cannot be converted to µV"


@pytest.mark.parametrize("suffix", [".hea", ".dat"])
def test_zero_length_file(emgdb_copy, suffix):
    path = emgdb_copy / f"emg_healthy{suffix}"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError) as err:
        read_record(emgdb_copy / "emg_healthy.hea")
    assert str(err.value).startswith(f"{path}: ") and "empty (0 bytes)" in str(err.value)


def test_zero_length_csv(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError, match=r"empty\.csv: record file is empty \(0 bytes\)"):
        read_record(path)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "NaN"])
def test_non_finite_value_in_csv(emgdb_dir, tmp_path, bad):
    values = _real_values(emgdb_dir)
    lines = [f"{v:.3f}" for v in values]
    lines[6] = bad  # line 8 of the file, after the comment line
    path = tmp_path / "emg.csv"
    path.write_text("# fs_hz: 4000\n" + "\n".join(lines) + "\n")
    with pytest.raises(InvalidValueError) as err:
        read_record(path)
    assert str(err.value) == f"{path}: line 8: {bad!r} is not a finite number (1 such row(s))"


def test_non_numeric_csv(emgdb_dir, tmp_path):
    values = _real_values(emgdb_dir)
    rows = [f"{i / 4000:.6f},{v:.3f}" for i, v in enumerate(values)]
    rows[3] = "0.000750,12..5"
    path = tmp_path / "emg.csv"
    path.write_text("time_s,amplitude_uV\n" + "\n".join(rows) + "\n")
    with pytest.raises(InvalidValueError) as err:
        read_record(path)
    assert str(err.value) == f"{path}: line 5: '12..5' is not a number"


def test_folder_with_no_records(tmp_path):
    (tmp_path / "notes.txt").write_text("not a record")
    (tmp_path / "sub").mkdir()
    with pytest.raises(NoRecordsError) as err:
        index_folder(tmp_path)
    assert str(err.value) == f"{tmp_path}: no recordings found in this folder"


def test_folder_index_lists_broken_records_without_stopping(emgdb_copy):
    (emgdb_copy / "emg_myopathy.hea").write_text("garbage\n")
    index = index_folder(emgdb_copy)
    assert [e.name for e in index.records] == ["emg_healthy", "emg_neuropathy"]
    assert len(index.problems) == 1 and isinstance(index.problems[0], HeaderError)
    assert index.problems[0].path == emgdb_copy / "emg_myopathy.hea"


def test_folder_is_not_a_record(emgdb_dir):
    with pytest.raises(UnreadableFileError, match="is a folder"):
        read_record(emgdb_dir)


def test_missing_file(tmp_path):
    with pytest.raises(MissingFileError) as err:
        read_record(tmp_path / "nothing.edf")
    assert str(err.value) == f"{tmp_path / 'nothing.edf'}: record file not found"


def test_unknown_binary_file(tmp_path):
    path = tmp_path / "trace.xyz"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnsupportedFormatError, match=r"trace\.xyz: not a recording format"):
        read_record(path)


def test_wav_without_riff(tmp_path):
    path = tmp_path / "trace.wav"
    path.write_bytes(b"ID3" + bytes(100))
    with pytest.raises(UnsupportedFormatError, match=r"trace\.wav: named like a WAV file, but it has no RIFF header"):
        read_record(path)


def test_unknown_channel(emgdb_dir):
    with pytest.raises(ChannelError) as err:
        read_record(emgdb_dir / "emg_healthy.hea", channel="ECG")
    assert str(err.value).endswith("no channel named 'ECG'; channels are 'EMG'")
    with pytest.raises(ChannelError, match="no channel 3: the file has 1 channel"):
        read_record(emgdb_dir / "emg_healthy.hea", channel=3)


def test_unreadable_file(emgdb_copy):
    """A file the operating system refuses to read. CI runs as root, and root reads anything,
    so the read happens in a child process without the capabilities that let root do so."""
    data = emgdb_copy / "emg_healthy.dat"
    os.chmod(data, 0o000)
    command = [sys.executable, "-c",
               "import sys\nfrom emgviewer.records import read_record, UnreadableFileError\n"
               "try:\n    read_record(sys.argv[1])\nexcept UnreadableFileError as err:\n"
               "    print(err)\n    sys.exit(3)\n",
               str(emgdb_copy / "emg_healthy.hea")]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert result.stdout.strip() == f"{data}: cannot read data file named in the header: Permission denied"


def _real_values(emgdb_dir: Path) -> np.ndarray:
    return read_record(emgdb_dir / "emg_healthy.hea").signal_uv[:40]
