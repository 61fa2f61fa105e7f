"""Background work: classification, saliency and MUAP analysis off the UI thread, cancellable, and never
allowed to paint stale results (every job carries the generation it was started for)."""

from __future__ import annotations

import logging
import time

from PySide6 import QtCore

from emgviewer.analysis.decimate import PeakPyramid
from emgviewer.analysis.muap import MuapAnalysisError
from emgviewer.analysis.muap.record import record_muaps
from emgviewer.analysis.stacking import MUAP_MAX_S
from emgviewer.inference import CancelToken, ClassificationCancelled, classify
from emgviewer.inference.model import LoadedModel
from emgviewer.inference.saliency import occlusion_saliency
from emgviewer.lazy import import_analysis_modules
from emgviewer.records import RecordError, read_record
from emgviewer.records.record import Record

#: Every job failure is logged here with its traceback, as well as said in the window.
log = logging.getLogger("emgviewer.jobs")


class JobSignals(QtCore.QObject):
    """What a background job reports, each with the generation it was started for."""

    progress = QtCore.Signal(int, int, int)  # generation, done, total
    partial = QtCore.Signal(int, object)  # generation, (starts_s, stops_s, probabilities so far, valid, drawn_apart)
    finished = QtCore.Signal(int, object)  # generation, result
    failed = QtCore.Signal(int, str)  # generation, message


PARTIAL_S = 0.5


class ClassifyJob(QtCore.QRunnable):
    """A record's classification, with progress and partial windows, cancellable between batches."""

    def __init__(self, generation: int, record: Record, model: LoadedModel, hop_s: float | None,
                 force_verdict: bool = False, final_model: bool = False) -> None:
        super().__init__()
        self.generation, self.record, self.model, self.hop_s = generation, record, model, hop_s
        self.force_verdict, self.final_model = force_verdict, final_model
        self.token = CancelToken()
        self.signals = JobSignals()
        self.setAutoDelete(False)  # the owner keeps it until it reports

    def _partial(self, starts_s, stops_s, probabilities, valid, drawn_apart) -> None:
        """Every ``PARTIAL_S`` at most: the windows classified so far, so the ribbon fills in."""
        now = time.perf_counter()
        if now - self._last_partial >= PARTIAL_S:
            self._last_partial = now
            self.signals.partial.emit(self.generation, (starts_s, stops_s, probabilities.copy(), valid, drawn_apart))

    def run(self) -> None:
        """Classify; report the result, or the failure (a cancelled job reports nothing)."""
        self._last_partial = time.perf_counter()
        try:
            result = classify(self.record, self.model, hop_s=self.hop_s, cancel=self.token,
                              force_verdict=self.force_verdict, final_model=self.final_model,
                              progress=lambda done, total: self.signals.progress.emit(self.generation, done, total),
                              partial=self._partial)
        except ClassificationCancelled:
            return
        except RecordError as err:  # expected (a rate too low, too long): said, no traceback in the log
            self.signals.failed.emit(self.generation, str(err))
            return
        except Exception as err:  # shown in the window; the traceback goes to the log
            log.exception("classification of %s failed", self.record.source_path)
            self.signals.failed.emit(self.generation, f"{self.record.source_path}: classification failed: "
                                                      f"{err or type(err).__name__}")
            return
        self.signals.finished.emit(self.generation, result)


class SaliencyJob(QtCore.QRunnable):
    """The occlusion saliency of one window."""

    def __init__(self, generation: int, model: LoadedModel, window_uv, class_index: int) -> None:
        super().__init__()
        self.generation, self.model, self.window_uv, self.class_index = generation, model, window_uv, class_index
        self.signals = JobSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        """Compute the curve; report it, or the failure."""
        try:
            curve = occlusion_saliency(self.model, self.window_uv, self.class_index)
        except Exception as err:
            log.exception("saliency of a window failed")
            self.signals.failed.emit(self.generation, f"{type(err).__name__}: {err}")
            return
        self.signals.finished.emit(self.generation, curve)


#: The viewer analyses MUAPs in the first minute of a record at most: the span a learned
#: verdict's analysis covers, so the viewer can show that analysis instead of running another.
VIEWER_MUAP_S = MUAP_MAX_S


class LoadJob(QtCore.QRunnable):
    """Reading a long record and building its min/max pyramid, off the UI thread."""

    def __init__(self, generation: int, path, read_options: dict | None = None) -> None:
        super().__init__()
        self.generation, self.path = generation, path
        self.read_options = dict(read_options or {})
        self.signals = JobSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        """Read the record and build its display pyramid; report them, or why not."""
        try:
            record = read_record(self.path, **self.read_options)
            pyramid = PeakPyramid(record.signal_uv)
        except RecordError as err:
            self.signals.failed.emit(self.generation, str(err))
            return
        except MemoryError:
            self.signals.failed.emit(self.generation, f"{self.path}: too large to load into memory")
            return
        self.signals.finished.emit(self.generation, (record, pyramid))


class MuapJob(QtCore.QRunnable):
    """The record's MUAP analysis (about 30 ms for 11 s of N2001, 0.2 s at most), off the UI thread."""

    def __init__(self, generation: int, record: Record) -> None:
        super().__init__()
        self.generation, self.record = generation, record
        self.signals = JobSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        """Analyse (or find the analysis kept on the record); report it, or why not."""
        try:
            result = record_muaps(self.record, VIEWER_MUAP_S)  # the learned verdict's, when it made one
        except MuapAnalysisError as err:
            self.signals.failed.emit(self.generation, f"{self.record.name}: no MUAP analysis: {err}")
            return
        except Exception as err:
            log.exception("MUAP analysis of %s failed", self.record.source_path)
            self.signals.failed.emit(self.generation, f"{self.record.source_path}: MUAP analysis failed: "
                                                      f"{err or type(err).__name__}")
            return
        self.signals.finished.emit(self.generation, result)


class WarmUpJob(QtCore.QRunnable):
    """The analyses' imports, ahead of their first use (see :func:`import_analysis_modules`)."""

    def __init__(self) -> None:
        super().__init__()
        self.signals = JobSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        """Import the analyses' modules; report done, or the import error."""
        try:
            import_analysis_modules()
        except ImportError as err:  # said when an analysis first needs the module, not here
            self.signals.failed.emit(0, str(err))
            return
        self.signals.finished.emit(0, None)
