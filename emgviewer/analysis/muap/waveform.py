"""A motor unit's averaged potential, and the measures a clinician reads from it.

The average is taken on the record's own signal (not the analysis band), over a window of
+-``HALF_WINDOW_MS`` around each discharge, after the other units' potentials are subtracted
(so a neighbour firing a few ms away does not leak into the average).

Definitions (Stalberg et al., J Clin Neurophysiol 1986;3:313-48, and the multi-MUP method of
Stalberg et al., Muscle Nerve 1995 / Bischoff et al., Muscle Nerve 1994;17:842-51):

- baseline: the median of the outer ``BASELINE_MS`` on both sides of the window;
- duration: from the potential's departure from the baseline to its return, where it leaves
  a band of +-``level`` = max(``BASELINE_FRACTION`` of the peak, 3 x the average's residual
  noise), found on a copy smoothed by a zero-phase ``MARKER_LOWPASS_HZ`` low-pass (the
  departure is slow, noise is fast; the other measures use the unsmoothed average); returns to
  the baseline shorter than ``GAP_MS`` are bridged (a phase crossing), a
  longer isoelectric interval ends the potential (what follows is a satellite);
- amplitude: peak to peak within the duration;
- phases: the parts between baseline crossings that leave the band (crossings + 1);
  polyphasic: more than four phases;
- turns: changes of direction of at least ``TURN_UV`` within the duration;
- area: integral of |potential| over the duration; thickness = area / amplitude;
  size index = 2 log10(amplitude in mV) + thickness in ms (Sonoo & Stalberg, Muscle Nerve
  1993;16:1290-5);
- satellites: later potentials in the window, after an isoelectric interval, that exceed
  twice the band and 5 x the residual noise (latency from the main potential's onset).

The simulator (records/simulate/muap.py) gives a MUAP the same 2 %-of-peak baseline, so its
known durations check this code. Manual markers set by eye on a noisy baseline tend to be
shorter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from emgviewer.analysis.finite import finite_uv
from emgviewer.analysis.measures import count_turns, last_above
from emgviewer.analysis.muap.superpose import superpose
from emgviewer.lazy import scipy_signal

HALF_WINDOW_MS = 25.0  # holds a 25-ms neurogenic potential with baseline on both sides
BASELINE_MS = 4.0
BASELINE_FRACTION = 0.02
GAP_MS = 1.0
TURN_UV = 25.0
POLYPHASIC_PHASES = 5
MARKER_LOWPASS_HZ = 2000.0
TRIM = 0.2


@dataclass(frozen=True)
class WaveformMeasures:
    """One averaged potential's measures: amplitude, duration and its cursors, phases, turns, area, satellites."""

    amplitude_uv: float
    duration_ms: float
    onset_ms: float  # relative to the discharge's alignment point
    end_ms: float
    phases: int
    turns: int
    area_uv_ms: float
    thickness_ms: float
    size_index: float
    satellites_ms: tuple[float, ...]
    level_uv: float  # the baseline band used for the duration
    residual_noise_uv: float  # SD of the average's baseline
    #: From the opposite peak before the main spike to the main spike's peak: under 0.5 ms the
    #: needle is close to the unit's fibres, the condition multi-MUP analysis accepts a MUP on.
    rise_time_ms: float = float("nan")

    @property
    def polyphasic(self) -> bool:
        """Whether it has more phases than a normal potential (the polyphasic criterion)."""
        return self.phases >= POLYPHASIC_PHASES

    def to_dict(self) -> dict:
        """The measures as JSON types."""
        out = asdict(self)
        out["satellites_ms"] = list(self.satellites_ms)
        out["polyphasic"] = self.polyphasic
        return out


def half_window(fs_hz: float) -> int:
    """Samples on each side of a discharge that its template covers."""
    return int(round(HALF_WINDOW_MS * 1e-3 * fs_hz))


def averaged_templates(signal_uv: np.ndarray, fs_hz: float, trains: list[np.ndarray]) -> list[np.ndarray]:
    """Each unit's mean potential on the raw signal, with the other units peeled off.

    Each pass subtracts the others' current templates at their discharges. The last pass
    trims its mean (``TRIM`` each side, per sample), so a discharge of some unit that was never
    identified, which lands in a few sweeps only, does not bend the average.
    """
    half = half_window(fs_hz)
    x = np.pad(finite_uv(signal_uv), half)
    # Each sweep is a row of a strided view: gathering rows is a copy per discharge, 10x faster
    # than indexing every sample.
    view = sliding_window_view(x, 2 * half + 1)
    templates = [view[train].mean(axis=0) for train in trains]
    for average in (_mean, _trimmed_mean):
        residual = _without_units(x, trains, templates)
        view = sliding_window_view(residual, 2 * half + 1)
        templates = [template + average(view[train]) for train, template in zip(trains, templates)]
    return [_baseline_corrected(template, fs_hz) for template in templates]


def _without_units(x: np.ndarray, trains: list[np.ndarray], templates: list[np.ndarray]) -> np.ndarray:
    """A copy of ``x`` less every unit's template at each of its discharges."""
    residual = x.copy()
    for train, template in zip(trains, templates):
        superpose(x.size, train, -template, out=residual)
    return residual


def _mean(sweeps: np.ndarray) -> np.ndarray:
    return sweeps.mean(axis=0)


def _trimmed_mean(sweeps: np.ndarray) -> np.ndarray:
    """Per sample (column), the mean of the sweeps left after cutting ``TRIM`` of them at each
    end, as ``scipy.stats.trim_mean``. A full sort: numpy's vectorised sort is about 4x faster
    here than the partial sort (``np.partition``) that trim_mean uses."""
    n = sweeps.shape[0]
    low = int(TRIM * n)
    return np.sort(sweeps, axis=0)[low: n - low].mean(axis=0)


def _baseline_corrected(template: np.ndarray, fs_hz: float) -> np.ndarray:
    edge = _edge(fs_hz)
    return template - np.median(np.concatenate((template[:edge], template[-edge:])))


def _edge(fs_hz: float) -> int:
    return max(2, int(round(BASELINE_MS * 1e-3 * fs_hz)))


def measure(template_uv: np.ndarray, fs_hz: float) -> WaveformMeasures:
    """The clinical measures of one averaged, baseline-corrected potential centred in its array."""
    edge = _edge(fs_hz)
    # Markers are placed on a smoothed copy: the baseline departure is slow, the noise is not.
    smooth = scipy_signal.sosfiltfilt(_marker_filter(float(fs_hz)), template_uv)
    noise = float(np.std(np.concatenate((smooth[:edge], smooth[-edge:]))))
    magnitude = np.abs(smooth)
    peak = int(np.argmax(np.abs(template_uv)))
    level = max(BASELINE_FRACTION * abs(template_uv[peak]), 3.0 * noise)
    gap = max(1, int(round(GAP_MS * 1e-3 * fs_hz)))
    start = last_above(magnitude, peak, level, gap, -1)
    stop = last_above(magnitude, peak, level, gap, +1)
    potential = template_uv[start: stop + 1]
    amplitude = float(np.ptp(potential))
    area = float(np.sum(np.abs(potential)) / fs_hz * 1e3)
    thickness = area / amplitude if amplitude > 0 else float("nan")
    centre = template_uv.size // 2
    to_ms = 1e3 / fs_hz
    return WaveformMeasures(
        amplitude_uv=amplitude,
        duration_ms=(stop - start + 1) * to_ms,
        onset_ms=(start - centre) * to_ms,
        end_ms=(stop - centre) * to_ms,
        phases=_phases(potential, level),
        turns=count_turns(potential, TURN_UV) if potential.size > 2 else 0,
        area_uv_ms=area,
        thickness_ms=thickness,
        size_index=2 * np.log10(amplitude / 1e3) + thickness if amplitude > 0 else float("nan"),
        satellites_ms=_satellites(magnitude, stop, start, max(2 * level, 5.0 * noise), gap, to_ms),
        level_uv=level,
        residual_noise_uv=noise,
        rise_time_ms=_rise_time_ms(template_uv, peak, start, fs_hz),
    )


def _rise_time_ms(template_uv: np.ndarray, peak: int, start: int, fs_hz: float) -> float:
    """The main spike's rise time: from the turning point just before the main peak (the peak of
    the preceding opposite phase, where the monotonic rise begins) to the main peak. A wiggle
    under 2 % of the peak does not end the rise; the onset bounds it."""
    sign = 1.0 if template_uv[peak] > 0 else -1.0
    x = sign * template_uv
    tolerance = 0.02 * x[peak]
    i, lowest = peak, peak
    while i > start:
        i -= 1
        if x[i] < x[lowest]:
            lowest = i
        elif x[i] > x[lowest] + tolerance:  # the signal rises again going back: the turning point
            break
    return (peak - lowest) / fs_hz * 1e3


@lru_cache(maxsize=8)
def _marker_filter(fs_hz: float) -> np.ndarray:
    return scipy_signal.butter(2, min(MARKER_LOWPASS_HZ, 0.45 * fs_hz), "lowpass", fs=fs_hz, output="sos")


def _phases(potential: np.ndarray, level: float) -> int:
    signs = np.sign(potential[np.abs(potential) >= level])
    return int(np.count_nonzero(np.diff(signs))) + 1 if signs.size else 0


def _satellites(magnitude, stop, start, level, gap, to_ms) -> tuple[float, ...]:
    """Onsets (ms after the main onset) of later potentials separated by an isoelectric gap."""
    out = []
    position = stop + gap + 1
    above = np.flatnonzero(magnitude[position:] >= level)
    while above.size:
        onset = position + int(above[0])
        end = last_above(magnitude, onset, level, gap, +1)
        out.append(round((onset - start) * to_ms, 2))
        position = end + gap + 1
        above = np.flatnonzero(magnitude[position:] >= level)
    return tuple(out)
