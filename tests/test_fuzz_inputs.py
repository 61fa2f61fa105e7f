"""Generated bad input for every reader, the model card and the CLI: nothing but the documented
error types, no hang, no allocation beyond what the file's real size justifies.

CI runs a quick sample; the long run is
``EMGVIEWER_FUZZ_EXAMPLES=10000 pytest -m fuzz tests/test_fuzz_inputs.py``.
"""

from __future__ import annotations

import io
import json
import math
import os
import signal
import struct
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx_models import card_dict

from emgviewer.inference.card import ModelCard
from emgviewer.inference.errors import CardError
from emgviewer.records import RecordError, index_folder, read_record

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("EMGVIEWER_FUZZ_EXAMPLES", "40"))
CASE_SECONDS = 10
#: Fixed cost (numpy, parsers) plus what a file of this size can honestly need: float64 text
#: parsing, a float32 signal and its quality masks.
BASE_BYTES = 48 << 20
BYTES_PER_FILE_BYTE = 48
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@contextmanager
def bounded(file_bytes: int):
    """Fail a case that runs longer than CASE_SECONDS or allocates beyond its budget."""
    def timeout(_signum, _frame):
        raise TimeoutError(f"case ran over {CASE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(CASE_SECONDS)
    tracemalloc.start()
    try:
        yield
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    budget = BASE_BYTES + BYTES_PER_FILE_BYTE * file_bytes
    assert peak <= budget, f"allocated {peak:,} bytes for a {file_bytes:,}-byte input (budget {budget:,})"


def _read_or_refuse(path: Path, size: int, **kwargs) -> None:
    with bounded(size):
        try:
            record = read_record(path, **kwargs)
        except RecordError as err:
            assert str(err).startswith(f"{err.path}: ") and len(str(err)) < 600
            return
    assert math.isfinite(record.fs_hz) and record.fs_hz > 0
    assert record.signal_uv.dtype == np.float32 and record.signal_uv.size > 0


# -- WFDB headers (and N2001 .bin data) ------------------------------------------------------

NUMBERS = st.sampled_from(["0", "1", "-100", "nan", "inf", "-inf", "1e300", "1e-300", "abc", "", ".",
                           "1.2.3", "23437.5", "4000", "250/2", "1e12", "262124", "2000", "-1",
                           "99999999999999999999", "16+-20", "0x10"])
FILE_NAMES = st.sampled_from(["r.bin", "r.dat", "other.bin", "../r.bin", "/etc/passwd", "r.hea", "r", "sub/r.dat"])
FORMATS = st.sampled_from(["16", "16+20", "16+-20", "212", "80", "8", "24", "32", "16x2", "16:3", "999",
                           "abc", "16+99999999999", "310", "311"])


@st.composite
def wfdb_headers(draw) -> tuple[str, bytes]:
    n_signals = draw(st.sampled_from(["1", "2", "0", "-1", "x", "1"]))
    record = ["r", n_signals] + draw(st.lists(NUMBERS, min_size=0, max_size=3))
    lines = [" ".join(record)]
    for _ in range(draw(st.integers(0, 3))):
        fields = [draw(FILE_NAMES), draw(FORMATS)]
        fields += draw(st.lists(st.one_of(NUMBERS, st.sampled_from(["200/mV", "13.107/uV", "0(5)/mV", "1/V"])),
                                max_size=4))
        lines.append(" ".join(fields))
    lines += draw(st.lists(st.sampled_from(["#age: 56", "#muscle: x", "# <age>: 4 <sex>: M", "#"]), max_size=2))
    data = draw(st.one_of(st.binary(max_size=4096),
                          st.builds(lambda n: np.arange(n, dtype="<i2").tobytes(), st.integers(0, 2000))))
    return "\n".join(lines) + "\n", data


@FUZZ
@given(case=wfdb_headers())
def test_wfdb_headers(tmp_path_factory, case):
    folder = tmp_path_factory.mktemp("wfdb")
    header, data = case
    (folder / "r.hea").write_text(header)
    for name in ("r.bin", "r.dat", "other.bin"):
        (folder / name).write_bytes(data)
    _read_or_refuse(folder / "r.hea", len(header) + len(data))
    with bounded(len(header) + 3 * len(data)):
        try:
            index_folder(folder)
        except RecordError:
            pass


# -- EDF ------------------------------------------------------------------------------------

def _valid_edf(n_records: int = 3, samples: int = 100) -> bytearray:
    header = bytearray(b" " * 512)

    def put(offset: int, width: int, text: str) -> None:
        header[offset: offset + width] = text.encode("ascii").ljust(width)[:width]

    put(0, 8, "0")
    put(184, 8, "512")
    put(236, 8, str(n_records))
    put(244, 8, "1")
    put(252, 4, "1")
    base = 256
    for offset, width, text in ((0, 16, "EMG"), (16, 80, ""), (96, 8, "uV"), (104, 8, "-1000"),
                                (112, 8, "1000"), (120, 8, "-32768"), (128, 8, "32767"),
                                (136, 80, "HP:2Hz"), (216, 8, str(samples)), (224, 32, "")):
        put(base + offset, width, text)
    data = np.arange(n_records * samples, dtype="<i2").tobytes()
    return header + data


EDF_FIELDS = st.sampled_from([(184, 8), (236, 8), (244, 8), (252, 4), (256 + 104, 8), (256 + 112, 8),
                              (256 + 120, 8), (256 + 128, 8), (256 + 216, 8), (0, 8)])


@FUZZ
@given(edits=st.lists(st.tuples(EDF_FIELDS, NUMBERS), max_size=4), cut=st.one_of(st.none(), st.integers(0, 1200)))
def test_edf_files(tmp_path_factory, edits, cut):
    content = _valid_edf()
    for (offset, width), text in edits:
        content[offset: offset + width] = text.encode("ascii").ljust(width)[:width]
    if cut is not None:
        content = content[:cut]
    path = tmp_path_factory.mktemp("edf") / "x.edf"
    path.write_bytes(bytes(content))
    _read_or_refuse(path, len(content))


# -- WAV ------------------------------------------------------------------------------------

def _valid_wav(rate: int = 8000, frames: int = 400) -> bytes:
    from scipy.io import wavfile

    buffer = io.BytesIO()
    wavfile.write(buffer, rate, np.arange(frames, dtype=np.int16))
    return buffer.getvalue()


@FUZZ
@given(rate=st.sampled_from([0, 1, 8000, 2**31 - 1]), frames=st.sampled_from([0, 1, 400]),
       flips=st.lists(st.tuples(st.integers(0, 43), st.integers(0, 255)), max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 900)))
def test_wav_files(tmp_path_factory, rate, frames, flips, cut):
    content = bytearray(_valid_wav(8000, frames))
    content[24:28] = struct.pack("<I", rate)
    for offset, value in flips:
        if offset < len(content):
            content[offset] = value
    if cut is not None:
        content = content[:cut]
    path = tmp_path_factory.mktemp("wav") / "x.wav"
    path.write_bytes(bytes(content))
    _read_or_refuse(path, len(content))


# -- CSV ------------------------------------------------------------------------------------

CSV_TOKENS = st.sampled_from(["1", "-2.5", "1e300", "-1e300", "nan", "inf", "abc", "", " ", "1,2", "1;2",
                              "0.001", "3\t4", "1e-320", "0x1F", "١", "--1"])


@st.composite
def csv_texts(draw) -> str:
    lines = draw(st.lists(st.sampled_from(["# fs_hz: 4000", "# fs_hz: 0", "# fs_hz: .", "# fs_hz: 1.2.3",
                                           "# fs_hz: nan", "# fs_hz: 1e300", "# fs_hz: -5", "# muscle: x"]),
                          max_size=2))
    lines += draw(st.lists(st.sampled_from(["time,value", "value (mV)", "t_ms,amplitude_uV", "a,b,c"]), max_size=1))
    rows = draw(st.lists(st.lists(CSV_TOKENS, min_size=1, max_size=3).map(",".join), max_size=30))
    if draw(st.booleans()):
        rows += [str(v) for v in range(draw(st.integers(0, 500)))]
    return "\n".join(lines + rows)


@FUZZ
@given(text=csv_texts(), fs_hz=st.sampled_from([None, 4000.0]))
def test_csv_files(tmp_path_factory, text, fs_hz):
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    path.write_text(text, encoding="utf-8")
    _read_or_refuse(path, len(text.encode()), fs_hz=fs_hz)


# -- model cards ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
              st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12)
CARD_PATHS = st.sampled_from([("name",), ("version",), ("classes",), ("input", "fs_hz"), ("input", "window_s"),
                              ("input", "hop_s"), ("input", "shape"), ("input", "scaling"),
                              ("input", "scaling", "factor"), ("calibration", "temperature"),
                              ("uncertainty_threshold",), ("output",), ("training", "subjects"),
                              ("training", "distribution"), ("evaluation", "out_of_fold"),
                              ("evaluation", "protocol_kind"), ("schema_version",)])


@FUZZ
@given(edits=st.lists(st.tuples(CARD_PATHS, JSON_VALUES), max_size=3), raw=st.one_of(st.none(), st.text(max_size=40)))
def test_model_cards(edits, raw):
    card = card_dict(fs_hz=4000.0, input={"fs_hz": 4000.0, "window_s": 0.25, "hop_s": 0.1,
                                          "shape": ["batch", 1, 1000], "scaling": {"kind": "fixed", "factor": 1.0},
                                          "preprocessing": "raw"})
    for path, value in edits:
        target = card
        for key in path[:-1]:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
        target[path[-1]] = value
    text = raw if raw is not None else json.dumps(card, allow_nan=True)
    with bounded(len(text)):
        try:
            parsed = ModelCard.from_json(text)
        except CardError:
            return
    contract = parsed.input
    assert all(math.isfinite(v) and v > 0 for v in (contract.fs_hz, contract.window_s, contract.hop_s,
                                                   parsed.temperature, contract.scaling.factor))


def test_deeply_nested_card_is_refused():
    with pytest.raises(CardError, match="nested too deeply"):
        ModelCard.from_json("[" * 100_000 + "]" * 100_000)


# -- the command line -----------------------------------------------------------------------

ARGS = st.sampled_from(["--hop", "--fs-hz", "--format", "--out", "--model", "--force", "--cpu", "--summary-only",
                        "--paper", "-1", "0", "nan", "inf", "1e300", "0.4", "json", "csv", "pdf", "",
                        "/missing/x", "x.txt", "x.pdf", "--channel", "2", "--json"])


@FUZZ
@given(command=st.sampled_from(["classify", "report", "info"]), args=st.lists(ARGS, max_size=6))
def test_command_line_arguments(tmp_path_factory, capsys, command, args):
    from emgviewer.cli import main
    from emgviewer.paths import demo_record_paths

    folder = tmp_path_factory.mktemp("cli")
    cwd = os.getcwd()
    os.chdir(folder)  # relative --out paths land here, never in the checkout
    try:
        with bounded(0):
            try:
                status = main([command, str(demo_record_paths()[0]), *args])
            except SystemExit as exit_:  # argparse refusing an argument: its own one-line usage error
                status = exit_.code
    finally:
        os.chdir(cwd)
    assert status in (0, 1, 2)
    assert "Traceback" not in capsys.readouterr().err
