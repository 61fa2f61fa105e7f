"""Plain WFDB headers read without wfdb: the same values as ``wfdb.rdheader``, and wfdb is not
imported to open an N2001 record (it costs about 0.6 s of the viewer's launch)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import wfdb

from emgviewer.records import read_record
from emgviewer.records.wfdb_header import gains_given, read_plain_header

FIELDS = ("record_name", "n_sig", "sig_len", "file_name", "fmt", "samps_per_frame", "byte_offset", "adc_gain",
          "baseline", "units", "adc_res", "adc_zero", "sig_name", "comments")

#: Headers exercising each optional field and its default (header(5)).
VARIANTS = {
    "bare": "bare 1\nbare.dat 16\n",
    "gain": "gain 1 1000 10\ngain.dat 16 100\n",
    "baseline": "baseline 1 1000 10\nbaseline.dat 16 100(5)/uV 12\n",
    "zero": "zero 1 1000 10\nzero.dat 16 0/uV 12 3\n",
    "two": "two 2 1000/2(3) 10\ntwo.dat 16 100/mV 16 0 0 0 0 ch one\ntwo.dat 16 200(-3)/mV 16 7\n#c1\n#  c2 x\n",
    "offset": "offset 1 23437.5 4\noffset.bin 16+20 13.1070/uV\n#muscle: biceps\n",
    "wide": "wide 1 500 4\nwide.dat 32 1000/uV\n",
}


def _same_as_wfdb(header_path: Path) -> None:
    mine, reference = read_plain_header(header_path), wfdb.rdheader(str(header_path.with_suffix("")))
    assert mine is not None, header_path.name
    assert float(mine.fs) == float(reference.fs), header_path.name
    for name in FIELDS:
        assert getattr(mine, name) == getattr(reference, name), (header_path.name, name)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_equal_wfdb(tmp_path, name):
    path = tmp_path / f"{name}.hea"
    path.write_text(VARIANTS[name])
    _same_as_wfdb(path)


@pytest.mark.parametrize("line", ["x.dat 212 100", "x.dat 16x2 100", "x.dat 16:1 100", "x.dat 80 100"])
def test_other_storage_is_left_to_wfdb(tmp_path, line):
    path = tmp_path / "x.hea"
    path.write_text(f"x 1 1000 10\n{line}\n")
    assert read_plain_header(path) is None


def test_a_missing_or_zero_gain_is_uncalibrated(tmp_path):
    """wfdb reports 200 for both; header(5) says the signal is then uncalibrated."""
    rows = np.arange(-20, 20, dtype="<i2")
    for name, gain in (("none", ""), ("zero", " 0/uV"), ("set", " 200/uV")):
        (tmp_path / f"{name}.dat").write_bytes(rows.tobytes())
        (tmp_path / f"{name}.hea").write_text(f"{name} 1 4000 {rows.size}\n{name}.dat 16{gain}\n")
        assert gains_given(tmp_path / f"{name}.hea") == [name == "set"]
        record = read_record(tmp_path / f"{name}.hea")
        assert record.calibrated is (name == "set"), name


def test_real_headers_equal_wfdb(n2001_dir, emgdb_dir):
    headers = sorted(n2001_dir.glob("*.hea")) + sorted(emgdb_dir.glob("*.hea"))
    assert len(headers) == 426
    for header in headers:
        _same_as_wfdb(header)


def test_opening_an_n2001_record_does_not_import_wfdb(tmp_path):
    from emgviewer.records.n2001_writer import write_n2001

    write_n2001(tmp_path, "rec", np.zeros(1000, dtype=np.float32), 23437.5, ("muscle: biceps brachii",))
    code = (f"import sys; from emgviewer.records import read_record; "
            f"r = read_record({str(tmp_path / 'rec.hea')!r}); "
            f"print(r.format, r.n_samples, 'wfdb' in sys.modules, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["N2001", "1000", "False", "False"]
