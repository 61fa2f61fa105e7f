"""File → Recent files: the last records opened, kept in the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6 import QtCore, QtWidgets

MAX_RECENT = 8


class RecentFiles:
    """File → Recent files: the last records opened, kept in the settings."""

    def __init__(self, menu: QtWidgets.QMenu, settings: QtCore.QSettings, open_path: Callable[[str], None]) -> None:
        self.menu, self.settings, self.open_path = menu, settings, open_path
        self.refresh()

    def remember(self, path: Path) -> None:
        """Put ``path`` first in the list (and its folder as the last one opened)."""
        recent = [p for p in self.settings.value("recent", [], type=list) if p != str(path)]
        self.settings.setValue("recent", [str(path), *recent][:MAX_RECENT])
        self.settings.setValue("last_folder", str(path.parent))
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the menu from the settings."""
        self.menu.clear()
        for path in self.settings.value("recent", [], type=list):
            action = self.menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
