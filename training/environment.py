"""What a run ran on: the code revision and the library versions, written into every
evaluation report and card so a number can be traced to the code and libraries behind it."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from importlib import metadata
from pathlib import Path

#: The libraries whose versions can change a trained model's numbers.
LIBRARIES = ("emgviewer", "torch", "numpy", "scipy", "onnx", "onnxruntime", "wfdb")


def code_revision() -> str:
    """The checkout's short git revision ("unknown" outside a git checkout)."""
    return _git("rev-parse", "--short", "HEAD") or "unknown"


def uncommitted_changes() -> bool | None:
    """Whether tracked files differ from that revision (None: not known)."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    return None if status is None else bool(status)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=Path(__file__).parent, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def library_versions() -> dict[str, str]:
    """The versions of Python and of the libraries a run depends on."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_environment() -> dict[str, object]:
    """What a report records of the run: code revision, uncommitted changes, library versions, date."""
    return {"code_revision": code_revision(), "uncommitted_changes": uncommitted_changes(),
            "libraries": library_versions(), "date": today()}


def today() -> str:
    """Today's date, ISO."""
    return dt.date.today().isoformat()
