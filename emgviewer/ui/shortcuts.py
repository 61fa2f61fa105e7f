"""Keyboard first, like the EMG machines these users know. Every key of the viewer is in
:data:`KEYS`, and every action that has one is made by :class:`Actions`, which looks it up
there: the ``?`` help lists the window's actions, so help and keys cannot disagree."""

from __future__ import annotations

from typing import Callable

from PySide6 import QtCore, QtGui, QtWidgets

#: action id -> key sequence(s), "|" between alternatives. The one place a key is bound.
KEYS: dict[str, str] = {
    # File
    "open_record": "Ctrl+O", "open_folder": "Ctrl+Shift+O", "open_model": "Ctrl+M", "export_pdf": "Ctrl+P",
    "quit": "Ctrl+Q",
    # View: moving and scaling the trace
    "scroll_back": "Left", "scroll_forward": "Right", "page_back": "Shift+Left", "page_forward": "Shift+Right",
    "home": "Home", "end": "End", "more_gain": "+|=", "less_gain": "-", "fit_gain": "F",
    "zoom_in": "Ctrl++|Ctrl+=", "zoom_out": "Ctrl+-", "previous_window": "[", "next_window": "]",
    "shortcuts": "?", "unfiltered": "Ctrl+0",
    # Analysis
    "reclassify": "Ctrl+R", "muap_markers": "M", "calipers": "C", "trigger": "T", "muap_panel": "U",
    # Sound
    "play": "Space", "play_to_end": "Shift+Space", "loop": "L", "louder": "Ctrl+Up", "softer": "Ctrl+Down",
    # Marks
    "mark": "A", "next_mark": "N", "previous_mark": "P", "delete_mark": "Delete", "undo": "Ctrl+Z",
    "redo": "Ctrl+Shift+Z|Ctrl+Y",
    # Teaching
    "blind": "B", "answer_1": "1", "answer_2": "2", "answer_3": "3", "reveal": "R",
}

#: The View menu's commands on the trace: action id -> (menu text, window method, argument).
VIEW_COMMANDS: dict[str, tuple[str, str, object]] = {
    "scroll_back": ("Scroll back one division", "scroll", -1),
    "scroll_forward": ("Scroll forward one division", "scroll", 1),
    "page_back": ("Page back", "page", -1),
    "page_forward": ("Page forward", "page", 1),
    "home": ("Start of the record", "home", None),
    "end": ("End of the record", "end", None),
    "more_gain": ("More sensitivity (fewer µV/div)", "gain", 1),
    "less_gain": ("Less sensitivity (more µV/div)", "gain", -1),
    "fit_gain": ("Fit the sensitivity to this record (the chosen one is kept across records)", "fit_gain", None),
    "zoom_in": ("Zoom in: shorter time base (fewer ms/div)", "zoom_time", 1),
    "zoom_out": ("Zoom out: longer time base", "zoom_time", -1),
    "previous_window": ("Previous window", "step_window", -1),
    "next_window": ("Next window", "step_window", 1),
    "shortcuts": ("Show these shortcuts", "show_shortcuts", None),
}

#: Checkable tools of the Analysis menu: action id -> (menu text, window method).
ANALYSIS_TOOLS: dict[str, tuple[str, str]] = {
    "muap_markers": ("MUAP markers on the trace", "show_muap_markers"),
    "calipers": ("Calipers (Δt, ΔV; snap to a MUAP's onset and end)", "show_calipers"),
    "trigger": ("Trigger line (stack sweeps on a level)", "show_trigger"),
}

MOUSE_HELP = (("Mouse wheel", "Zoom time (1-2-5 steps)"), ("Drag", "Pan in time"), ("Click a window", "Inspect it"))


class Actions:
    """Makes the window's actions: a menu entry, its key from :data:`KEYS`, and the key bound
    on the window so it works with the menu closed."""

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        self.window = window

    def add(self, menu: QtWidgets.QMenu, text: str, slot: Callable, key_id: str | None = None,
            checkable: bool = False) -> QtGui.QAction:
        """A menu entry ``text`` calling ``slot``, with the key ``key_id`` names in :data:`KEYS`."""
        action = QtGui.QAction(text, self.window)
        if key_id is not None:
            action.setShortcuts([QtGui.QKeySequence(s) for s in KEYS[key_id].split("|")])
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.window.addAction(action)
        return action

    def bind(self, action: QtGui.QAction, key_id: str) -> None:
        """Give an action made elsewhere (a menu's own entry) its key from the table."""
        action.setShortcuts([QtGui.QKeySequence(s) for s in KEYS[key_id].split("|")])
        self.window.addAction(action)


def shortcut_help_text(actions=()) -> str:
    """The help: every action of the window that has a key (so help and keys cannot disagree),
    then the mouse. ``actions``: the window's QActions; without them, this module's tables."""
    rows = [(" or ".join(s.toString() for s in a.shortcuts()), a.text()) for a in actions if a.shortcuts()]
    if not rows:
        rows = [(KEYS[key_id].replace("|", " or "), text) for key_id, (text, _, _) in VIEW_COMMANDS.items()]
        rows += [(KEYS[key_id], text) for key_id, (text, _) in ANALYSIS_TOOLS.items()]
    lines = [f"{key}\t{text.replace('&', '')}" for key, text in rows]
    lines += [f"{what}\t{does}" for what, does in MOUSE_HELP]
    return "\n".join(lines)
