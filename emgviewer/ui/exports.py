"""Exports from the viewer: the current record's PDF report and window CSV, and a folder
report built in the background."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6 import QtWidgets

from emgviewer.atomic import atomic_write_text
from emgviewer.memory import release_memory
from emgviewer.ui.folder_job import FolderReportJob
from emgviewer.ui.message_bar import NO_MODEL_MESSAGE
from emgviewer.ui.viewer import Viewer

log = logging.getLogger(__name__)


def ask_save_path(window: Viewer, title: str, name_suffix: str, file_filter: str) -> Path | None:
    """Where to export the current record's results; the dialog itself asks before
    replacing an existing file."""
    if window.session.result is None:
        window.show_error("Nothing to export yet: open a record and load a model first.")
        return None
    suggested = str(Path(window.settings.value("last_folder", "")) / f"{window.session.result.record.name}{name_suffix}")
    path, _ = QtWidgets.QFileDialog.getSaveFileName(window, title, suggested, file_filter)
    return Path(path) if path else None


def ask_export_pdf(window: Viewer) -> None:
    """File → Export PDF report: ask where, then write the shown record's report."""
    path = ask_save_path(window, "Export PDF report", ".pdf", "PDF (*.pdf)")
    if path:
        export_pdf(window, path, overwrite=True)


def export_pdf(window: Viewer, path: Path, overwrite: bool = False) -> bool:
    """Write the current record's report with the display settings in use."""
    from emgviewer.report import DisplaySettings, record_report_pdf, write_pdf  # reportlab on first use

    state = window.session
    if state.result is None:
        return False
    display = DisplaySettings(window.trace.timebase_ms, window.trace.sensitivity_uv, window.filters.spec.label())
    try:
        marks = window.marks.for_report()
        write_pdf(path, record_report_pdf(state.result, display=display, muaps=state.muaps_of_result(), marks=marks),
                  overwrite=overwrite)
    except (OSError, FileExistsError) as err:
        window.show_error(f"{path}: could not write the report ({err})")
        return False
    except Exception as err:  # reportlab's LayoutError and kin: said, never a silent failure
        log.exception("the report of %s could not be laid out", state.result.record.name)
        window.show_error(f"{path}: the report could not be made ({type(err).__name__}: {err}); nothing was written")
        return False
    window.statusBar().showMessage(f"wrote {path}", 5000)
    return True


def ask_folder_report(window: Viewer) -> None:
    """File → Export folder report: ask which kind and where, then write it in the background."""
    if window.session.model is None or window.browser.index is None:
        window.show_error(NO_MODEL_MESSAGE if window.session.model is None else "Open a folder first.")
        return
    suggested = str(window.browser.index.root / "emgviewer_report.pdf")
    path, _ = QtWidgets.QFileDialog.getSaveFileName(window, "Export folder report", suggested, "PDF (*.pdf)")
    if not path:
        return
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Question, "Folder report", "What should the report hold?",
                                parent=window)
    box.setInformativeText("A page per subject suits most folders; every record's section makes a book "
                           "(about three pages a record).")
    summary = box.addButton("Summary tables", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    subjects = box.addButton("A page per subject", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    book = box.addButton("Every record", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(subjects)
    box.exec()
    if box.clickedButton() not in (summary, subjects, book):
        return
    export_folder_report(window, Path(path), box.clickedButton() is summary, records=box.clickedButton() is book)


def export_folder_report(window: Viewer, path: Path, summary_only: bool, records: bool = False) -> FolderReportJob | None:
    """Write the open folder's report to ``path`` in the background; the job, or ``None`` with no model or folder."""
    if window.session.model is None or window.browser.index is None:
        return None
    job = FolderReportJob([e.path for e in window.browser.index.records], window.session.model, window.session.hop_s, path,
                          f"emgviewer report: {window.browser.index.root}", summary_only, window.kept, records,
                          force_verdict=window.session.force_verdict, final_model=window.session.final_model)
    job.signals.progress.connect(lambda done, total: (window.browser.progress.setMaximum(total),
                                                      window.browser.progress.setValue(done),
                                                      window.browser.progress.show()))
    job.signals.finished.connect(lambda written: (window.browser.progress.hide(), release_memory(),
                                                  window.statusBar().showMessage(f"wrote {written}", 5000)))
    job.signals.failed.connect(lambda message: (window.browser.progress.hide(), release_memory(),
                                                window.show_error(message)))
    window.jobs.report_folder(job)  # a new report replaces one still being written
    return job


def ask_export_csv(window: Viewer) -> None:
    """File → Export windows as CSV: ask where, then write the shown record's windows."""
    path = ask_save_path(window, "Export windows", "_windows.csv", "CSV (*.csv)")
    if path:
        try:
            from emgviewer.report.csv_export import windows_csv

            atomic_write_text(path, windows_csv([window.session.result]))
        except OSError as err:
            window.show_error(f"{path}: could not write ({err.strerror})")
