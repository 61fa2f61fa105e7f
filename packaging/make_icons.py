"""Render the application icon from its drawing: ``python packaging/make_icons.py``.

``resources/icons/emgviewer.svg`` (drawn by hand) becomes the 256-pixel PNG the app and the
Linux desktop entry use, and the Windows ``.ico`` and macOS ``.icns`` the bundle's program
files carry (``packaging/icons/``). Qt renders and writes all three: no other tool needed.
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZE = 256


def main() -> None:
    """Write the three icon files."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore, QtGui, QtSvg

    _app = QtGui.QGuiApplication([])
    renderer = QtSvg.QSvgRenderer(str(ROOT / "resources" / "icons" / "emgviewer.svg"))
    image = QtGui.QImage(SIZE, SIZE, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    for path in (ROOT / "resources" / "icons" / "emgviewer.png", HERE / "icons" / "emgviewer.ico",
                 HERE / "icons" / "emgviewer.icns"):
        if not image.save(str(path)):
            raise SystemExit(f"{path}: Qt could not write this image type")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
