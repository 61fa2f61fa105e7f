"""The clinician's instruments on the trace, as numbers: caliper readings that snap to a
detected MUAP's onset and end, and sweeps frozen on a trigger level (as an EMG machine's
trigger/delay line does), with their average. Qt-free, so the viewer only draws them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emgviewer.analysis.finite import finite_uv
from emgviewer.analysis.muap.analysis import MuapAnalysis

SNAP_MS = 1.5  # a caliper dropped this close to a MUAP's onset or end lands on it


@dataclass(frozen=True)
class CaliperReading:
    """Two caliper positions on the trace and the voltages there."""

    t1_s: float
    t2_s: float
    v1_uv: float
    v2_uv: float

    @property
    def dt_ms(self) -> float:
        """The calipers' Δt in ms."""
        return (self.t2_s - self.t1_s) * 1e3

    @property
    def dv_uv(self) -> float:
        """The calipers' ΔV in µV."""
        return self.v2_uv - self.v1_uv

    def text(self) -> str:
        """"Δt +3.20 ms · ΔV -150 µV", as the status bar shows it."""
        return f"Δt {self.dt_ms:+.2f} ms · ΔV {self.dv_uv:+.0f} µV"


def caliper_reading(signal_uv: np.ndarray, fs_hz: float, t1_s: float, t2_s: float) -> CaliperReading:
    """The signal's value under each caliper (nearest sample; NaN outside the record)."""
    def value(t: float) -> float:
        i = int(round(t * fs_hz))
        return float(signal_uv[i]) if 0 <= i < signal_uv.size else float("nan")
    return CaliperReading(t1_s, t2_s, value(t1_s), value(t2_s))


def marker_times_s(analysis: MuapAnalysis) -> np.ndarray:
    """Every discharge's onset and end (from its unit's duration markers), ascending."""
    fs = analysis.fs_hz
    times = [unit.discharges / fs + offset * 1e-3 for unit in analysis.units
             for offset in (unit.measures.onset_ms, unit.measures.end_ms)]
    return np.sort(np.concatenate(times)) if times else np.empty(0)


def snap(t_s: float, markers_s: np.ndarray, tolerance_ms: float = SNAP_MS) -> float:
    """``t_s`` moved to the nearest marker within ``tolerance_ms``, else unchanged."""
    if markers_s.size == 0:
        return t_s
    i = int(np.clip(np.searchsorted(markers_s, t_s), 1, markers_s.size - 1)) if markers_s.size > 1 else 0
    nearest = min((markers_s[j] for j in {i - 1, i} if 0 <= j < markers_s.size), key=lambda m: abs(m - t_s))
    return float(nearest) if abs(nearest - t_s) * 1e3 <= tolerance_ms else t_s


@dataclass(frozen=True)
class Sweeps:
    """Sweeps frozen on a trigger level, aligned on their crossings, for the panel to stack."""

    times_s: np.ndarray  # trigger instants
    sweeps_uv: np.ndarray  # (n, samples), each starting ``pre_ms`` before its trigger
    pre_ms: float
    fs_hz: float

    @property
    def average_uv(self) -> np.ndarray:
        """The sweeps' average (empty when there are none)."""
        return self.sweeps_uv.mean(axis=0) if len(self.sweeps_uv) else np.empty(0)

    def times_ms(self) -> np.ndarray:
        """A sweep's sample times in ms, 0 at the trigger."""
        return np.arange(self.sweeps_uv.shape[1]) / self.fs_hz * 1e3 - self.pre_ms


def triggered_sweeps(signal_uv: np.ndarray, fs_hz: float, level_uv: float, pre_ms: float = 5.0,
                     post_ms: float = 20.0, max_sweeps: int = 200) -> Sweeps:
    """Sweeps that start ``pre_ms`` before each crossing of ``level_uv`` (upward for a positive
    level, downward for a negative one), never overlapping: after a trigger the next may come
    only once the sweep has run (hold-off), as on a clinical machine."""
    x = finite_uv(signal_uv)
    pre, post = int(round(pre_ms * 1e-3 * fs_hz)), int(round(post_ms * 1e-3 * fs_hz))
    above = x >= level_uv if level_uv >= 0 else x <= level_uv
    crossings = np.flatnonzero(above[1:] & ~above[:-1]) + 1
    chosen, next_allowed = [], pre
    for c in crossings:
        if c >= next_allowed and c + post <= x.size:
            chosen.append(c)
            next_allowed = c + post
            if len(chosen) == max_sweeps:
                break
    idx = np.asarray(chosen, dtype=np.int64)
    sweeps = x[idx[:, None] + np.arange(-pre, post)[None, :]] if idx.size else np.empty((0, pre + post))
    return Sweeps(idx / fs_hz, sweeps, pre_ms, fs_hz)
