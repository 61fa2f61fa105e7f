"""The real N2001 records: every one reads, and agrees with wfdb sample for sample."""

from __future__ import annotations

import numpy as np
import pytest
import wfdb

from emgviewer.analysis.signal_profile import signal_profile
from emgviewer.records import index_folder, read_record

pytestmark = pytest.mark.real_data

N2001_FS_HZ = 23437.5
N2001_SAMPLES = 262_124
CLIPPING_ONE_PERCENT = {"N2001A03BB55", "N2001C05BB80", "N2001A06BB12", "N2001A06BB07",
                        "N2001M02BB61", "N2001M02BB03"}


def test_every_record_reads_and_equals_wfdb(n2001_dir):
    headers = sorted(n2001_dir.glob("*.hea"))
    assert len(headers) == 423
    with_saturation = []
    for header in headers:
        record = read_record(header)
        reference = wfdb.rdrecord(str(header.with_suffix(""))).p_signal[:, 0]
        assert record.fs_hz == N2001_FS_HZ
        assert record.n_samples == N2001_SAMPLES
        assert record.signal_uv.dtype == np.float32 and not record.signal_uv.flags.writeable
        finite = np.isfinite(reference)
        assert np.array_equal(record.signal_uv[finite], reference[finite].astype(np.float32)), header.name
        if not finite.all():
            # wfdb's NaN is the recorder at negative full scale: -32768 / 13.107 µV.
            with_saturation.append(record.name)
            assert np.all(record.signal_uv[~finite] == np.float32(-32768 / 13.107))
            assert record.quality.n_clipped >= np.count_nonzero(~finite)
        assert record.quality.fraction_missing == 0
    assert len(with_saturation) == 22


def test_quality_flags_name_the_suspect_records(n2001_dir):
    clipping = {h.stem for h in n2001_dir.glob("*.hea")
                if read_record(h).quality.fraction_clipped >= 0.01}
    assert clipping == CLIPPING_ONE_PERCENT
    zeros = read_record(n2001_dir / "N2001A06BB08.bin").quality
    assert zeros.fraction_zero == pytest.approx(0.996, abs=0.001)
    assert "99.6% of samples are exactly zero" in zeros.warnings


def test_one_sample_spikes_flag_the_last_third_of_a_second_of_every_a08_record_and_no_other(n2001_dir):
    spiky = {}
    for header in sorted(n2001_dir.glob("*.hea")):
        quality = read_record(header).quality
        if quality.spiky:
            spiky[header.stem] = quality
        else:
            assert (quality.n_spikes or 0) <= 1, header.stem  # clean records: at most one in 11 s
    assert sorted(spiky) == [f"N2001A08BB{k:02d}" for k in range(1, 16)]
    for name, quality in spiky.items():
        assert quality.n_spikes > 500
        first, last = quality.spike_span_s
        assert 10.85 < first < last <= quality.duration_s
        # Without its spiky tail the record's spectrum is EMG's again (0.6-0.84 with it).
        record = read_record(n2001_dir / f"{name}.hea")
        assert signal_profile(record.signal_uv, record.fs_hz).spectral_flatness < 0.05


def test_name_and_header_give_ground_truth_and_metadata(n2001_dir):
    record = read_record(n2001_dir / "N2001A01BB02")  # base path, no extension
    assert (record.name, record.group, record.subject_id, record.muscle_code) == (
        "N2001A01BB02", "A", "A01", "BB")
    assert record.truth == "ALS"
    meta = record.metadata
    assert (meta.gender, meta.age_years, meta.diagnosis, meta.side, meta.level) == (
        "M", 56.0, "ALS", "Left", "low")
    assert meta.muscle == "Biceps brachii (long head)"
    assert (meta.high_pass_hz, meta.low_pass_hz) == (2.0, 10_000.0)
    assert meta.fields["indentifier"].startswith("C:\\Documents")  # original typo kept
    assert record.duration_s == pytest.approx(N2001_SAMPLES / N2001_FS_HZ)
    assert read_record(n2001_dir / "N2001C01BB51.bin").truth == "control"
    assert read_record(n2001_dir / "N2001M02BB01.hea").truth == "myopathy"


def test_index_groups_subjects_and_records(n2001_dir):
    index = index_folder(n2001_dir)
    assert index.problems == []
    assert index.counts() == {
        "ALS": {"subjects": 6, "records": 88},
        "control": {"subjects": 8, "records": 240},
        "myopathy": {"subjects": 5, "records": 95},
    }
    assert list(index.groups["ALS"]) == ["A01", "A03", "A04", "A05", "A06", "A08"]
    entry = index.groups["myopathy"]["M05"][0]
    assert (entry.name, entry.fs_hz, entry.n_samples, entry.format) == (
        "N2001M05BB51", N2001_FS_HZ, N2001_SAMPLES, "N2001")
    assert entry.truth == "myopathy" and entry.metadata.diagnosis
    # Every indexed entry opens, and reads what the index promised.
    record = read_record(entry.path)
    assert (record.name, record.n_samples) == (entry.name, entry.n_samples)


def test_the_only_n2001_windows_invalid_for_spikes_are_a08s_last(n2001_dir):
    from emgviewer.analysis import Invalid, WindowGeometry, assess_windows

    flagged = {}
    for header in sorted(n2001_dir.glob("*.hea")):
        record = read_record(header)
        geometry = WindowGeometry.from_seconds(1.0, 0.4, record.fs_hz, record.n_samples)
        validity = assess_windows(record.signal_uv, record.fs_hz, geometry, record.full_scale_uv)
        windows = np.flatnonzero(validity.flags & Invalid.ARTEFACT)
        if windows.size:
            flagged[record.name] = (windows.tolist(), len(geometry.starts))
    assert sorted(flagged) == [f"N2001A08BB{k:02d}" for k in range(1, 16)]
    assert all(windows == [n - 1] for windows, n in flagged.values())  # the last 1-s window only
