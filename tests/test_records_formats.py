"""EDF/EDF+, WAV, CSV and other WFDB storage formats, each made from a real signal and read back."""

from __future__ import annotations

import edfio
import numpy as np
import pytest
import wfdb
from scipy.io import wavfile

from emgviewer.records import HeaderError, read_record


@pytest.fixture
def real_uv(emgdb_dir) -> np.ndarray:
    """Two seconds of the real emg_healthy record, in µV."""
    return read_record(emgdb_dir / "emg_healthy.hea").signal_uv[:8000].astype(np.float64)


def test_edf_plus_in_millivolts(tmp_path, real_uv):
    emg = edfio.EdfSignal(real_uv / 1000.0, 4000, label="EMG BB", physical_dimension="mV",
                          physical_range=(-5.0, 5.0), prefiltering="HP:2Hz LP:10kHz")
    ecg = edfio.EdfSignal(np.zeros(8000), 4000, label="ECG", physical_dimension="uV",
                          physical_range=(-100.0, 100.0))
    path = tmp_path / "two.edf"
    edfio.Edf([ecg, emg], patient=edfio.Patient(sex="F")).write(path)
    record = read_record(path, channel="emg bb")
    assert (record.format, record.fs_hz, record.channel, record.n_samples) == ("EDF", 4000.0, "EMG BB", 8000)
    lsb_uv = 10_000.0 / 65535  # 10 mV over 16 bits
    np.testing.assert_allclose(record.signal_uv, real_uv, atol=lsb_uv)
    assert record.full_scale_uv == pytest.approx((-5000.0, 5000.0))
    assert (record.metadata.gender, record.metadata.high_pass_hz, record.metadata.low_pass_hz) == ("F", 2.0, 10_000.0)
    assert read_record(path, channel=0).channel == "ECG"


def test_edf_with_unknown_extension_is_recognised_by_content(tmp_path, real_uv):
    path = tmp_path / "export.dat.emg"
    edfio.Edf([edfio.EdfSignal(real_uv, 4000, label="EMG", physical_dimension="uV",
                               physical_range=(-3000.0, 3000.0))]).write(path)
    assert read_record(path).format == "EDF"


def test_edf_with_non_voltage_units_is_refused(tmp_path):
    path = tmp_path / "temp.edf"
    edfio.Edf([edfio.EdfSignal(np.zeros(100), 100, label="T", physical_dimension="degC",
                               physical_range=(0.0, 50.0))]).write(path)
    with pytest.raises(HeaderError, match=r"temp\.edf: channel 'T' has units 'degC', not a voltage"):
        read_record(path)


def test_garbled_edf(tmp_path):
    path = tmp_path / "bad.edf"
    path.write_bytes(b"0       " + b"garbage" * 50)
    with pytest.raises(HeaderError, match=r"bad\.edf: not a valid EDF/EDF\+ file"):
        read_record(path)


def test_wav_stereo_picks_channel_and_is_uncalibrated(tmp_path, real_uv):
    left = np.round(real_uv).astype(np.int16)
    stereo = np.stack([np.zeros_like(left), left], axis=1)
    path = tmp_path / "emg.wav"
    wavfile.write(path, 4000, stereo)
    record = read_record(path, channel=1)
    assert (record.format, record.fs_hz, record.calibrated) == ("WAV", 4000.0, False)
    assert np.array_equal(record.signal_uv, left.astype(np.float32))
    assert record.full_scale_uv == (-32768.0, 32767.0)


def test_csv_one_value_per_line_with_rate_comment(tmp_path, real_uv):
    path = tmp_path / "emg.csv"
    path.write_text("# fs_hz: 4000\n# diagnosis: healthy control\n"
                    + "\n".join(f"{v:.4f}" for v in real_uv) + "\n")
    record = read_record(path)
    assert (record.format, record.fs_hz, record.n_samples) == ("CSV", 4000.0, 8000)
    np.testing.assert_allclose(record.signal_uv, real_uv, atol=1e-3)
    assert record.truth == "control" and record.calibrated is False


def test_csv_time_value_in_millivolts(tmp_path, real_uv):
    path = tmp_path / "emg.csv"
    rows = [f"{i / 4000:.6f};{v / 1000:.7f}" for i, v in enumerate(real_uv)]
    path.write_text("time_s;amplitude (mV)\n" + "\n".join(rows) + "\n")
    record = read_record(path)
    assert record.fs_hz == pytest.approx(4000.0, rel=1e-9)
    assert record.calibrated and record.source_units == "mv"
    np.testing.assert_allclose(record.signal_uv, real_uv, atol=1e-3)


def test_csv_time_in_ms_whitespace_separated(tmp_path, real_uv):
    path = tmp_path / "emg.txt"
    path.write_text("t_ms value_uV\n" + "\n".join(f"{i * 0.25:.2f} {v:.3f}" for i, v in enumerate(real_uv)))
    assert read_record(path).fs_hz == pytest.approx(4000.0)


def test_csv_one_column_needs_a_rate(tmp_path):
    path = tmp_path / "emg.csv"
    path.write_text("1.0\n2.0\n3.0\n")
    with pytest.raises(HeaderError, match=r"emg\.csv: one-column CSV needs a sampling rate"):
        read_record(path)
    assert read_record(path, fs_hz=1000.0).fs_hz == 1000.0


def test_csv_uneven_time_is_refused(tmp_path):
    path = tmp_path / "emg.csv"
    times = np.arange(100) / 1000.0
    times[50:] += 0.003  # a 3 ms gap
    path.write_text("\n".join(f"{t:.4f},{i}" for i, t in enumerate(times)))
    with pytest.raises(HeaderError, match=r"emg\.csv: time column is not evenly spaced"):
        read_record(path)


@pytest.mark.parametrize("fmt", ["212", "80", "24", "32"])
def test_other_wfdb_storage_formats(tmp_path, real_uv, fmt):
    digital = np.clip(np.round(real_uv / 5), -120, 120).astype(np.int64)[:, None]  # fits 8-bit formats
    wfdb.wrsamp("rec", fs=4000, units=["uV"], sig_name=["EMG"], d_signal=digital, fmt=[fmt],
                adc_gain=[0.2], baseline=[0], write_dir=str(tmp_path))
    record = read_record(tmp_path / "rec.hea")
    reference = wfdb.rdrecord(str(tmp_path / "rec")).p_signal[:, 0]
    assert np.array_equal(record.signal_uv, reference.astype(np.float32))


def test_multichannel_wfdb_picks_by_name(tmp_path, real_uv):
    digital = np.stack([np.arange(8000) % 100, np.round(real_uv)], axis=1).astype(np.int64)
    wfdb.wrsamp("two", fs=4000, units=["mV", "uV"], sig_name=["ramp", "EMG"], d_signal=digital,
                fmt=["16", "16"], adc_gain=[1000.0, 1.0], baseline=[0, 0], write_dir=str(tmp_path))
    emg = read_record(tmp_path / "two.dat", channel="EMG")
    ramp = read_record(tmp_path / "two", channel=0)
    assert np.array_equal(emg.signal_uv, np.round(real_uv).astype(np.float32))
    assert np.array_equal(ramp.signal_uv, (np.arange(8000) % 100).astype(np.float32))  # mV/1000 -> µV


def test_wfdb_invalid_sample_becomes_nan_outside_n2001(tmp_path):
    digital = np.array([[0], [5], [-32768], [7]], dtype=np.int64)
    wfdb.wrsamp("gap", fs=1000, units=["uV"], sig_name=["EMG"], d_signal=digital, fmt=["16"],
                adc_gain=[1.0], baseline=[0], write_dir=str(tmp_path))
    record = read_record(tmp_path / "gap.hea")
    assert np.array_equal(np.isnan(record.signal_uv), [False, False, True, False])
    assert record.quality.fraction_missing == 0.25


def test_index_reads_edf_headers_and_lists_csv_and_wav(tmp_path, real_uv):
    edfio.Edf([edfio.EdfSignal(real_uv, 4000, label="EMG", physical_dimension="uV",
                               physical_range=(-3000.0, 3000.0))]).write(tmp_path / "a.edf")
    wavfile.write(tmp_path / "b.wav", 4000, np.round(real_uv).astype(np.int16))
    (tmp_path / "c.csv").write_text("# fs_hz: 4000\n1\n2\n")
    (tmp_path / "notes.txt").write_text("not listed: .txt files are notes far more often")
    from emgviewer.records import index_folder

    entries = {e.name: e for e in index_folder(tmp_path).records}
    assert sorted(entries) == ["a", "b", "c"]
    assert (entries["a"].format, entries["a"].fs_hz, entries["a"].n_samples) == ("EDF", 4000.0, 8000)
    assert (entries["b"].format, entries["b"].fs_hz) == ("WAV", None)
    assert read_record(entries["c"].path).n_samples == 2


def test_one_table_drives_opening_the_index_the_dialog_and_the_help(tmp_path):
    from emgviewer.records import index_folder
    from emgviewer.records.formats import FORMATS, all_suffixes, dialog_filter, help_text, listed_suffixes
    from emgviewer.records.simulate import write_demo_records

    # Each listed suffix is in the dialog's first filter, and each format has its own filter.
    first, *per_format, anything = dialog_filter().split(";;")
    assert first == "Recordings (" + " ".join(f"*{s}" for s in listed_suffixes()) + ")"
    assert [f.split(" (")[0] for f in per_format] == [f.label for f in FORMATS] and anything == "All files (*)"
    assert ".bin" not in listed_suffixes() and ".txt" not in listed_suffixes()  # a record once; notes never
    assert all(s in help_text() for s in all_suffixes())
    # Every suffix a format opens by reaches that format's reader: a WFDB record by each file.
    write_demo_records(tmp_path)
    entry = index_folder(tmp_path).records[0]
    base = entry.path.with_suffix("")
    for suffix in (".hea", ".bin"):
        assert read_record(base.with_suffix(suffix)).n_samples == entry.n_samples
    # The index lists one entry per record, by the table's listed suffixes.
    assert len(index_folder(tmp_path).records) == len(list(tmp_path.glob("*.hea")))
