"""The session's background work on Qt thread pools (emgviewer.session.jobs.JobRunner).

Four pools, one thread each: the classification (and what queues behind it: the selected
window's saliency, the comparison, a waiting MUAP analysis), the MUAP analysis and warm-up,
long records' loading, and the folder's "Classify all" and report. Each pool is the window's
own, so closing it cancels them and waits for them (the global pool is never waited for).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore

from emgviewer.ui.folder_job import FolderJob, FolderReportJob
from emgviewer.ui.workers import ClassifyJob, LoadJob, MuapJob, SaliencyJob, WarmUpJob

if TYPE_CHECKING:
    from emgviewer.session import ViewerSession


def _pool(parent: QtCore.QObject) -> QtCore.QThreadPool:
    pool = QtCore.QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool


class QtJobRunner(QtCore.QObject):
    """Starts the session's jobs and hands their results back to it on the UI thread."""

    warmedUp = QtCore.Signal()  # the analyses' imports are done

    def __init__(self, session: ViewerSession, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.pool = _pool(self)
        self.muap_pool = _pool(self)
        self.load_pool = _pool(self)
        self.folder_pool = _pool(self)
        self.job: ClassifyJob | None = None
        self.saliency_job: SaliencyJob | None = None
        self.muap_job: MuapJob | None = None
        self.loading_job: LoadJob | None = None
        self.warm_up_job: WarmUpJob | None = None
        self.folder_job: FolderJob | None = None
        self.report_job: FolderReportJob | None = None

    # -- JobRunner --------------------------------------------------------------------------------
    def classify(self, generation, record, model, hop_s, force_verdict: bool = False, final_model: bool = False) -> None:
        """Classify ``record`` on the classification's thread."""
        job = self.job = ClassifyJob(generation, record, model, hop_s, force_verdict, final_model)
        job.signals.progress.connect(self.session.on_progress)
        job.signals.partial.connect(self.session.on_partial)
        job.signals.finished.connect(self.session.on_classified)
        job.signals.failed.connect(self.session.on_classification_failed)
        self.pool.start(job)

    def cancel_classification(self) -> None:
        """Cancel the running classification and drop what is queued behind it."""
        if self.job is not None:
            self.job.token.cancel()
        # Queued jobs would be stale too (a saliency, the MUAP analysis of a record left before
        # it started): they never run, so the next classification does not wait behind them.
        self.pool.clear()

    def saliency(self, tag, model, window_uv, class_index) -> None:
        """The window's saliency, queued behind the classification."""
        job = self.saliency_job = SaliencyJob(tag, model, window_uv, class_index)
        job.signals.finished.connect(self.session.on_saliency)
        job.signals.failed.connect(self.session.on_saliency_failed)
        self.pool.start(job)

    def analyse_muaps(self, generation, record, behind_classification: bool) -> None:
        """The record's MUAP analysis, on its own thread or behind the classification."""
        job = self.muap_job = MuapJob(generation, record)
        job.signals.finished.connect(self.session.on_muaps)
        job.signals.failed.connect(lambda _generation, message: self.session.on_muaps_failed(record, message))
        self.muap_pool.clear()  # a record skipped past while queued is not analysed at all
        (self.pool if behind_classification else self.muap_pool).start(job)

    def load(self, serial: int, path: Path, read_options: dict) -> None:
        """Read a long record on the loading thread."""
        job = self.loading_job = LoadJob(serial, path, read_options)
        job.signals.finished.connect(lambda s, payload: self.session.on_loaded(s, *payload, path))
        job.signals.failed.connect(self.session.on_load_failed)
        self.load_pool.start(job)

    def warm_up(self) -> None:
        """Import the analyses' modules on the MUAP thread."""
        job = self.warm_up_job = WarmUpJob()
        job.signals.finished.connect(lambda *_: self.warmedUp.emit())
        job.signals.failed.connect(lambda *_: self.warmedUp.emit())
        self.muap_pool.start(job)

    # -- the folder -------------------------------------------------------------------------------
    def classify_folder(self, job: FolderJob) -> None:
        """Start Classify all (a running one is cancelled)."""
        if self.folder_job is not None:
            self.folder_job.token.cancel()
        self.folder_job = job
        self.folder_pool.start(job)

    def report_folder(self, job: FolderReportJob) -> None:
        """Start a folder report (a running one is cancelled)."""
        if self.report_job is not None:  # a new report replaces one still being written
            self.report_job.token.cancel()
        self.report_job = job
        self.folder_pool.start(job)

    # -- closing ----------------------------------------------------------------------------------
    def stop_all(self, wait_ms: int = 3000) -> bool:
        """Cancel everything and wait for what is running; False if a job outlived ``wait_ms``."""
        self.cancel_classification()
        for job in (self.folder_job, self.report_job):
            if job is not None:
                job.token.cancel()
        self.folder_pool.clear()
        return all([pool.waitForDone(wait_ms) for pool in
                    (self.pool, self.muap_pool, self.load_pool, self.folder_pool)])
