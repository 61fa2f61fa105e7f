"""Where models are found: the default model ships in ``resources/models``."""

from __future__ import annotations

from pathlib import Path

from emgviewer.paths import models_dir

DEFAULT_MODEL_NAME = "default.onnx"


def default_model_path() -> Path | None:
    """The shipped default model, or ``None`` while none ships."""
    path = models_dir() / DEFAULT_MODEL_NAME
    return path if path.is_file() else None


def available_models() -> list[Path]:
    """Every ``.onnx`` file shipped in ``resources/models``, default first."""
    models = sorted(models_dir().glob("*.onnx"))
    return sorted(models, key=lambda p: p.name != DEFAULT_MODEL_NAME)
