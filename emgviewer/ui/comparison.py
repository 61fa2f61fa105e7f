"""Analysis → Compare with model: a second model's ribbon under the first, on the same record,
and how often the two agree. Where two trained models read a window differently, its colour is a
matter of the model more than of the signal: the comparison shows where."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtWidgets

from emgviewer.display.overlay import ribbon_windows
from emgviewer.display.tooltips import window_tooltip
from emgviewer.inference import ModelError, load_model
from emgviewer.inference.caveats import model_cautions
from emgviewer.inference.comparison import Comparison, compare
from emgviewer.inference.model import LoadedModel
from emgviewer.ui.viewer import Viewer
from emgviewer.ui.workers import ClassifyJob


class ModelComparison:
    """The second model, its classification of the shown record, and the band that draws it."""

    def __init__(self, window: Viewer, menu: QtWidgets.QMenu) -> None:
        self.window, self.menu = window, menu
        self.model: LoadedModel | None = None
        self.comparison: Comparison | None = None
        self.job: ClassifyJob | None = None
        # Under the verdict line, in the layout: in the status bar it was cut short.
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        layout = window.centralWidget().layout()
        layout.insertWidget(layout.indexOf(window.verdict_label) + 1, self.status)
        self.status.hide()
        self.second = None  # the compared model's Classification of the shown record
        self.shown_with: Path | None = None  # the model shown above the band last time
        window.trace.compare_tooltip_for = self.tooltip
        menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Every model File → Models offers but the one shown, and a way to stop."""
        self.menu.clear()
        current = self.window.model.path.resolve() if self.window.model is not None else None
        compared = self.model.path.resolve() if self.model is not None else None
        for path in self.window.model_menu.paths():
            if path.resolve() == current:
                continue
            action = self.menu.addAction(path.name)
            action.setCheckable(True)
            action.setChecked(path.resolve() == compared)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.compare_with(p))
        if not self.menu.actions():
            self.menu.addAction("(no other model: File → Open model…)").setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction("Stop comparing", self.stop).setEnabled(self.model is not None)

    def compare_with(self, path: str | Path) -> bool:
        """Compare with the model in ``path`` from now on; False when it cannot be loaded (said)."""
        try:
            self.model = load_model(path, force_cpu=self._force_cpu())
        except ModelError as err:
            self.window.show_error(str(err))
            return False
        self.run()
        return True

    def _force_cpu(self) -> bool:
        """The window's own choice (CPU only), for the second model as for the first."""
        return self.window.settings.value("force_cpu", False, type=bool)

    def stop(self) -> None:
        """Stop comparing: no second model, band or summary."""
        self.model = self.comparison = self.second = None
        self.clear()

    def cancel(self) -> None:
        """Stop classifying for a record no longer shown (a long record takes seconds)."""
        if self.job is not None:
            self.job.token.cancel()

    def clear(self) -> None:
        """No band and no summary (a new record is being classified, or the answers are hidden)."""
        self.window.trace.set_comparison(None)
        self.status.setText("")
        self.status.setToolTip("")
        self.status.hide()

    def run(self) -> None:
        """Classify the shown record with the second model, at the first one's hop, in the background."""
        result = self.window.result
        self.comparison = self.second = None
        if self.model is None or result is None or self.window.blind:
            self.clear()
            return
        if self.model.path.resolve() == result.model.path.resolve() and self.shown_with is not None:
            # The compared model became the shown one: compare with the one it replaced (a swap).
            try:
                self.model = load_model(self.shown_with, force_cpu=self._force_cpu())
            except ModelError as err:
                self.stop()
                self.window.show_error(str(err))
                return
        self.shown_with = result.model.path
        self.status.setText(f"comparing with {self.model.card.name}…")
        session = self.window.session
        job = ClassifyJob(session.generation, result.record, self.model, result.hop_s, session.force_verdict,
                          session.final_model)
        job.signals.finished.connect(self._finished)
        job.signals.failed.connect(self._failed)
        self.job = job
        self.window.jobs.pool.start(job)

    def _finished(self, generation: int, payload) -> None:
        first = self.window.result
        second = payload
        if not self.window.session.is_current(generation) or first is None or second.record is not first.record \
                or self.model is None or second.model is not self.model or self.window.blind:
            return  # a stale result: another record, another model, or answers hidden meanwhile
        self.comparison, self.second = compare(first, second), second
        card = self.model.card
        # The band's title is short (a long one set the plot's minimum width and pushed the
        # trace's right part off the screen); the whole statement is the line under the verdict.
        self.window.trace.set_comparison(ribbon_windows(second),
                                         f"below: {card.name} {card.version} · agrees on {self.comparison.n_agree}"
                                         f"/{self.comparison.n_comparable}")
        summary, cautions = self.comparison.summary(), model_cautions(card)
        self.status.setText("Compared: " + summary + (f" · {card.name}: read with care (hover)" if cautions else ""))
        self.status.setToolTip(summary + "".join(f"\n{card.name}: {caution}" for caution in cautions))
        self.status.show()
        self.window.comparisonShown.emit()

    def tooltip(self, index: int) -> str:
        """Hovering the compared band: that model's window, as the first ribbon says its own."""
        if self.second is None or self.window.blind or self.window.trace.compare_plot is None:
            return ""
        card = self.second.model.card
        return window_tooltip(self.second, index, heading=f"{card.name} {card.version} (compared)")

    def _failed(self, generation: int, message: str) -> None:
        if self.window.session.is_current(generation):
            self.clear()
            self.window.show_error(message)
