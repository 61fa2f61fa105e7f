"""Each input that once gave a traceback, a hang or a silently wrong reading, and each way a
write could lose a file: the exact error, or the file intact."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from cli_runner import emgviewer_cli as _emgviewer  # noqa: E402
from onnx_models import card_dict, write_model
from test_fuzz_inputs import _valid_edf, _valid_wav

from emgviewer.atomic import atomic_write_bytes, remove_stale_temporaries
from emgviewer.inference import ModelError, classify, load_model
from emgviewer.paths import demo_dir, demo_record_paths
from emgviewer.records import RecordError, index_folder, read_record
from emgviewer.records.errors import EmptyFileError, HeaderError, TruncatedDataError, UnreadableFileError


def _wfdb(folder: Path, record_line: str, signal_line: str = "r.bin 16+20 13.1070/uV", samples: int = 1000) -> Path:
    (folder / "r.hea").write_text(f"{record_line}\n{signal_line}\n")
    (folder / "r.bin").write_bytes(b"\0" * 20 + np.arange(samples, dtype="<i2").tobytes())
    return folder / "r.hea"


@pytest.mark.parametrize("rate", ["-100", "nan", "inf", "abc", "1e300", "0"])
def test_wfdb_rates_wfdb_would_misread_are_refused(tmp_path, rate):
    with pytest.raises(HeaderError, match=r"r\.hea: not a valid WFDB header: sampling rate"):
        read_record(_wfdb(tmp_path, f"r 1 {rate} 1000"))


@pytest.mark.parametrize("record_line, signal_line, message", [
    ("r 1", "r.bin 16+20 13.1070/uV", "the record line gives no sampling rate"),
    ("r 1 4000 1e12", "r.bin 16+20 13.1070/uV", "number of samples '1e12' is not a whole number"),
    ("r 1 4000 1000000000000", "r.bin 16+20 13.1070/uV", "claims 1,000,000,000,000 samples"),
    ("r 1 4000 1000", "other.bin 16+20 13.1070/uV", "only the record's own data file"),
    ("r 1 4000 1000", "r.hea 16 200/mV", "only the record's own data file"),
    ("r 1 4000 1000", "../r.bin 16 200/mV", "only the record's own data file"),
    ("r 1 4000 1000", "r.bin 16+-20 13.1070/uV", "storage format '16+-20'"),
    ("r 1 4000 1000", "r.bin 16 200/mV 2000", "ADC resolution '2000'"),
    ("X 1", "", "the record line gives no sampling rate"),
])
def test_wfdb_fields_are_checked_by_name(tmp_path, record_line, signal_line, message):
    with pytest.raises(HeaderError) as caught:
        read_record(_wfdb(tmp_path, record_line, signal_line))
    assert message in str(caught.value)


def test_one_bad_header_does_not_stop_the_folder(tmp_path):
    shutil.copytree(demo_dir(), tmp_path / "f")
    (tmp_path / "f" / "X.hea").write_text("X 1\n")
    index = index_folder(tmp_path / "f")
    assert len(index.records) == 3 and [p.path.name for p in index.problems] == ["X.hea"]


def test_unreadable_subfolder_is_a_problem_not_silence(tmp_path):
    shutil.copytree(demo_dir(), tmp_path / "f")
    hidden = tmp_path / "f" / "locked"
    hidden.mkdir()
    hidden.chmod(0)
    try:
        if os.access(hidden, os.R_OK):
            # root reads anything: list it as another user would see it
            result = subprocess.run(["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search",
                                     sys.executable, "-c", "from emgviewer.records import index_folder;"
                                     f"print([str(p) for p in index_folder({str(tmp_path / 'f')!r}).problems])"],
                                    capture_output=True, text=True, timeout=60)
            assert "locked: folder cannot be listed: Permission denied" in result.stdout, result.stderr
        else:
            assert any("folder cannot be listed" in str(p) for p in index_folder(tmp_path / "f").problems)
    finally:
        hidden.chmod(0o755)


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFileError, match="is not a regular file"):
        read_record(fifo)
    result = _emgviewer("info", tmp_path, timeout=30)  # would hang forever if the FIFO were opened
    assert result.returncode == 1 and "is not a regular file" in result.stderr


def test_overlong_name_is_one_line(tmp_path):
    result = _emgviewer("info", tmp_path / ("x" * 300 + ".csv"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("edit, message", [
    ((244, 8, "-1"), "data record duration -1 s is not a positive finite number"),
    ((244, 8, "nan"), "data record duration nan s is not a positive finite number"),
    ((256 + 216, 8, "0"), "every signal needs at least one sample per data record"),
    ((236, 8, "x"), "are not numbers"),
])
def test_edf_header_fields(tmp_path, edit, message):
    content = _valid_edf()
    offset, width, text = edit
    content[offset: offset + width] = text.encode().ljust(width)
    (tmp_path / "x.edf").write_bytes(bytes(content))
    with pytest.raises(HeaderError) as caught:
        read_record(tmp_path / "x.edf")
    assert message in str(caught.value)


def test_truncated_edf_is_refused_not_half_read(tmp_path):
    content = _valid_edf(n_records=5)
    (tmp_path / "x.edf").write_bytes(bytes(content[: len(content) - 300]))
    with pytest.raises(TruncatedDataError, match="holds 3 complete data record"):
        read_record(tmp_path / "x.edf")


@pytest.mark.parametrize("offset, value", [(256 + 112, b"inf     "), (256 + 104, b"1e300   ")])
def test_edf_physical_range_must_be_finite(tmp_path, offset, value):
    content = _valid_edf()
    content[offset: offset + 8] = value
    (tmp_path / "x.edf").write_bytes(bytes(content))
    with pytest.raises(HeaderError):
        read_record(tmp_path / "x.edf")


def test_wav_rate_zero_and_no_frames(tmp_path):
    content = bytearray(_valid_wav())
    content[24:32] = b"\0" * 8  # rate and byte rate, consistently zero
    (tmp_path / "zero.wav").write_bytes(bytes(content))
    with pytest.raises(HeaderError, match="sampling rate 0 Hz is not a usable rate"):
        read_record(tmp_path / "zero.wav")
    (tmp_path / "empty.wav").write_bytes(_valid_wav(frames=0))
    with pytest.raises(EmptyFileError, match="holds no samples"):
        read_record(tmp_path / "empty.wav")


@pytest.mark.parametrize("comment, message", [
    ("# fs_hz: 0", "sampling rate comment 0 Hz is not a usable rate"),
    ("# fs_hz: .", "sampling rate comment '.' is not a number"),
    ("# fs_hz: 1.2.3", "sampling rate comment '1.2.3' is not a number"),
])
def test_csv_rate_comments(tmp_path, comment, message):
    (tmp_path / "x.csv").write_text(f"{comment}\n1\n2\n3\n")
    with pytest.raises(HeaderError) as caught:
        read_record(tmp_path / "x.csv")
    assert message in str(caught.value)


def test_csv_value_beyond_float32_and_long_lines(tmp_path):
    (tmp_path / "big.csv").write_text("# fs_hz: 4000\n1\n1e300\n")
    with pytest.raises(RecordError, match="line 3: '1e300' is beyond the range of a 32-bit float"):
        read_record(tmp_path / "big.csv")
    (tmp_path / "long.csv").write_text("# fs_hz: 4000\n1\n" + "x" * 1_000_000 + "\n")
    with pytest.raises(RecordError) as caught:
        read_record(tmp_path / "long.csv")
    assert len(str(caught.value)) < 300 and "1,000,000 characters" in str(caught.value)


def test_markdown_is_not_read_as_a_recording():
    with pytest.raises(RecordError, match="not a recording format emgviewer reads"):
        read_record(Path(__file__).parent.parent / "README.md")


@pytest.mark.parametrize("argument, message", [
    (["--hop", "-1"], "argument --hop: must be a positive number of seconds up to 3600, got -1"),
    (["--hop", "0"], "argument --hop: must be a positive number of seconds up to 3600, got 0"),
    (["--hop", "1e300"], "argument --hop: must be a positive number of seconds up to 3600, got 1e300"),
    (["--fs-hz", "nan"], "argument --fs-hz: must be a positive rate in Hz up to 1e+07, got nan"),
])
def test_cli_numbers_are_checked(argument, message):
    result = _emgviewer("classify", demo_record_paths()[0], *argument)
    assert result.returncode == 2 and message in result.stderr


def test_outputs_are_checked_before_any_work(tmp_path):
    started = time.perf_counter()
    missing = _emgviewer("classify", demo_dir(), "--out", tmp_path / "missing" / "x.json")
    assert missing.returncode == 1
    assert missing.stderr == (f"emgviewer: error: {tmp_path / 'missing' / 'x.json'}: "
                              f"folder {tmp_path / 'missing'} does not exist\n")
    folder = _emgviewer("report", demo_dir(), "--out", tmp_path)
    assert folder.returncode == 1 and folder.stderr.endswith(": must end in .pdf\n")
    text = _emgviewer("report", demo_dir(), "--out", tmp_path / "x.txt")
    assert text.returncode == 1 and text.stderr == f"emgviewer: error: {tmp_path / 'x.txt'}: must end in .pdf\n"
    assert not list(tmp_path.iterdir())
    assert time.perf_counter() - started < 120  # sanity only; speed is measured in benchmarks


def test_summary_only_is_honoured_for_one_record(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "one.pdf"
    assert _emgviewer("report", demo_record_paths()[1], "--summary-only", "--out", out).returncode == 0
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Window probabilities over time" not in text and "demo_myopathic" in text


def test_file_created_during_the_run_is_not_clobbered(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("someone else's")
    with pytest.raises(FileExistsError):
        atomic_write_bytes(target, b"ours", overwrite=False)
    assert target.read_text() == "someone else's" and [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_written_files_keep_modes_and_honour_the_umask(tmp_path):
    previous = os.umask(0o077)
    try:
        atomic_write_bytes(tmp_path / "new.pdf", b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.pdf").stat().st_mode) == 0o600
    (tmp_path / "old.pdf").write_bytes(b"old")
    (tmp_path / "old.pdf").chmod(0o640)
    atomic_write_bytes(tmp_path / "old.pdf", b"new")
    assert stat.S_IMODE((tmp_path / "old.pdf").stat().st_mode) == 0o640


def test_full_disk_leaves_the_old_file_and_no_temporary(tmp_path):
    """A write that runs out of space (here: the file-size limit, as on a full disk) fails
    with one line; the previous file and the folder are as they were."""
    out = tmp_path / "x.json"
    out.write_text("previous")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    result = _emgviewer("classify", demo_dir(), "--format", "json", "--out", out, "--force", preexec_fn=limit)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (f"emgviewer: error: {out}: could not be written (File too large); "
                                              "nothing was changed")
    assert out.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["x.json"]


WRITER = """
import sys
from emgviewer.atomic import atomic_write_bytes
payload = bytes([int(sys.argv[2])]) * (64 << 20)
while True:
    atomic_write_bytes(sys.argv[1], payload)
"""


def _kill_when(process: subprocess.Popen, ready) -> None:
    """SIGKILL ``process`` as soon as ``ready()`` holds (checked without pause), or let it end."""
    while process.poll() is None and not ready():
        pass
    process.send_signal(signal.SIGKILL)
    process.wait()


def _temporary_size(folder: Path, name: str) -> int:
    """Bytes in the atomic writer's temporary for ``name`` (0 while there is none)."""
    for temporary in folder.glob(f".{name}.*.tmp"):
        try:
            return temporary.stat().st_size
        except FileNotFoundError:  # renamed into place meanwhile
            continue
    return 0


def test_kill_during_writes_leaves_a_whole_file(tmp_path):
    """SIGKILL part-way through 64 MB writes, at a drawn byte of the temporary: the target is
    always a complete file (old or new), and the killed writer's temporary is cleaned by the
    next write."""
    target = tmp_path / "report.pdf"
    target.write_bytes(b"\x07" * (64 << 20))
    rng = np.random.default_rng(0)
    for trial in range(6):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(trial + 1)])
        kill_at = int(rng.uniform(0.05, 0.95) * (64 << 20))
        _kill_when(writer, lambda: _temporary_size(tmp_path, target.name) >= kill_at)
        content = target.read_bytes()
        assert len(content) == 64 << 20 and len(set(content[:: 1 << 16])) == 1
    remove_stale_temporaries(target)
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_kill_during_classify_out_leaves_old_or_new(tmp_path):
    out = tmp_path / "result.json"
    out.write_text('{"old": true}')
    script = shutil.which("emgviewer", path=str(Path(sys.executable).parent))

    def killed(ready) -> dict:
        run = subprocess.Popen([script, "classify", str(demo_dir()), "--format", "json", "--out", str(out),
                                "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _kill_when(run, ready)
        return json.loads(out.read_text())  # whole JSON, whatever the moment

    assert killed(lambda: True) == {"old": True}  # at start-up: nothing written yet
    # Once its temporary exists: caught mid-write the old file stays; the rename may win the race.
    document = killed(lambda: any(tmp_path.glob(".result.json.*.tmp")))
    assert document == {"old": True} or document["schema_version"] == 2
    assert killed(lambda: out.read_text() != '{"old": true}')["schema_version"] == 2  # once replaced: new


def test_model_with_non_finite_outputs_is_an_error_naming_it(tmp_path):
    import onnx
    from onnx import helper

    path = write_model(tmp_path / "nan.onnx", card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05))
    proto = onnx.load(path)
    for init in proto.graph.initializer:
        if init.name == "biases":
            init.CopyFrom(onnx.numpy_helper.from_array(np.array([np.nan, 0, 0], dtype=np.float32), "biases"))
    helper.set_model_props(proto, {p.key: p.value for p in proto.metadata_props})
    onnx.save(proto, path)
    model = load_model(path)
    with pytest.raises(ModelError) as caught:
        classify(read_record(demo_record_paths()[0]), model)
    assert str(caught.value).startswith(f"{path}: graph returned non-finite scores (NaN or infinity) for ")
    # Every window of the batch is NaN: the count is said as the batch's, not as the record's.
    assert str(caught.value).endswith(" of one batch, and classification stopped there: the model is broken")
    result = _emgviewer("classify", demo_record_paths()[0], "--model", path, "--format", "json")
    assert result.returncode == 1 and result.stdout == "" and "non-finite scores" in result.stderr


@pytest.mark.parametrize("change, message", [
    ({"calibration": {"temperature": float("nan")}}, "card holds NaN, which is not JSON"),
    ({"input": {"fs_hz": 4000.0, "window_s": 0.25, "hop_s": 0.1, "shape": ["batch", 1, 1000],
                "scaling": {"kind": "fixed", "factor": "abc"}, "preprocessing": "raw"}},
     "input.scaling.factor must be a finite number, got 'abc'"),
])
def test_card_numbers_must_be_finite(tmp_path, change, message):
    path = write_model(tmp_path / "m.onnx", card_dict(**change), n_times=1000)
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert message in str(caught.value)


def test_external_data_is_never_read(tmp_path):
    """A model that keeps its weights in another file is refused before anything is read
    there (the secret file is outside the model's folder)."""
    import onnx

    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.zeros(3, dtype=np.float32).tobytes())
    folder = tmp_path / "models"
    folder.mkdir()
    path = write_model(folder / "ext.onnx", card_dict())
    proto = onnx.load(path)
    biases = next(i for i in proto.graph.initializer if i.name == "biases")
    biases.ClearField("float_data")
    biases.ClearField("raw_data")
    biases.data_location = onnx.TensorProto.EXTERNAL
    for key, value in (("location", "../secret.bin"), ("offset", "0"), ("length", "12")):
        entry = biases.external_data.add()
        entry.key, entry.value = key, value
    path.write_bytes(proto.SerializeToString())
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_rates_a_model_cannot_use_are_refused(tmp_path):
    (tmp_path / "slow.csv").write_text("# fs_hz: 1\n" + "\n".join(["1"] * 48_000))
    model = load_model(write_model(tmp_path / "m.onnx", card_dict(fs_hz=23437.5, window_s=0.1, hop_s=0.05)))
    from emgviewer.inference.errors import UnsuitableRecordError

    with pytest.raises(UnsuitableRecordError, match="recorded at 1 Hz: below 1000 Hz"):
        classify(read_record(tmp_path / "slow.csv"), model)
    (tmp_path / "odd.csv").write_text("# fs_hz: 100000.3\n" + "\n".join(str(i % 7) for i in range(30_000)))
    result = classify(read_record(tmp_path / "odd.csv"), model)  # nearest ratio within 1e-4
    assert result.n_windows > 0 and result.caveats[0].text.startswith("recorded at 100000 Hz, resampled")


def test_simulate_twice_says_so(tmp_path):
    run = [sys.executable, "-m", "emgviewer.records.simulate", str(tmp_path)]
    assert subprocess.run(run, capture_output=True, timeout=120).returncode == 0
    again = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert again.stderr.strip().endswith("exists; pass --overwrite to replace it")


def test_training_without_torch_says_what_to_install(tmp_path):
    blocker = tmp_path / "torch.py"
    blocker.write_text("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    result = subprocess.run([sys.executable, "-m", "training", "--help"], capture_output=True, text=True,
                            timeout=60, env=env, cwd=Path(__file__).parent.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "pip install torch==2.13.0" in result.stderr
