"""PhysioNet emgdb: a second real WFDB format (4 kHz, mV, format 16 in .dat)."""

from __future__ import annotations

import numpy as np
import pytest
import wfdb
from conftest import EMGDB_NAMES

from emgviewer.records import index_folder, read_record


@pytest.mark.parametrize("name", EMGDB_NAMES)
def test_reads_at_4khz_in_microvolts(emgdb_dir, name):
    record = read_record(emgdb_dir / f"{name}.hea")
    reference = wfdb.rdrecord(str(emgdb_dir / name)).p_signal[:, 0] * 1000.0  # mV -> µV
    assert record.fs_hz == 4000.0
    assert record.format == "WFDB"
    assert record.source_units.lower() == "mv"  # one header writes "mv"
    np.testing.assert_allclose(record.signal_uv, reference, rtol=1e-6, atol=1e-3)
    assert record.channel == "EMG"


def test_opens_by_any_of_its_files(emgdb_dir):
    by_header = read_record(emgdb_dir / "emg_myopathy.hea")
    by_data = read_record(emgdb_dir / "emg_myopathy.dat")
    by_base = read_record(emgdb_dir / "emg_myopathy")
    assert np.array_equal(by_header.signal_uv, by_data.signal_uv)
    assert np.array_equal(by_header.signal_uv, by_base.signal_uv)
    assert by_data.source_path == emgdb_dir / "emg_myopathy.dat"


def test_physionet_comments_become_metadata(emgdb_dir):
    healthy = read_record(emgdb_dir / "emg_healthy.hea")
    assert (healthy.metadata.age_years, healthy.metadata.gender) == (44.0, "M")
    assert healthy.metadata.diagnosis == "no history of neuromuscular disease"
    assert healthy.truth == "control"
    assert any("tibialis anterior" in note for note in healthy.metadata.notes)
    myopathy = read_record(emgdb_dir / "emg_myopathy.hea")
    assert myopathy.truth == "myopathy"
    neuropathy = read_record(emgdb_dir / "emg_neuropathy.hea")
    assert neuropathy.metadata.diagnosis == "chronic low back pain and neuropathy due to a right L5 radiculopathy"
    assert neuropathy.truth == "neuropathy"  # not ALS
    assert myopathy.metadata.fields["medications"] == "steroids, low-dose methotrexate"


def test_index_puts_non_n2001_records_in_other(emgdb_dir):
    index = index_folder(emgdb_dir)
    assert list(index.groups) == ["other"]
    assert [e.name for e in index.groups["other"]["emgdb"]] == list(EMGDB_NAMES)
    assert index.groups["other"]["emgdb"][0].fs_hz == 4000.0
