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
