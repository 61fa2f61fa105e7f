"""Windows, validity and signal measures on numpy arrays (numpy and scipy only, no Qt)."""

from emgviewer.analysis.measures import peak_to_peak_uv, spike_durations_ms, turns_per_s
from emgviewer.analysis.resample import resample_to
from emgviewer.analysis.validity import (
    Invalid,
    ValidityCriteria,
    WindowValidity,
    assess_spans,
    assess_time_spans,
    assess_windows,
)
from emgviewer.analysis.windows import (
    DEFAULT_HOP_S,
    DEFAULT_WINDOW_S,
    WindowGeometry,
    seconds_to_samples,
    window_view,
)

__all__ = [
    "DEFAULT_HOP_S",
    "DEFAULT_WINDOW_S",
    "Invalid",
    "ValidityCriteria",
    "WindowGeometry",
    "WindowValidity",
    "assess_spans",
    "assess_time_spans",
    "assess_windows",
    "peak_to_peak_uv",
    "resample_to",
    "seconds_to_samples",
    "spike_durations_ms",
    "turns_per_s",
    "window_view",
]
