"""The main window's menus: File, View, Analysis and Help, every key from the one table
(emgviewer.ui.shortcuts.KEYS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emgviewer.display import scales
from emgviewer.ui import exports
from emgviewer.ui.comparison import ModelComparison
from emgviewer.ui.model_menu import ModelMenu
from emgviewer.ui.open_dialogs import ask_folder, ask_hop, ask_model, ask_record
from emgviewer.ui.recent_files import RecentFiles
from emgviewer.ui.shortcuts import ANALYSIS_TOOLS, VIEW_COMMANDS
from emgviewer.ui.sound import export_audio

if TYPE_CHECKING:
    from emgviewer.ui.main_window import MainWindow


def _command(method, argument):
    """A slot that takes nothing (Qt would pass ``checked`` to one that does)."""
    return (lambda: method(argument)) if argument is not None else (lambda: method())


def build_menus(window: MainWindow) -> None:
    """Build the window's menus and the actions behind them."""
    add = window.action_maker.add
    file_menu = window.menuBar().addMenu("&File")
    add(file_menu, "Open record…", lambda: ask_record(window), "open_record")
    add(file_menu, "Open folder…", lambda: ask_folder(window), "open_folder")
    add(file_menu, "Open model…", lambda: ask_model(window), "open_model")
    window.model_menu = ModelMenu(window, file_menu.addMenu("Models"))
    window.recent = RecentFiles(file_menu.addMenu("Recent files"), window.settings, window.open_path)
    file_menu.addSeparator()
    # What would name the record or show the model's answer: off while blind (teaching).
    window.revealing_actions = [
        add(file_menu, "Export PDF report…", lambda: exports.ask_export_pdf(window), "export_pdf"),
        add(file_menu, "Export windows as CSV…", lambda: exports.ask_export_csv(window)),
        add(file_menu, "Export folder report…", lambda: exports.ask_folder_report(window)),
        add(file_menu, "Export audio…", lambda: export_audio(window)),
    ]
    view = window.menuBar().addMenu("&View")
    for key_id, (text, method, argument) in VIEW_COMMANDS.items():
        owner = window.commands if hasattr(window.commands, method) else window
        add(view, text, _command(getattr(owner, method), argument), key_id)
    presets = view.addMenu("Presets")
    for name, timebase, sensitivity in scales.PRESETS:
        entry = presets.addAction(f"{name}: {timebase} ms/div · {sensitivity} µV/div")
        entry.triggered.connect(lambda _checked=False, t=timebase, v=sensitivity: window.commands.apply_preset(t, v))
    analysis = window.menuBar().addMenu("&Analysis")
    add(analysis, "Window length and hop…", lambda: ask_hop(window))
    add(analysis, "Re-classify", window.session.classify, "reclassify")
    # Off: a record outside the model's domain gets no verdict. On: the model's reading, labelled.
    window.force_verdict_action = add(analysis, "Verdict outside the model's domain",
                                      lambda: window.session.set_force_verdict(window.force_verdict_action.isChecked()),
                                      checkable=True)
    # Off: a known person's record is read by the fold model that never saw them (where the model
    # ships its folds). On: the final model, which has seen them ("seen in training").
    window.final_model_action = add(analysis, "Colours from the final model (it has seen its training people)",
                                    lambda: window.session.set_final_model(window.final_model_action.isChecked()),
                                    checkable=True)
    compare_menu = analysis.addMenu("Compare with model")
    window.comparison = ModelComparison(window, compare_menu)
    window.revealing_actions.append(compare_menu.menuAction())
    analysis.addSeparator()
    muap_view = window.muap_view
    tools = [add(analysis, text, getattr(muap_view, method), key_id, checkable=True)
             for key_id, (text, method) in ANALYSIS_TOOLS.items()]
    muap_view.markers_action, muap_view.calipers_action, muap_view.trigger_action = tools
    window.markers_action, window.calipers_action, window.trigger_action = tools
    window.markers_action.setChecked(True)
    add(analysis, "MUAP panel", muap_view.show_muap_panel, "muap_panel")
    window.filters.build_menu(view)
    window.sound.build_menu(view)
    window.marks.build_menu(analysis)
    window.teaching.build_menu(file_menu, view)
    view.addSeparator()
    for dock in (window.inspector_dock, window.browser_dock, window.muap_dock):
        view.addAction(dock.toggleViewAction())
    window.revealing_actions += [window.inspector_dock.toggleViewAction(), window.browser_dock.toggleViewAction()]
    file_menu.addSeparator()  # Quit last, below the quiz
    add(file_menu, "Quit", window.close, "quit")
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addAction("Keyboard shortcuts (?)").triggered.connect(lambda: window.show_shortcuts())
    help_menu.addAction("About emgviewer…").triggered.connect(lambda: window.show_about())
