"""Keyboard first, like the EMG machines these users know. One table drives both the
actions and the ``?`` help, so they cannot disagree."""

from __future__ import annotations

# key sequence(s) -> (description, MainWindow method, argument)
SHORTCUTS: dict[str, tuple[str, str, object]] = {
    "Left": ("Scroll back one division", "scroll", -1),
    "Right": ("Scroll forward one division", "scroll", 1),
    "Shift+Left": ("Page back", "page", -1),
    "Shift+Right": ("Page forward", "page", 1),
    "Home": ("Start of the record", "home", None),
    "End": ("End of the record", "end", None),
    "+|=": ("More sensitivity (fewer µV/div)", "gain", 1),
    "-": ("Less sensitivity (more µV/div)", "gain", -1),
    "F": ("Fit the sensitivity to this record (the chosen one is kept across records)", "fit_gain", None),
    "Ctrl++|Ctrl+=": ("Zoom in: shorter time base (fewer ms/div)", "zoom_time", 1),
    "Ctrl+-": ("Zoom out: longer time base", "zoom_time", -1),
    "[": ("Previous window", "step_window", -1),
    "]": ("Next window", "step_window", 1),
    "?": ("Show these shortcuts", "show_shortcuts", None),
}


#: Checkable tools of the Analysis menu: key -> (menu text, MainWindow method).
ANALYSIS_SHORTCUTS: dict[str, tuple[str, str]] = {
    "M": ("MUAP markers on the trace", "show_muap_markers"),
    "C": ("Calipers (Δt, ΔV; snap to a MUAP's onset and end)", "show_calipers"),
    "T": ("Trigger line (stack sweeps on a level)", "show_trigger"),
}


def shortcut_help_text(actions=()) -> str:
    """The help: every action of the window that has a key (so help and keys cannot disagree),
    then the mouse. ``actions``: the window's QActions; without them, this module's tables."""
    rows = [(a.shortcut().toString(), a.text()) for a in actions if not a.shortcut().isEmpty()]
    if not rows:
        rows = [(key.replace("|", " or "), text) for key, (text, _, _) in SHORTCUTS.items()]
        rows += [(key, text) for key, (text, _) in ANALYSIS_SHORTCUTS.items()]
    lines = [f"{key}\t{text.replace('&', '')}" for key, text in rows]
    lines += ["Mouse wheel\tZoom time (1-2-5 steps)", "Drag\tPan in time", "Click a window\tInspect it"]
    return "\n".join(lines)
