"""Errors and notes shown inside the window (never only on stderr), dismissible."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

NO_MODEL_MESSAGE = ("No model loaded: File → Open model… (or install one as "
                    "resources/models/default.onnx). The trace works without one.")

STYLES = {
    "error": "MessageBar { background: #FDECEA; border: 1px solid #E57373; }",
    # Caveats about a verdict: the app works, the reading needs care.
    "caution": "MessageBar { background: #FFF4D6; border: 1px solid #E0B040; }",
    # Plain news: a quiz's score, a revealed answer.
    "info": "MessageBar { background: #E8F4FD; border: 1px solid #64A7D9; }",
}


SEVERITY = {"info": 0, "caution": 1, "error": 2}


class MessageBar(QtWidgets.QFrame):
    """Errors and notes shown in the window, never only on stderr."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.level = "error"
        self.messages: list[str] = []
        self.levels: list[str] = []
        self.setStyleSheet(STYLES["error"])
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QtWidgets.QLabel("")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QtWidgets.QToolButton()
        close.setText("✕")
        close.clicked.connect(self.hide)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, level: str = "error") -> None:
        """``level`` "error" (something failed), "caution" (a verdict to read with care) or
        "info" (news: a revealed answer, a score). A message said while another is shown joins
        it, on top (a sound error must not wipe out the caution about the verdict); the bar takes
        the colour of the gravest. Closing the bar, or another record, clears them."""
        if text in self.messages:  # said again: moves to the top
            index = self.messages.index(text)
            del self.messages[index], self.levels[index]
        self.messages.insert(0, text)  # the newest first, the earlier ones under it
        self.levels.insert(0, level)
        self.level = max(self.levels, key=SEVERITY.__getitem__)
        self.setStyleSheet(STYLES[self.level])
        self.label.setText("\n".join(self.messages))
        self.show()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 (Qt's name)
        """Hiding the bar forgets its messages."""
        if not visible:
            self.messages, self.levels = [], []
        super().setVisible(visible)
