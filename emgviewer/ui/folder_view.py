"""The dataset browser's "Classify all": every record of the open folder in the background,
each row's verdict filled in as it is done (kept for the folder report)."""

from __future__ import annotations

from emgviewer.memory import release_memory
from emgviewer.session import ViewerSession
from emgviewer.ui.browser import DatasetBrowser
from emgviewer.ui.folder_job import FolderJob
from emgviewer.ui.jobs import QtJobRunner
from emgviewer.ui.message_bar import NO_MODEL_MESSAGE


class FolderClassification:
    """The browser's Classify all, run on the session's model and hop."""

    def __init__(self, browser: DatasetBrowser, session: ViewerSession, jobs: QtJobRunner) -> None:
        self.browser, self.session, self.jobs = browser, session, jobs
        browser.classifyAllRequested.connect(self.start)

    def start(self) -> None:
        """Classify every record of the open folder in the background; said when there is no model or folder."""
        session, browser = self.session, self.browser
        if session.model is None or browser.index is None:
            session.say(NO_MODEL_MESSAGE if session.model is None else "Open a folder first.")
            return
        job = FolderJob([e.path for e in browser.index.records], session.model, session.hop_s, session.kept,
                        session.force_verdict, session.final_model)
        job.signals.record_done.connect(self._record_done)
        job.signals.finished.connect(self._finished)
        browser.progress.setMaximum(len(browser.index.records))
        browser.progress.setValue(0)
        browser.progress.show()
        self.jobs.classify_folder(job)

    def _finished(self) -> None:
        self.browser.progress.hide()
        self.browser.fit_columns()
        release_memory()

    def _record_done(self, done: int, name: str, assessment, error: str) -> None:
        self.browser.progress.setValue(done)
        if error:
            self.session.say(error)
        elif self.session.model is not None:
            self.browser.set_record_assessment(assessment, self.session.model.card)
