"""'Classify all' in the dataset browser: every record of the folder, in the background."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from emgviewer.inference import CancelToken
from emgviewer.inference.batch import classify_each
from emgviewer.inference.caveats import assess
from emgviewer.inference.model import LoadedModel


class FolderSignals(QtCore.QObject):
    # done, record name, RecordAssessment (None on error), error message ("" when none)
    record_done = QtCore.Signal(int, str, object, str)
    finished = QtCore.Signal()


class FolderJob(QtCore.QRunnable):
    def __init__(self, paths: list[Path], model: LoadedModel, hop_s: float | None) -> None:
        super().__init__()
        self.paths, self.model, self.hop_s = paths, model, hop_s
        self.token = CancelToken()
        self.signals = FolderSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        outcomes = classify_each(self.paths, self.model, self.hop_s, self.token)
        for done, outcome in enumerate(outcomes, start=1):
            if outcome.error is not None:
                self.signals.record_done.emit(done, outcome.path.stem, None, str(outcome.error))
                continue
            # Only the assessment crosses to the UI: the signal is dropped here, record by record.
            self.signals.record_done.emit(done, outcome.result.record.name, assess(outcome.result), "")
        self.signals.finished.emit()


class FolderReportSignals(QtCore.QObject):
    progress = QtCore.Signal(int, int)
    finished = QtCore.Signal(str)  # path written
    failed = QtCore.Signal(str)


class FolderReportJob(QtCore.QRunnable):
    """Classify every record of the folder and write its PDF report, in the background."""

    def __init__(self, paths: list[Path], model: LoadedModel, hop_s: float | None, out: Path, title: str,
                 summary_only: bool) -> None:
        super().__init__()
        self.paths, self.model, self.hop_s, self.out = paths, model, hop_s, out
        self.title, self.summary_only = title, summary_only
        self.token = CancelToken()
        self.signals = FolderReportSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        from emgviewer.report import folder_report_pdf, write_pdf

        results, failures = [], []
        for done, outcome in enumerate(classify_each(self.paths, self.model, self.hop_s, self.token), start=1):
            if outcome.error is not None:
                failures.append(str(outcome.error))
            else:
                results.append(outcome.result)
            self.signals.progress.emit(done, len(self.paths))
        if self.token.cancelled:
            return
        try:
            write_pdf(self.out, folder_report_pdf(results, self.title, summary_only=self.summary_only,
                                                  failures=failures), overwrite=True)
        except (OSError, ValueError) as err:
            self.signals.failed.emit(f"{self.out}: could not write the report ({err})")
            return
        self.signals.finished.emit(str(self.out))
