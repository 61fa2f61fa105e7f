"""The desktop bundle, built once from this checkout with ``packaging/build.py`` and run as a lab
would run it: unpacked from its tarball into a clean folder, started with an empty environment
(no Python, no venv, no source tree on any path), on N2001, EDF and WAV files.

Marked ``bundle`` (about two minutes on 2 cores, most of it PyInstaller): ``pytest -m "not
bundle"`` leaves it out. It skips without PyInstaller, unless EMGVIEWER_REQUIRE_BUNDLE=1 (.ci/run).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

from tests.cli_runner import emgviewer_cli

pytestmark = pytest.mark.bundle

REPO = Path(__file__).resolve().parent.parent
#: A tarball packaging/build.py made already: the tests run it instead of building (for
#: iterating on these tests; CI always builds).
PREBUILT_ENV = "EMGVIEWER_BUNDLE_TARBALL"
#: The issue's ceiling for the unpacked folder.
MAX_BUNDLE_BYTES = 400_000_000


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The bundle's program, unpacked from the built tarball into a folder of its own."""
    if importlib.util.find_spec("PyInstaller") is None:
        message = "PyInstaller is not installed (pip install '.[bundle]')"
        if os.environ.get("EMGVIEWER_REQUIRE_BUNDLE") == "1":
            pytest.fail(f"EMGVIEWER_REQUIRE_BUNDLE=1 but {message}")
        pytest.skip(message)
    archive = os.environ.get(PREBUILT_ENV)
    if not archive:
        out = REPO / "build" / "bundle-test"  # inside the work tree (git-ignored), nothing cached elsewhere
        done = subprocess.run([sys.executable, str(REPO / "packaging" / "build.py"), "--out", str(out)],
                              capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        archive = json.loads(done.stdout.strip().splitlines()[-1])["archive"]
    place = tmp_path_factory.mktemp("lab-machine")
    with tarfile.open(archive) as tar:
        tar.extractall(place, filter="tar")
    return place / "emgviewer" / "emgviewer"


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory) -> dict[str, str]:
    """What a desktop session gives a program it starts: no PYTHONPATH, no venv, a fresh home."""
    home = tmp_path_factory.mktemp("home")
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
            "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share")}


def run_bundle(bundle: Path, env: dict[str, str], *args, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(bundle), *map(str, args)], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


def classify_json(text: str) -> dict:
    """A ``classify --format json`` answer without the paths (the two runs read other copies)."""
    result = json.loads(text)
    for record in result["records"]:
        record.pop("path")
    result["model"].pop("file", None)
    return result


def assert_same_classification(bundled: dict, installed: dict) -> None:
    """Same verdicts, and every window's probabilities to 1e-6: the frozen onnxruntime computes
    what the installed one does."""
    assert [r["statement"] for r in bundled["records"]] == [r["statement"] for r in installed["records"]]
    for ours, theirs in zip(bundled["records"], installed["records"], strict=True):
        assert len(ours["windows"]) == len(theirs["windows"]) > 0
        for a, b in zip(ours["windows"], theirs["windows"], strict=True):
            assert (a["start_s"], a["valid"], a["class"]) == (b["start_s"], b["valid"], b["class"])
            assert np.allclose(list(a["probabilities"].values()), list(b["probabilities"].values()), atol=1e-6)


def test_the_bundle_is_self_contained_small_and_says_what_it_runs_on(bundle, clean_env, tmp_path):
    folder = bundle.parent
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    size = sum(p.stat().st_size for p in files)
    assert size <= MAX_BUNDLE_BYTES, f"{size / 1e6:.0f} MB"
    assert not [p for p in files if "torch" in p.name.lower() or "torch" in p.parent.name.lower()]
    about = json.loads(run_bundle(bundle, clean_env, "about", "--json", cwd=tmp_path).stdout)
    assert about["kind"] == "desktop bundle"
    assert Path(about["location"]) == folder
    assert Path(about["resources"]).is_relative_to(folder)  # not the checkout's resources/
    runtime = about["onnxruntime"]
    assert "CPUExecutionProvider" in runtime["available_providers"]
    assert "CUDAExecutionProvider" not in runtime["available_providers"]  # a CPU build was frozen
    assert runtime["model_runs_on"] == "CPUExecutionProvider"
    # No sound server reachable from this empty environment: silent, and why ("no audio output
    # device"; or Qt's audio could not load, where the build machine had no libpulse0 to carry).
    assert about["sound"]["plays"] is False
    assert about["sound"]["why_not"] in ("no audio output device",) or "could not load" in about["sound"]["why_not"]


@pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="no PulseAudio server program to start here")
def test_the_bundle_plays_sound_where_the_system_has_a_sound_server(bundle, clean_env, tmp_path):
    """A private PulseAudio server with a null output: the bundle's QtMultimedia (no FFmpeg
    backend inside) finds it and would play there."""
    socket = tmp_path / "pulse" / "native"
    socket.parent.mkdir()
    server = subprocess.Popen(["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
                               "--load=module-null-sink sink_name=lab", f"--load=module-native-protocol-unix socket={socket}"],
                              env={**clean_env, "XDG_RUNTIME_DIR": str(tmp_path)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.1)
        env = {**clean_env, "PULSE_SERVER": f"unix:{socket}"}
        about = json.loads(run_bundle(bundle, env, "about", "--json", cwd=tmp_path).stdout)
        assert about["sound"]["plays"] is True, about["sound"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_screenshot_from_the_bundle(bundle, clean_env, tmp_path):
    from PySide6 import QtGui

    shot = tmp_path / "shot.png"
    run_bundle(bundle, clean_env, "view", "--screenshot", shot, "--size", "1366x768", cwd=tmp_path)
    image = QtGui.QImage(str(shot))
    assert (image.width(), image.height()) == (1366, 768)
    # The neurogenic demo's ribbon is drawn in the ALS colour of the default model's card.
    als = QtGui.QColor("#D55E00").rgb()
    pixels = sum(image.pixel(x, y) == als for x in range(0, 1366, 2) for y in range(100, 200, 2))
    assert pixels > 2000


def _edf_and_wav(folder: Path) -> tuple[Path, Path]:
    """An EDF+ (µV) and a WAV of the same simulated signal, as a 4-kHz recorder would keep it."""
    import edfio
    from scipy.io import wavfile
    from scipy.signal import resample_poly

    from emgviewer.records.simulate import simulate_emg

    signal = simulate_emg("neurogenic", duration_s=4.0, seed=3).signal_uv
    signal = resample_poly(signal, 64, 375)  # 23437.5 Hz -> 4000 Hz exactly: 16000 samples
    edf = folder / "needle.edf"
    edfio.Edf([edfio.EdfSignal(signal, 4000, label="EMG BB", physical_dimension="uV",
                               physical_range=(-5000, 5000))]).write(edf)
    wav = folder / "needle.wav"
    wavfile.write(wav, 4000, np.clip(signal, -32767, 32767).astype(np.int16))
    return edf, wav


def test_edf_and_wav_read_and_classify_as_the_installed_app_does(bundle, clean_env, tmp_path):
    for path in _edf_and_wav(tmp_path):
        bundled = classify_json(run_bundle(bundle, clean_env, "classify", path, "--format", "json", cwd=tmp_path).stdout)
        installed = emgviewer_cli("classify", path, "--format", "json")
        assert installed.returncode == 0, installed.stderr
        assert_same_classification(bundled, classify_json(installed.stdout))
        assert bundled["records"][0]["n_windows"] >= 3


def test_n2001_record_classified_and_reported_from_the_bundle(bundle, clean_env, tmp_path, n2001_dir):
    record = n2001_dir / "N2001A01BB02.hea"
    bundled = classify_json(run_bundle(bundle, clean_env, "classify", record, "--format", "json", cwd=tmp_path).stdout)
    installed = emgviewer_cli("classify", record, "--format", "json")
    assert installed.returncode == 0, installed.stderr
    assert_same_classification(bundled, classify_json(installed.stdout))

    from pypdf import PdfReader

    pdf = tmp_path / "report.pdf"
    run_bundle(bundle, clean_env, "report", record, "--out", pdf, cwd=tmp_path)
    first_page = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "N2001A01BB02" in first_page
    assert bundled["records"][0]["statement"].split(" 0.")[0] in first_page


def test_a_file_manager_opens_records_through_the_installed_entry(bundle, clean_env, tmp_path):
    """install-desktop-entry.sh writes the menu entry; its Exec line, with %f replaced by a
    record as a file manager does, opens that record (.hea, .bin and .edf)."""
    from tests.test_desktop_entry import entry_keys, unquote_exec

    done = subprocess.run([str(bundle.parent / "install-desktop-entry.sh")], env=clean_env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    entry = Path(clean_env["XDG_DATA_HOME"]) / "applications" / "emgviewer.desktop"
    keys = entry_keys(entry.read_text())
    command = unquote_exec(keys["Exec"].removesuffix(" %f"))
    assert command == [str(bundle)]
    demo = bundle.parent / "_internal" / "emgviewer" / "resources" / "demo"
    edf, _ = _edf_and_wav(tmp_path)
    for record in (demo / "demo_normal.hea", demo / "demo_myopathic.bin", edf):
        shown = run_bundle(bundle, clean_env, record, "--exit-after-first-frame", cwd=tmp_path)
        assert json.loads(shown.stdout.strip().splitlines()[-1])["record_open"] is True, record
