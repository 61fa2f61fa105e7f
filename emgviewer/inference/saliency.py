"""Occlusion saliency: which part of a window the model's verdict rests on.

Model-agnostic: a segment of the window is masked (set to the window's median, i.e. the
baseline), the model is run again, and the drop in the probability of the class under study
is credited to the masked samples. Sliding the mask over the window gives a curve aligned with
the samples; overlapping masks are averaged.
"""

from __future__ import annotations

import numpy as np

from emgviewer.analysis.windows import seconds_to_samples
from emgviewer.inference.model import LoadedModel

DEFAULT_SEGMENT_S = 0.02  # a few MUAP durations
BATCH = 32


def occlusion_saliency(
    model: LoadedModel,
    window_uv: np.ndarray,
    class_index: int | None = None,
    segment_s: float = DEFAULT_SEGMENT_S,
    stride_s: float | None = None,
) -> np.ndarray:
    """Per-sample importance for ``class_index`` (default: the predicted class) of one window
    at the model's rate. Positive: masking those samples lowers that class's probability."""
    window = np.asarray(window_uv, dtype=np.float32)
    if window.shape != (model.card.input.n_times,):
        raise ValueError(f"window must have {model.card.input.n_times} samples, got {window.shape}")
    fs = model.card.input.fs_hz
    segment = max(1, seconds_to_samples(segment_s, fs))
    stride = max(1, seconds_to_samples(stride_s, fs)) if stride_s else max(1, segment // 2)
    base = model.predict_proba(window[None, :])[0]
    target = int(np.argmax(base)) if class_index is None else class_index
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
        drops[first: first + chunk.size] = base[target] - model.predict_proba(occluded)[:, target]
    importance = np.zeros(window.size)
    coverage = np.zeros(window.size)
    for start, drop in zip(starts, drops):
        importance[start: start + segment] += drop
        coverage[start: start + segment] += 1
    return importance / np.maximum(coverage, 1)
