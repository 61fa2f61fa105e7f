"""Occlusion saliency: which part of a window the model's verdict rests on.

Model-agnostic: a segment of the window is masked (set to the window's median, i.e. the
baseline), the model is run again, and the drop in the evidence for the class under study is
credited to the masked samples. Sliding the mask over the window gives a curve aligned with the
samples; overlapping masks are averaged.

Evidence is the class's log-odds against the others (natural log; +2.3 is ten times the odds),
not its probability: where a window is read at p = 0.9999, masking its one large potential may
move p by 0.0001 and the log-odds by several units, so a curve of probabilities lay flat exactly
where the model was surest.
"""

from __future__ import annotations

import numpy as np

from emgviewer.analysis.windows import seconds_to_samples
from emgviewer.inference.model import LoadedModel

DEFAULT_SEGMENT_S = 0.02  # a few MUAP durations
BATCH = 32
#: How the curve's values are said on its axis.
UNITS = "Δ log-odds"


def log_odds(log_p: np.ndarray, target: int) -> np.ndarray:
    """log(p / (1 - p)) of class ``target`` from rows of log-probabilities, without forming
    1 - p (which is 0 in floating point where p rounds to 1)."""
    others = np.delete(log_p, target, axis=1)
    top = others.max(axis=1, keepdims=True)
    return log_p[:, target] - (top[:, 0] + np.log(np.exp(others - top).sum(axis=1)))


def occlusion_saliency(
    model: LoadedModel,
    window_uv: np.ndarray,
    class_index: int | None = None,
    segment_s: float = DEFAULT_SEGMENT_S,
    stride_s: float | None = None,
) -> np.ndarray:
    """Per-sample importance for ``class_index`` (default: the predicted class) of one window
    at the model's rate, in log-odds (see the module). Positive: masking those samples lowers
    the evidence for that class."""
    window = np.asarray(window_uv, dtype=np.float32)
    if window.shape != (model.card.input.n_times,):
        raise ValueError(f"window must have {model.card.input.n_times} samples, got {window.shape}")
    fs = model.card.input.fs_hz
    segment = max(1, seconds_to_samples(segment_s, fs))
    stride = max(1, seconds_to_samples(stride_s, fs)) if stride_s else max(1, segment // 2)
    base_log_p = model.predict_log_proba(window[None, :])
    target = int(np.argmax(base_log_p[0])) if class_index is None else class_index
    base = log_odds(base_log_p, target)[0]
    starts = np.arange(0, max(window.size - segment, 0) + 1, stride)
    if starts[-1] + segment < window.size:
        starts = np.append(starts, window.size - segment)  # the tail is occluded too
    baseline = np.float32(np.median(window))
    drops = np.empty(starts.size)
    for first in range(0, starts.size, BATCH):
        chunk = starts[first: first + BATCH]
        occluded = np.repeat(window[None, :], chunk.size, axis=0)
        for row, start in enumerate(chunk):
            occluded[row, start: start + segment] = baseline
        drops[first: first + chunk.size] = base - log_odds(model.predict_log_proba(occluded), target)
    importance = np.zeros(window.size)
    coverage = np.zeros(window.size)
    for start, drop in zip(starts, drops):
        importance[start: start + segment] += drop
        coverage[start: start + segment] += 1
    return importance / np.maximum(coverage, 1)
