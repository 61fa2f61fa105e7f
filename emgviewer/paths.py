"""Where the shipped resources (default model, demo records, icons) are.

Installed, they are the package data ``emgviewer.resources``; in a source checkout that was
never installed, the top-level ``resources/`` folder next to the package.
"""

from __future__ import annotations

from importlib import resources as importlib_resources
from pathlib import Path


def resources_dir() -> Path:
    """The shipped resources: inside the installed package, else the checkout's ``resources/``."""
    try:
        return Path(str(importlib_resources.files("emgviewer.resources")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def demo_dir() -> Path:
    """The simulated demo records."""
    return resources_dir() / "demo"


def demo_record_paths() -> list[Path]:
    """Header files of the simulated demo records, normal first."""
    return [demo_dir() / f"demo_{name}.hea" for name in ("normal", "myopathic", "neurogenic")]


def models_dir() -> Path:
    """The shipped models (and their fold models)."""
    return resources_dir() / "models"


def app_icon_path() -> Path:
    """The application icon as a 256-pixel PNG (the window's, and the desktop entry's)."""
    return resources_dir() / "icons" / "emgviewer.png"
