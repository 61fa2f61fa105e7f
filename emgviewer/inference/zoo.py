"""Where models are found: the default model and the others ship in ``resources/models``, and
a shipped model can be named instead of given by path (``--model munet-local``)."""

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


def shipped_names() -> list[str]:
    """The names a shipped model answers to: its file name without ``.onnx``, default first."""
    return [path.stem for path in available_models()]


#: Names a shipped model answered to before it moved: MUNet became the default in 0.3.0
#: (``munet.onnx`` -> ``default.onnx``), so ``--model munet`` in a lab's scripts still works.
FORMER_NAMES = {"munet": "default"}


def resolve_model(path: Path) -> Path:
    """``path`` when it names a file (or anything but a bare name); else the shipped model of
    that name (``munet-local`` or ``munet-local.onnx``, or a former name); else ``path``, for
    the loader to report."""
    if path.exists() or path.parent != Path("."):
        return path
    name = path.name.removesuffix(".onnx")
    name = name if name in shipped_names() else FORMER_NAMES.get(name, name)
    return next((p for p in available_models() if p.stem == name), path)
