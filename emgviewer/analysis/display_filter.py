"""Display filters: what the reader chooses to look at (and listen to), never what the model
or the MUAP analysis receives.

Zero-phase (forward-backward) Butterworth filters, so a potential is not shifted in time:
high-pass and low-pass of order 2 (4 after the two passes), and a notch (Q 30) at the mains
frequency. Presets follow clinical EMG machines: high-pass 2 Hz (the N2001 recorder's own),
20 Hz (drift and movement off), 500 Hz (spikes only: fibrillations, the MUAP's main spike);
low-pass 10 kHz, 2 kHz, 1 kHz; notch 50 or 60 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from emgviewer.lazy import scipy_signal

HIGH_PASS_PRESETS_HZ = (2.0, 20.0, 500.0)
LOW_PASS_PRESETS_HZ = (10_000.0, 2_000.0, 1_000.0)
NOTCH_PRESETS_HZ = (50.0, 60.0)
NOTCH_Q = 30.0
#: The lowest corner a filter is designed for: below about 1e-5 of the Nyquist frequency the
#: Butterworth design is numerically singular (and 0.1 Hz is already slower than any drift).
MIN_CORNER_HZ = 0.1
MIN_CORNER_OF_NYQUIST = 1e-5


class FilterError(ValueError):
    """A display filter that cannot be applied to this record (the message says why)."""


@dataclass(frozen=True)
class DisplayFilter:
    """What the reader filters the display with (``None``: that stage off); never the model's input."""

    high_pass_hz: float | None = None
    low_pass_hz: float | None = None
    notch_hz: float | None = None

    @property
    def active(self) -> bool:
        """Whether any stage is on."""
        return any(v is not None for v in (self.high_pass_hz, self.low_pass_hz, self.notch_hz))

    def label(self) -> str:
        """"HP 20 Hz · LP 2 kHz · notch 50 Hz", or "unfiltered"."""
        parts = []
        if self.high_pass_hz is not None:
            parts.append(f"HP {_hz(self.high_pass_hz)}")
        if self.low_pass_hz is not None:
            parts.append(f"LP {_hz(self.low_pass_hz)}")
        if self.notch_hz is not None:
            parts.append(f"notch {_hz(self.notch_hz)}")
        return " · ".join(parts) if parts else "unfiltered"

    def check(self, fs_hz: float) -> None:
        """Refuse corners at or above Nyquist, or below the floor, for a record at ``fs_hz`` (a
        FilterError that says which)."""
        nyquist = fs_hz / 2
        lowest = max(MIN_CORNER_HZ, MIN_CORNER_OF_NYQUIST * nyquist)
        for name, value in (("high-pass", self.high_pass_hz), ("low-pass", self.low_pass_hz),
                            ("notch", self.notch_hz)):
            if value is not None and not value < nyquist:
                raise FilterError(f"{name} {_hz(value)} is not below this record's Nyquist frequency "
                                  f"({_hz(nyquist)})")
            if value is not None and not value >= lowest:
                raise FilterError(f"{name} {value:g} Hz is below the lowest corner a filter is designed for "
                                  f"({lowest:.3g} Hz at this record's rate)")
        if (self.high_pass_hz is not None and self.low_pass_hz is not None
                and self.high_pass_hz >= self.low_pass_hz):
            raise FilterError(f"high-pass {_hz(self.high_pass_hz)} is not below low-pass {_hz(self.low_pass_hz)}")

    def apply(self, signal_uv: np.ndarray, fs_hz: float) -> np.ndarray:
        """The filtered signal (float32); NaN gaps stay NaN (filtered as 0 µV around them)."""
        if not self.active:
            return np.asarray(signal_uv, dtype=np.float32)
        self.check(fs_hz)
        x = np.asarray(signal_uv, dtype=np.float64)
        missing = ~np.isfinite(x)
        y = np.where(missing, 0.0, x)
        sos = _sos(self, float(fs_hz))
        if y.size > 3 * (2 * len(sos) + 1):  # sosfiltfilt's padding; a handful of samples is shown as it is
            y = scipy_signal.sosfiltfilt(sos, y)
        y[missing] = np.nan
        return y.astype(np.float32)


def _hz(value: float) -> str:
    return f"{value / 1e3:g} kHz" if value >= 1000 else f"{value:g} Hz"


@lru_cache(maxsize=16)
def _sos(spec: DisplayFilter, fs_hz: float) -> np.ndarray:
    sections = []
    if spec.high_pass_hz is not None:
        sections.append(scipy_signal.butter(2, spec.high_pass_hz, "highpass", fs=fs_hz, output="sos"))
    if spec.low_pass_hz is not None:
        sections.append(scipy_signal.butter(2, spec.low_pass_hz, "lowpass", fs=fs_hz, output="sos"))
    if spec.notch_hz is not None:
        sections.append(scipy_signal.tf2sos(*scipy_signal.iirnotch(spec.notch_hz, NOTCH_Q, fs=fs_hz)))
    return np.vstack(sections)
