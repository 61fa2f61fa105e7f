"""'Classify all' in the dataset browser: every record of the folder, in the background."""

from __future__ import annotations

import warnings
from pathlib import Path

from PySide6 import QtCore

from emgviewer.inference import CancelToken, classify
from emgviewer.inference.model import LoadedModel
from emgviewer.records import RecordError, read_record


class FolderSignals(QtCore.QObject):
    # done, record name, verdict, truth, class names, error message ("" when none)
    record_done = QtCore.Signal(int, str, object, object, object, str)
    finished = QtCore.Signal()


class FolderJob(QtCore.QRunnable):
    def __init__(self, paths: list[Path], model: LoadedModel, hop_s: float | None) -> None:
        super().__init__()
        self.paths, self.model, self.hop_s = paths, model, hop_s
        self.token = CancelToken()
        self.signals = FolderSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        for done, path in enumerate(self.paths, start=1):
            if self.token.cancelled:
                break
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    record = read_record(path)
                    result = classify(record, self.model, hop_s=self.hop_s)
            except RecordError as err:
                self.signals.record_done.emit(done, path.stem, None, None, None, str(err))
                continue
            self.signals.record_done.emit(done, record.name, result.verdict, record.truth,
                                          result.class_names, "")
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
        for done, path in enumerate(self.paths, start=1):
            if self.token.cancelled:
                return
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    results.append(classify(read_record(path), self.model, hop_s=self.hop_s))
            except RecordError as err:
                failures.append(str(err))
            self.signals.progress.emit(done, len(self.paths))
        try:
            write_pdf(self.out, folder_report_pdf(results, self.title, summary_only=self.summary_only,
                                                  failures=failures), overwrite=True)
        except (OSError, ValueError) as err:
            self.signals.failed.emit(f"{self.out}: could not write the report ({err})")
            return
        self.signals.finished.emit(str(self.out))
