"""'Classify all' in the dataset browser: every record of the folder, in the background."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from emgviewer.inference import CancelToken
from emgviewer.inference.batch import classify_each
from emgviewer.inference.caveats import assess
from emgviewer.inference.model import LoadedModel
from emgviewer.inference.reuse import ClassificationCache
from emgviewer.records import RecordError, read_record


class FolderSignals(QtCore.QObject):
    # done, record name, RecordAssessment (None on error), error message ("" when none)
    """What a folder classification reports, record by record."""

    record_done = QtCore.Signal(int, str, object, str)
    finished = QtCore.Signal()


class FolderJob(QtCore.QRunnable):
    """"Classify all": every record of a folder, in the background, kept for the folder report."""

    def __init__(self, paths: list[Path], model: LoadedModel, hop_s: float | None,
                 cache: ClassificationCache | None = None, force_verdict: bool = False,
                 final_model: bool = False) -> None:
        super().__init__()
        self.paths, self.model, self.hop_s, self.cache = paths, model, hop_s, cache
        self.force_verdict, self.final_model = force_verdict, final_model
        self.token = CancelToken()
        self.signals = FolderSignals()
        self.finished = False  # set when run() has returned, whatever the outcome
        self.setAutoDelete(False)

    def run(self) -> None:
        """Classify every path (``finished`` is set however it ends)."""
        try:
            self._classify_each()
        finally:
            self.finished = True

    def _classify_each(self) -> None:
        outcomes = classify_each(self.paths, self.model, self.hop_s, self.token, force_verdict=self.force_verdict,
                                 final_model=self.final_model)
        for done, outcome in enumerate(outcomes, start=1):
            if outcome.error is not None:
                self.signals.record_done.emit(done, outcome.path.stem, None, str(outcome.error))
                continue
            # Only the assessment crosses to the UI, and the cache keeps the arrays: the signal is
            # dropped here, record by record.
            if self.cache is not None:
                self.cache.put(outcome.path, outcome.result, self.hop_s, self.force_verdict, self.final_model)
            self.signals.record_done.emit(done, outcome.result.record.name, assess(outcome.result), "")
        self.signals.finished.emit()


class FolderReportSignals(QtCore.QObject):
    """What a folder report job reports."""

    progress = QtCore.Signal(int, int)
    finished = QtCore.Signal(str)  # path written
    failed = QtCore.Signal(str)


class FolderReportJob(QtCore.QRunnable):
    """Classify every record of the folder and write its PDF report, in the background."""

    def __init__(self, paths: list[Path], model: LoadedModel, hop_s: float | None, out: Path, title: str,
                 summary_only: bool, cache: ClassificationCache | None = None, records: bool = False,
                 force_verdict: bool = False, final_model: bool = False) -> None:
        super().__init__()
        self.paths, self.model, self.hop_s, self.out, self.cache = paths, model, hop_s, out, cache
        # The viewer's reading choices hold for the report as for the screen.
        self.force_verdict, self.final_model = force_verdict, final_model
        self.reused = 0  # records whose kept classification was used
        self.title, self.summary_only, self.records = title, summary_only, records
        self.token = CancelToken()
        self.signals = FolderReportSignals()
        self.finished = False  # set when run() has returned, whatever the outcome
        self.setAutoDelete(False)

    def run(self) -> None:
        """Classify the folder and write its report (``finished`` is set however it ends)."""
        try:
            self._report()
        finally:
            self.finished = True

    def _report(self) -> None:
        from emgviewer.report import folder_report_pdf, write_pdf

        results, failures = [], []
        for done, path in enumerate(self.paths, start=1):
            if self.token.cancelled:
                return
            result = self._kept(path)
            if result is None:
                outcome = next(iter(classify_each([path], self.model, self.hop_s, self.token,
                                                  force_verdict=self.force_verdict, final_model=self.final_model)), None)
                if outcome is None:
                    return
                if outcome.error is not None:
                    failures.append(str(outcome.error))
                result = outcome.result
            if result is not None:
                results.append(result)
            self.signals.progress.emit(done, len(self.paths))
        if self.token.cancelled:
            return
        try:
            write_pdf(self.out, folder_report_pdf(results, self.title, summary_only=self.summary_only,
                                                  failures=failures, records=self.records), overwrite=True)
        except (OSError, ValueError) as err:
            self.signals.failed.emit(f"{self.out}: could not write the report ({err})")
            return
        self.signals.finished.emit(str(self.out))

    def _kept(self, path: Path):
        """The classification kept by "Classify all" for this file, model, hop and reading, if any."""
        if self.cache is None:
            return None
        try:
            record = read_record(path)
        except RecordError:
            return None
        result = self.cache.get(path, record, self.model, self.hop_s, self.force_verdict, self.final_model)
        self.reused += result is not None
        return result
