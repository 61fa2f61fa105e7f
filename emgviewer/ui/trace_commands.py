"""The View menu's moves on the trace: scroll, page, start and end, gain, time base, presets.
Bound to keys in emgviewer.ui.shortcuts (VIEW_COMMANDS)."""

from __future__ import annotations

from emgviewer.display import scales
from emgviewer.session import ViewerSession
from emgviewer.ui.trace_view import TraceView


class TraceCommands:
    """The View menu's moves on the trace, on the session's record."""

    def __init__(self, trace: TraceView, session: ViewerSession) -> None:
        self.trace, self.session = trace, session

    def scroll(self, divisions: float) -> None:
        """Scroll by ``divisions`` (negative: back)."""
        self.trace.scroll_divisions(divisions)

    def page(self, direction: int) -> None:
        """A page forward (``+1``) or back (``-1``)."""
        self.trace.scroll_divisions(direction * scales.H_DIVISIONS)

    def home(self) -> None:
        """Go to the start of the record."""
        self.trace.set_start(0.0)

    def end(self) -> None:
        """Go to the end of the record."""
        record = self.session.record
        self.trace.set_start(float("inf") if record is None else record.duration_s)

    def gain(self, direction: int) -> None:
        # "+" shows more detail: fewer µV per division. The scale label and ticks follow rangeChanged.
        """One step up (``+1``: more detail) or down the sensitivity ladder."""
        self.trace.set_sensitivity(scales.step(scales.SENSITIVITY_UV, self.trace.sensitivity_uv, -direction))

    def fit_gain(self) -> None:
        """Fit the sensitivity to the record's amplitude."""
        if self.session.record is not None:
            self.trace.set_sensitivity(scales.fitting_sensitivity(self.session.record.signal_uv))

    def zoom_time(self, direction: int) -> None:
        """One step shorter (``+1``) or longer time base."""
        self.trace.set_timebase(scales.step(scales.TIMEBASE_MS, self.trace.timebase_ms, -direction))

    def apply_preset(self, timebase_ms: int, sensitivity_uv: int) -> None:
        """A needle-EMG preset: time base and sensitivity together (the time base within the record)."""
        record = self.session.record
        self.trace.set_timebase(scales.timebase_within(timebase_ms, record.duration_s if record else float("inf")))
        self.trace.set_sensitivity(sensitivity_uv)
