"""The PySide6 + pyqtgraph viewer: the only package that may import Qt."""
