"""Min/max ("peak") decimation for drawing: every spike survives every zoom level.

A signal of millions of samples drawn on a screen of ~2,000 pixels needs about two points a
pixel: the minimum and the maximum of the samples under it. A pyramid of such min/max pairs is
built once per record (each level halves the previous), so any visible slice at any zoom is
answered from the coarsest level that still gives at least ``points_per_pixel`` pairs a pixel,
in time proportional to the pixels, not the samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Level 0 pairs are built from blocks of this many samples. Finer zooms draw the samples
#: themselves (at most this many per pixel pair: a few tens of thousands of points), so the
#: pyramid costs about a quarter of the signal's memory instead of twice it.
BASE_BLOCK = 16


@dataclass(frozen=True)
class Decimated:
    """Points to draw: x in samples (float), y in the signal's units; interleaved min/max."""

    x: np.ndarray
    y: np.ndarray
    samples_per_point: float


class PeakPyramid:
    """Min/max pyramid over a 1-D signal (NaN-aware: NaN blocks stay NaN)."""

    def __init__(self, signal: np.ndarray, max_levels: int = 24) -> None:
        self.signal = np.asarray(signal)
        self.levels: list[tuple[np.ndarray, np.ndarray]] = []  # (mins, maxs) per level
        block = BASE_BLOCK
        mins, maxs = _block_min_max(self.signal, BASE_BLOCK)
        while mins.size >= 2 and len(self.levels) < max_levels:
            self.levels.append((mins, maxs))
            mins, maxs = _pair_reduce(mins, maxs)
            block *= 2

    def block_size(self, level: int) -> int:
        """How many samples one min/max pair of ``level`` stands for."""
        return BASE_BLOCK * 2 ** level

    def visible(self, start: int, stop: int, pixels: int, points_per_pixel: float = 2.0) -> Decimated:
        """What to draw for samples ``[start, stop)`` on ``pixels`` pixels."""
        start, stop = max(0, int(start)), min(self.signal.size, int(stop))
        if stop <= start:
            return Decimated(np.empty(0), np.empty(0), 1.0)
        span = stop - start
        samples_per_pair = span / max(1.0, pixels * points_per_pixel / 2)
        if samples_per_pair < BASE_BLOCK or not self.levels:
            x = np.arange(start, stop, dtype=np.float64)
            return Decimated(x, self.signal[start:stop], 1.0)
        level = min(int(np.floor(np.log2(samples_per_pair / BASE_BLOCK))), len(self.levels) - 1)
        block = self.block_size(level)
        mins, maxs = self.levels[level]
        first, last = start // block, min(mins.size, -(-stop // block))
        y = np.empty(2 * (last - first), dtype=self.signal.dtype)
        y[0::2] = mins[first:last]
        y[1::2] = maxs[first:last]
        centres = (np.arange(first, last) + 0.5) * block
        x = np.repeat(centres, 2)
        return Decimated(x, y, block / 2)


def _block_min_max(signal: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    n = signal.size // block * block
    blocks = signal[:n].reshape(-1, block)
    mins, maxs = blocks.min(axis=1), blocks.max(axis=1)
    if n < signal.size:  # the tail forms one shorter block
        tail = signal[n:]
        mins, maxs = np.append(mins, tail.min()), np.append(maxs, tail.max())
    return mins, maxs


def _pair_reduce(mins: np.ndarray, maxs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if mins.size % 2:
        mins, maxs = np.append(mins, mins[-1]), np.append(maxs, maxs[-1])
    return np.minimum(mins[0::2], mins[1::2]), np.maximum(maxs[0::2], maxs[1::2])
