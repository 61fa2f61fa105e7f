"""Sorting candidate discharges into motor-unit trains, as EMGlab's decomposition does.

1. Cluster the aligned band-limited segments (average-linkage, cut where two segments differ
   by more than noise explains); clusters with enough members seed the templates.
2. Merge templates that are one unit seen from a different peak (equal after a shift of up to
   ``MERGE_SHIFT_MS``: a polyphasic potential can be caught on any of its large phases).
3. Template matching: each candidate is explained by the template and shift (within
   ``SHIFT_MS``) that leave the least residual; templates are re-averaged and matching
   repeated once.
4. Peel-off: the explained discharges are subtracted and what is left is searched again; each
   peak there is fitted greedily with up to three templates at shifts within
   ``PEEL_SHIFT_MS`` (superimposed discharges of several units, or a small potential hidden
   in a large one's segment), each fit's shift refitted with the others in place.
5. A template that never reaches the detection threshold (what noise crossings average to) is
   dropped, and a "unit" whose discharges follow another unit's at a fixed latency is part of
   that unit (a late component or satellite of its potential), not a unit of its own.

All distances are in units of the band-limited noise variance, so the rules hold whatever
the record's gain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emgviewer.analysis.muap.detect import DEAD_TIME_MS, Detection
from emgviewer.analysis.muap.superpose import superpose
from emgviewer.lazy import scipy_cluster_hierarchy, scipy_signal

SEGMENT_MS = 1.2  # half-width of the segment compared with a template
SHIFT_MS = 0.5  # freedom of alignment when one template explains a candidate
PEEL_SHIFT_MS = 2.0  # freedom of each template in a superposition
MERGE_SHIFT_MS = 3.0  # two templates this far apart in time may still be one unit
#: Mean residual energy per sample, in noise variances, under which a fit explains a segment.
ACCEPT_RESIDUAL = 2.5
#: Two segments of one unit differ by noise only (2 noise variances a sample); the cut allows
#: for jitter and background.
CLUSTER_CUT = 1.8
#: Share of a fitted template's energy a residual may also hold (sub-sample phase, shape wobble).
SHAPE_TOLERANCE = 0.02
MIN_DISCHARGES = 5
MAX_CLUSTERED = 1500  # candidates clustered at most; the rest are matched to the templates
DUPLICATE_MS = 3.0  # one unit cannot discharge twice within this (refractory period)
LOCKED_SPREAD_MS = 0.3  # a time-locked component keeps its latency within this
LOCKED_SHARE = 0.8


@dataclass(frozen=True)
class Sorting:
    """Discharges sorted into units: each unit's train and template, and the candidates no unit explains."""

    trains: tuple[np.ndarray, ...]  # discharge sample indices per unit, ascending
    templates: tuple[np.ndarray, ...]  # band-limited template per unit, centred, half-width ``half``
    half: int
    unassigned: np.ndarray  # candidate peaks no unit explains
    locked_components_ms: tuple[tuple[float, ...], ...]  # per unit: latencies of merged components


def _samples(ms: float, fs_hz: float) -> int:
    return max(1, int(round(ms * 1e-3 * fs_hz)))


class _Padded:
    """The signal with zeros around it, so segments near its ends need no special case."""

    def __init__(self, x: np.ndarray, pad: int) -> None:
        self.values = np.pad(x, pad)
        self.pad = pad

    def segments(self, centres: np.ndarray, half: int) -> np.ndarray:
        idx = (centres[:, None] + (self.pad - half)) + np.arange(2 * half + 1)[None, :]
        return self.values[idx]

    def minus(self, templates: np.ndarray, units: np.ndarray, positions: np.ndarray, half: int) -> _Padded:
        """A copy less ``templates[units]`` placed at ``positions`` (each of half-width ``half``)."""
        out = _Padded.__new__(_Padded)
        out.values, out.pad = self.values.copy(), self.pad
        out.subtract(templates[units], positions, half)
        return out

    def subtract(self, potentials: np.ndarray, positions: np.ndarray, half: int) -> None:
        superpose(self.values.size, positions + (self.pad - half), -potentials, out=self.values)

    def peaks(self, height: float, distance: int) -> np.ndarray:
        inner = self.values[self.pad: self.values.size - self.pad]
        found, _ = scipy_signal.find_peaks(np.abs(inner), height=height, distance=distance)
        return found.astype(np.int64)


class _Bank:
    """Every template at every shift, cut to a segment of half-width ``h``."""

    def __init__(self, templates: np.ndarray, big_half: int, h: int, max_shift: int) -> None:
        shifts = np.arange(-max_shift, max_shift + 1)
        k = np.arange(-h, h + 1)
        idx = big_half + k[None, :] - shifts[:, None]  # (shifts, 2h+1)
        self.shifts = shifts
        self.entries = templates[:, idx]  # (units, shifts, 2h+1)
        self.flat = self.entries.reshape(-1, 2 * h + 1)  # (units x shifts, 2h+1)
        self.energy = np.einsum("ek,ek->e", self.flat, self.flat)
        self.flat32 = self.flat.astype(np.float32)  # the peel-off's many small products: half the cost

    def best(self, segments: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per segment: best unit, its shift, the residual energy and the fitted template's energy."""
        n_shifts = self.shifts.size
        residual = (np.einsum("ek,ek->e", segments, segments)[:, None]
                    - 2 * segments @ self.flat.T + self.energy[None, :])
        pick = np.argmin(residual, axis=1)
        return (pick // n_shifts, self.shifts[pick % n_shifts], residual[np.arange(len(pick)), pick],
                self.energy[pick])


def sort_discharges(detection: Detection, fs_hz: float) -> Sorting:
    """Sort the detected discharges into units by template matching, peeling off superimposed ones."""
    sigma = detection.noise_uv
    h, shift, peel = _samples(SEGMENT_MS, fs_hz), _samples(SHIFT_MS, fs_hz), _samples(PEEL_SHIFT_MS, fs_hz)
    merge = _samples(MERGE_SHIFT_MS, fs_hz)
    big = max(h + 2 * peel, h + merge) + shift  # templates long enough for every shifted cut below
    x = _Padded(detection.filtered_uv, big + shift)
    peaks = detection.peaks
    empty = Sorting((), (), big, peaks, ())
    if peaks.size < MIN_DISCHARGES or not sigma > 0:
        return empty
    templates = _seed_templates(x, peaks, h, big, sigma)
    if templates.shape[0] == 0:
        return empty
    for _ in range(2):
        templates = _merge_equal(templates, big, h, merge, sigma)
        unit, at, explained = _match(x, peaks, templates, big, h, shift, sigma)
        templates, keep = _reaverage(x, unit[explained], at[explained], templates.shape[0], big)
        templates = templates[keep]
    unit, at, explained = _match(x, peaks, templates, big, h, shift, sigma)
    trains = [list(at[explained & (unit == u)]) for u in range(templates.shape[0])]
    bank = _Bank(templates, big, h + peel, peel)
    # What the explained discharges leave is searched again: superimposed discharges, and
    # small potentials hidden in a large one's segment, stand out there.
    residual = x.minus(templates, unit[explained], at[explained], big)
    candidates = residual.peaks(detection.threshold_uv, _samples(DEAD_TIME_MS, fs_hz))
    # One product for all: where no template is present with most of its energy, no
    # superposition of them will be either, and the candidate stays unexplained.
    gains = 2 * residual.segments(candidates, h + peel) @ bank.flat.T - 1.5 * bank.energy[None, :]
    promising = (gains > 0).any(axis=1) if candidates.size else np.zeros(0, dtype=bool)
    unresolved = list(candidates[~promising])
    for peak in candidates[promising]:
        fits = _peel(residual, peak, bank, h, peel, sigma)
        if not fits:
            unresolved.append(peak)
        for u, position in fits:
            trains[u].append(position)
        residual.subtract(templates[[u for u, _ in fits]], np.array([p for _, p in fits], dtype=np.int64), big)
    trains = [_dedupe(np.asarray(t, dtype=np.int64), _samples(DUPLICATE_MS, fs_hz)) for t in trains]
    # A template that never reaches the threshold is what noise crossings average to.
    real = np.abs(templates).max(axis=1) >= detection.threshold_uv
    trains = [t if ok else t[:0] for t, ok in zip(trains, real)]
    return _drop_locked(trains, templates, big, np.array(unresolved, dtype=np.int64), fs_hz)


def _seed_templates(x: _Padded, peaks: np.ndarray, h: int, big: int, sigma: float) -> np.ndarray:
    # The largest candidates seed the clusters when there are too many to cluster all.
    chosen = peaks if peaks.size <= MAX_CLUSTERED else np.sort(
        peaks[np.argsort(-np.abs(x.values[peaks + x.pad]))[:MAX_CLUSTERED]])

    segments = x.segments(chosen, h) / sigma
    tree = scipy_cluster_hierarchy.linkage(segments, "average")
    labels = scipy_cluster_hierarchy.fcluster(tree, CLUSTER_CUT * np.sqrt(2 * segments.shape[1]), "distance")
    counts = np.bincount(labels)
    seeds = [x.segments(chosen[labels == label], big).mean(axis=0)
             for label in np.flatnonzero(counts >= MIN_DISCHARGES)]
    return np.array(seeds).reshape(len(seeds), 2 * big + 1)


def _merge_equal(templates: np.ndarray, big: int, h: int, shift: int, sigma: float) -> np.ndarray:
    """Keep one of two templates that a shift makes equal within noise (larger first)."""
    order = np.argsort(-np.abs(templates[:, big - h: big + h + 1]).max(axis=1))
    kept: list[np.ndarray] = []
    for t in templates[order]:
        core = t[big - h: big + h + 1][None, :]
        if kept:
            bank = _Bank(np.array(kept), big, h, shift)
            _, _, residual, fitted = bank.best(core)
            if _explains_energy(residual[0], core.size, fitted[0], sigma):
                continue
        kept.append(t)
    return np.array(kept)


def _match(x, peaks, templates, big, h, shift, sigma):
    segments = x.segments(peaks, h)
    bank = _Bank(templates, big, h, shift)
    unit, shifts, residual, fitted = bank.best(segments)
    return unit, peaks + shifts, _explains_energy(residual, segments.shape[1], fitted, sigma)


def _reaverage(x, unit, at, n_units, big):
    templates = np.zeros((n_units, 2 * big + 1))
    keep = np.zeros(n_units, dtype=bool)
    for u in range(n_units):
        mine = at[unit == u]
        if mine.size >= MIN_DISCHARGES:
            templates[u] = x.segments(mine, big).mean(axis=0)
            keep[u] = True
    return templates, keep


def _peel(x: _Padded, peak: int, bank: _Bank, h: int, peel: int, sigma: float) -> list[tuple[int, int]]:
    """Up to three (unit, position) whose sum explains the segment around ``peak``, or [].

    Greedy (the template that removes most energy first), then each chosen template's shift is
    refitted with the others in place: the first pick is pulled off its true position by the
    potential it overlaps, and one sample off a large spike leaves more than noise.
    """
    residual = x.segments(np.array([peak]), h + peel)[0].astype(np.float32)
    n_shifts = bank.shifts.size
    flat, energy = bank.flat32, bank.energy
    chosen: list[int] = []
    for _ in range(3):
        gain = 2 * flat @ residual - energy
        best = int(np.argmax(gain))
        # The template must be there with most of its energy, not fitted into noise.
        if gain[best] < 0.5 * energy[best]:
            break
        chosen.append(best)
        residual = residual - flat[best]
        for _ in range(1 if len(chosen) == 1 else 2):
            for i, entry in enumerate(chosen):
                residual = residual + flat[entry]
                unit = slice(entry - entry % n_shifts, entry - entry % n_shifts + n_shifts)
                chosen[i] = unit.start + int(np.argmax(2 * flat[unit] @ residual - energy[unit]))
                residual = residual - flat[chosen[i]]
        core = residual[peel: peel + 2 * h + 1]
        if _explains(core, [flat[c][peel: peel + 2 * h + 1] for c in chosen], sigma):
            return [(c // n_shifts, int(peak + bank.shifts[c % n_shifts])) for c in chosen]
    return []


def _explains(residual: np.ndarray, parts: list[np.ndarray], sigma: float) -> bool:
    """Whether what is left is noise: under ``ACCEPT_RESIDUAL`` noise variances a sample, plus
    ``SHAPE_TOLERANCE`` of the fitted potentials' energy (a discharge never falls on the same
    sub-sample phase twice, and a unit's shape wavers a little from one discharge to the next)."""
    return bool(_explains_energy(float(residual @ residual), residual.size, sum(float(p @ p) for p in parts), sigma))


def _explains_energy(residual, size: int, fitted, sigma: float):
    """The rule of :func:`_explains` on energies (scalars, or arrays of segments at once);
    ``fitted``: the fitted templates' total energy."""
    return residual < ACCEPT_RESIDUAL * sigma**2 * size + SHAPE_TOLERANCE * fitted


def _dedupe(train: np.ndarray, gap: int) -> np.ndarray:
    train = np.sort(train)
    if train.size < 2:
        return train
    keep = np.concatenate(([True], np.diff(train) >= gap))
    return train[keep]


def _drop_locked(trains, templates, big, unassigned, fs_hz) -> Sorting:
    """Units time-locked to a larger unit become that unit's components."""
    order = np.argsort(-np.ptp(templates, axis=1))
    spread = _samples(LOCKED_SPREAD_MS, fs_hz)
    window = _samples(30.0, fs_hz)
    components: dict[int, list[float]] = {int(u): [] for u in order}
    dropped: set[int] = set()
    for i, a in enumerate(order):
        if a in dropped or trains[a].size < MIN_DISCHARGES:
            continue
        for b in order[i + 1:]:
            if b in dropped or trains[b].size < MIN_DISCHARGES:
                continue
            latency = _locked_latency(trains[a], trains[b], spread, window)
            if latency is not None:
                dropped.add(int(b))
                components[int(a)].append(latency / fs_hz * 1e3)
    kept = [int(u) for u in order if u not in dropped and trains[u].size >= MIN_DISCHARGES]
    kept.sort(key=lambda u: -np.ptp(templates[u]))
    return Sorting(tuple(trains[u] for u in kept), tuple(templates[u] for u in kept), big,
                   np.sort(unassigned), tuple(tuple(components[u]) for u in kept))


def _locked_latency(a: np.ndarray, b: np.ndarray, spread: int, window: int) -> float | None:
    """The latency at which most of ``b`` follows (or precedes) ``a``, if one exists."""
    nearest = np.searchsorted(a, b)
    candidates = []
    for offset in (-1, 0):
        j = np.clip(nearest + offset, 0, a.size - 1)
        candidates.append(b - a[j])
    lag = np.where(np.abs(candidates[0]) <= np.abs(candidates[1]), candidates[0], candidates[1])
    close = np.abs(lag) <= window
    if close.sum() < LOCKED_SHARE * b.size:
        return None
    centre = float(np.median(lag[close]))
    if np.mean(np.abs(lag - centre) <= spread) < LOCKED_SHARE:
        return None
    return centre
