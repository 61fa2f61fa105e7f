"""Sliding-window geometry and zero-copy window views.

Durations convert to samples by flooring, so a 1.0 s window at the N2001 rate of 23,437.5 Hz
is 23,437 samples (ALSNet's input) and a 0.4 s hop is 9,375 samples (the thesis's hop).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: Until a model card says otherwise: 1 s windows, 0.4 s hop (the literature's 60 % overlap).
DEFAULT_WINDOW_S = 1.0
DEFAULT_HOP_S = 0.4

Tail = Literal["drop", "end"]


def seconds_to_samples(duration_s: float, fs_hz: float) -> int:
    """Whole samples in ``duration_s`` (floored; tolerant of float round-off)."""
    return math.floor(duration_s * fs_hz + 1e-6)


@dataclass(frozen=True)
class WindowGeometry:
    """Where the windows of a signal of ``n_samples`` start and stop.

    ``tail`` says what happens to samples after the last full window: ``"drop"`` leaves them
    unclassified (reported by :attr:`tail_samples`); ``"end"`` adds one more window ending at
    the last sample, overlapping its neighbour more than the hop.
    """

    window_samples: int
    hop_samples: int
    n_samples: int
    tail: Tail = "drop"

    def __post_init__(self) -> None:
        if self.window_samples < 1:
            raise ValueError(f"window must hold at least one sample, got {self.window_samples}")
        if self.hop_samples < 1:
            raise ValueError(f"hop must be at least one sample, got {self.hop_samples}")
        if self.n_samples < 0:
            raise ValueError(f"signal length cannot be negative, got {self.n_samples}")
        if self.tail not in ("drop", "end"):
            raise ValueError(f"tail must be 'drop' or 'end', got {self.tail!r}")

    @classmethod
    def from_seconds(
        cls, window_s: float, hop_s: float, fs_hz: float, n_samples: int, tail: Tail = "drop"
    ) -> "WindowGeometry":
        """The geometry of ``window_s`` windows every ``hop_s`` over ``n_samples`` at ``fs_hz``."""
        return cls(seconds_to_samples(window_s, fs_hz), seconds_to_samples(hop_s, fs_hz),
                   n_samples, tail)

    @property
    def n_regular(self) -> int:
        """Windows on the regular hop grid."""
        if self.n_samples < self.window_samples:
            return 0
        return (self.n_samples - self.window_samples) // self.hop_samples + 1

    @property
    def covered_samples(self) -> int:
        """Samples up to the end of the last regular window."""
        n = self.n_regular
        return (n - 1) * self.hop_samples + self.window_samples if n else 0

    @property
    def has_end_window(self) -> bool:
        """Whether an extra window is placed flush with the record's end (``tail='end'``)."""
        return self.tail == "end" and self.n_regular > 0 and self.covered_samples < self.n_samples

    @property
    def n_windows(self) -> int:
        """Every window: the regular ones and the end window, if any."""
        return self.n_regular + int(self.has_end_window)

    @property
    def tail_samples(self) -> int:
        """Samples that no window covers."""
        return 0 if self.has_end_window else self.n_samples - self.covered_samples

    @property
    def starts(self) -> np.ndarray:
        """Each window's first sample."""
        starts = np.arange(self.n_regular, dtype=np.int64) * self.hop_samples
        if self.has_end_window:
            starts = np.append(starts, self.n_samples - self.window_samples)
        return starts

    @property
    def stops(self) -> np.ndarray:
        """Each window's end (exclusive)."""
        return self.starts + self.window_samples


def window_view(signal: np.ndarray, geometry: WindowGeometry) -> np.ndarray:
    """Windows as an ``(n_windows, window_samples)`` array.

    A read-only view sharing memory with ``signal`` (no copy) for the regular grid; with an
    end window the rows are gathered, which copies.
    """
    if signal.ndim != 1 or signal.size != geometry.n_samples:
        raise ValueError(f"signal of shape {signal.shape} does not match a geometry of "
                         f"{geometry.n_samples} samples")
    if geometry.n_windows == 0:
        return np.empty((0, geometry.window_samples), dtype=signal.dtype)
    all_windows = np.lib.stride_tricks.sliding_window_view(signal, geometry.window_samples)
    if geometry.has_end_window:
        return all_windows[geometry.starts]
    return all_windows[:: geometry.hop_samples][: geometry.n_regular]
