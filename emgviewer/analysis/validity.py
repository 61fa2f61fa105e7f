"""Which windows are fit to classify, and why the others are not.

A window is invalid when it holds missing samples (NaN), a flat run (identical samples for
longer than real EMG ever stays still: dead channel, zero padding), too many samples at
the recorder's full scale, or one-sample spikes (``records.quality``: an acquisition artefact,
judged at 10 kHz and above). Flat runs at full scale are clipping, not flatness.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from emgviewer.analysis.windows import WindowGeometry, seconds_to_samples
from emgviewer.records.quality import SPIKE_MIN_RATE_HZ, clipped_mask, spikes_between


class Invalid(enum.IntFlag):
    """Why a window is invalid, as bits (a window may be several at once)."""

    NONE = 0
    MISSING = 1
    FLAT = 2
    CLIPPED = 4
    ARTEFACT = 8


@dataclass(frozen=True)
class ValidityCriteria:
    #: Longest run of identical samples allowed. Real N2001 EMG never exceeds 0.5 ms.
    """The limits a window must keep to be classified."""

    max_flat_s: float = 0.005
    #: Largest fraction of a window's samples allowed at full scale.
    max_clipped_fraction: float = 0.01
    #: Most one-sample spikes a window may hold. No N2001 record but A08's has more than one;
    #: the window over A08's spiky last 0.3 s, hundreds, was read as myopathy at 1.00.
    max_spikes: int = 2


@dataclass(frozen=True)
class WindowValidity:
    """Per-window validity: ``flags`` (an :class:`Invalid` bit set) and the measures behind it."""

    flags: np.ndarray  # uint8, one per window
    missing_count: np.ndarray  # NaN samples per window
    flat_run_samples: np.ndarray  # longest flat run that breaks the criterion, else 0
    clipped_fraction: np.ndarray
    fs_hz: float
    spike_count: np.ndarray | None = None  # one-sample spikes per window; None where not judged

    @property
    def valid(self) -> np.ndarray:
        """One bool per window: no invalidity flag set."""
        return self.flags == 0

    def reason(self, index: int) -> str | None:
        """Why window ``index`` is invalid, in words; ``None`` when it is valid."""
        flags = Invalid(int(self.flags[index]))
        parts = []
        if Invalid.MISSING in flags:
            parts.append(f"{int(self.missing_count[index])} missing samples (NaN)")
        if Invalid.FLAT in flags:
            parts.append(f"flat for {1e3 * self.flat_run_samples[index] / self.fs_hz:.1f} ms")
        if Invalid.CLIPPED in flags:
            parts.append(f"clipped: {self.clipped_fraction[index]:.1%} of samples at full scale")
        if Invalid.ARTEFACT in flags:
            parts.append(f"{int(self.spike_count[index])} one-sample spikes (an acquisition artefact)")
        return "; ".join(parts) or None


def assess_windows(
    signal_uv: np.ndarray,
    fs_hz: float,
    geometry: WindowGeometry,
    full_scale_uv: tuple[float, float] | None = None,
    criteria: ValidityCriteria = ValidityCriteria(),
) -> WindowValidity:
    """Validity of each window of ``geometry`` over ``signal_uv``."""
    return assess_spans(signal_uv, fs_hz, geometry.starts, geometry.stops, full_scale_uv, criteria)


def assess_spans(
    signal_uv: np.ndarray,
    fs_hz: float,
    starts: np.ndarray,
    stops: np.ndarray,
    full_scale_uv: tuple[float, float] | None = None,
    criteria: ValidityCriteria = ValidityCriteria(),
) -> WindowValidity:
    """Validity of arbitrary sample spans ``[starts, stops)``: used when windows are cut at a
    model's rate but judged on the record's original samples (before resampling blurs them)."""
    starts, stops = np.asarray(starts, dtype=np.int64), np.asarray(stops, dtype=np.int64)
    signal = np.asarray(signal_uv)
    missing_count = _count_in_windows(lambda a, b: np.isnan(signal[a:b]), signal.size, starts, stops)
    clipped_count = _count_in_windows(lambda a, b: clipped_mask(signal[a:b], full_scale_uv), signal.size,
                                      starts, stops)
    clipped_fraction = clipped_count / np.maximum(stops - starts, 1)
    flat = _longest_flat_overlap(signal, full_scale_uv, starts, stops,
                                 seconds_to_samples(criteria.max_flat_s, fs_hz) + 1)
    spikes = (_count_in_windows(lambda a, b: _spike_mask(signal, a, b), signal.size, starts, stops)
              if fs_hz >= SPIKE_MIN_RATE_HZ else None)
    flags = np.zeros(starts.size, dtype=np.uint8)
    flags[missing_count > 0] |= np.uint8(Invalid.MISSING)
    flags[flat > 0] |= np.uint8(Invalid.FLAT)
    flags[clipped_fraction > criteria.max_clipped_fraction] |= np.uint8(Invalid.CLIPPED)
    if spikes is not None:
        flags[spikes > criteria.max_spikes] |= np.uint8(Invalid.ARTEFACT)
    return WindowValidity(flags, missing_count, flat, clipped_fraction, fs_hz, spikes)


def _spike_mask(signal: np.ndarray, a: int, b: int) -> np.ndarray:
    """True at the one-sample spikes among samples ``a:b`` (each judged with its neighbours)."""
    mask = np.zeros(b - a, dtype=bool)
    mask[spikes_between(signal, a, b) - a] = True
    return mask


def assess_time_spans(
    signal_uv: np.ndarray,
    fs_hz: float,
    starts_s: np.ndarray,
    stops_s: np.ndarray,
    full_scale_uv: tuple[float, float] | None = None,
    criteria: ValidityCriteria = ValidityCriteria(),
) -> WindowValidity:
    """Validity of windows given in seconds, judged on a signal at ``fs_hz``: windows cut at
    a model's rate are judged on the record's own samples, which resampling would blur."""
    starts = np.floor(np.asarray(starts_s) * fs_hz + 1e-6).astype(np.int64)
    stops = np.minimum(np.ceil(np.asarray(stops_s) * fs_hz - 1e-6).astype(np.int64), signal_uv.size)
    return assess_spans(signal_uv, fs_hz, starts, stops, full_scale_uv, criteria)


#: Long records are judged in pieces of this many samples: no record-sized temporaries, and
#: no numpy call long enough to hold the interpreter lock from the viewer's event loop.
CHUNK = 1 << 20


def _count_in_windows(mask_of, n: int, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Per window, how many samples ``mask_of(a, b)`` (the mask of samples ``a:b``) marks,
    from a running count read off at the window boundaries, one chunk at a time."""
    chunk = CHUNK
    bounds = np.concatenate((starts, stops))
    order = np.argsort(bounds, kind="stable")
    ordered = bounds[order]
    before = np.zeros(bounds.size, dtype=np.int64)  # marked samples before each boundary
    carry, j = 0, 0
    for a in range(0, n, chunk):
        b = min(a + chunk, n)
        mask = mask_of(a, b)
        last = int(np.searchsorted(ordered, b, side="right"))
        if not mask.any():  # the usual case (no gap, no clipping, no spike): nothing to count
            before[order[j:last]] = carry
            j = last
            continue
        running = np.cumsum(mask, dtype=np.int64)  # marked in [a, a + k]
        here = ordered[j:last]
        before[order[j:last]] = carry + np.where(here > a, running[np.clip(here - a - 1, 0, b - a - 1)], 0)
        carry += int(running[-1]) if running.size else 0
        j = last
    before[order[j:]] = carry  # boundaries at the very end
    return before[starts.size:] - before[:starts.size]


def _flat_runs(signal: np.ndarray, full_scale_uv, min_run: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs of >= ``min_run`` identical, unclipped samples: (first sample, one past the last),
    found one chunk at a time (a run may span chunks)."""
    chunk = CHUNK
    starts, ends = [], []
    previous = np.zeros(1, dtype=np.int8)  # whether the pair before the chunk was "same"
    pairs = signal.size - 1
    for a in range(0, max(pairs, 0), chunk):
        b = min(a + chunk, pairs)
        same = (signal[a + 1: b + 1] == signal[a:b]) & ~clipped_mask(signal[a + 1: b + 1], full_scale_uv)
        edges = np.diff(np.concatenate((previous, same.astype(np.int8))))
        starts.append(np.flatnonzero(edges == 1) + a)  # run of equal pairs from pair i: samples i ..
        ends.append(np.flatnonzero(edges == -1) + a)  # .. to sample j (pair j - 1 the last equal one)
        previous = same[-1:].astype(np.int8)
    if previous.size and previous[0]:
        ends.append(np.array([pairs], dtype=np.int64))
    run_starts = np.concatenate(starts) if starts else np.empty(0, dtype=np.int64)
    run_ends = np.concatenate(ends) if ends else np.empty(0, dtype=np.int64)
    long_runs = run_ends - run_starts + 1 >= min_run
    return run_starts[long_runs], run_ends[long_runs] + 1


def _longest_flat_overlap(signal: np.ndarray, full_scale_uv, starts: np.ndarray,
                          stops: np.ndarray, min_run: int) -> np.ndarray:
    """Per window, the longest run (within the window) of >= ``min_run`` identical, unclipped
    samples; 0 where there is none."""
    run_starts, run_ends = _flat_runs(signal, full_scale_uv, min_run)
    if run_starts.size == 0 or starts.size == 0:
        return np.zeros(starts.size, dtype=np.int64)
    overlap = (np.minimum(stops[:, None], run_ends[None, :])
               - np.maximum(starts[:, None], run_starts[None, :]))
    longest = overlap.max(axis=1)
    return np.where(longest >= min_run, longest, 0)
