"""File → Models: the shipped model and every model opened before, one click apart, so a reader
can switch between the trained seed models and compare their colours on the same record."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui, QtWidgets

from emgviewer.inference.zoo import available_models
from emgviewer.ui.open_dialogs import ask_model
from emgviewer.ui.viewer import Viewer

MAX_MODELS = 10
SETTINGS_KEY = "recent_models"


class ModelMenu:
    """File → Models: the shipped models and those opened before, the current one checked."""

    def __init__(self, window: Viewer, menu: QtWidgets.QMenu) -> None:
        self.window, self.menu = window, menu
        self.group = QtGui.QActionGroup(menu)  # one model at a time: the current one is checked
        self.refresh()

    def paths(self, shipped: list[Path] | None = None) -> list[Path]:
        """The shipped models first (the default leading), then the models opened, latest first."""
        shipped = shipped if shipped is not None else [p.resolve() for p in available_models()]
        recent = [Path(p) for p in self.window.settings.value(SETTINGS_KEY, [], type=list)]
        return shipped + [p for p in recent if p not in shipped and p.is_file() and not _shipped_elsewhere(p)]

    def remember(self, path: Path) -> None:
        """Add a model opened from a file to the list (a shipped one is listed anyway)."""
        path = Path(path).resolve()
        if path in [p.resolve() for p in available_models()]:
            self.refresh()  # listed anyway, as shipped: never kept as a recent path
            return
        recent = [p for p in self.window.settings.value(SETTINGS_KEY, [], type=list) if Path(p) != path]
        self.window.settings.setValue(SETTINGS_KEY, [str(path), *recent][:MAX_MODELS])
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the menu from the shipped and remembered models."""
        self.menu.clear()
        for action in self.group.actions():
            self.group.removeAction(action)
        model = self.window.model
        current = model.path.resolve() if model is not None else None
        shipped = [p.resolve() for p in available_models()]
        for path in self.paths(shipped):
            label = f"{path.name} (shipped)" if path in shipped else f"{path.name} — {path.parent}"
            action = self.menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(path.resolve() == current)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.window.set_model(p))
            self.group.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction("Open model…", lambda: ask_model(self.window))


def _shipped_elsewhere(path: Path) -> bool:
    """A model shipped with another installation (another venv's ``resources/models``): this
    one ships its own, and listing both as "default.onnx" misleads."""
    return path.parent.name == "models" and path.parent.parent.name == "resources"
