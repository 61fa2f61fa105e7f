"""Quality flags of a whole recording: zeros, clipping at full scale, missing samples, and
one-sample spikes.

A suspect record still reads; these flags let later layers show why it is suspect.
N2001A06BB08, for instance, is 99.6 % zeros, and six N2001 records clip at full scale on
at least 1 % of their samples. Every record of subject A08 (and no other N2001 record) ends in
about 0.3 s of one-sample spikes (600-840 of them after 10.89 s): single samples hundreds of µV
away from both neighbours, which agree with each other. No muscle makes that at 23 kHz (a
MUAP's fastest phase lasts several samples there): it is the acquisition (contact, recorder or
file), and it alone makes those records' average spectrum nearly white (spectral flatness about
0.8 against about 0.01 for the other records).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Samples within this fraction of full scale count as clipped. Real N2001 amplifiers saturate
#: a little inside the ADC range (N2001C05BB80 plateaus at +2493 µV of +2500), with 1-LSB noise
#: on the plateau, so an exact comparison with the rail misses most positive saturation.
SATURATION_MARGIN = 0.005

#: Above these fractions a record earns a warning.
ZERO_WARNING_FRACTION = 0.5
CLIPPED_WARNING_FRACTION = 0.01
#: A one-sample spike jumps at least this far from both neighbours...
SPIKE_JUMP_UV = 500.0
#: ...while the neighbours agree within this fraction of the smaller jump.
SPIKE_NEIGHBOUR_AGREEMENT = 0.2
#: Below this rate a sharp MUAP phase can be one sample wide, so spikes are not counted.
SPIKE_MIN_RATE_HZ = 10_000.0
#: Above this many spikes a second, on average over the record, it earns a warning (A08's
#: records: 53-75; any other N2001 record: at most 1 in 11 s).
SPIKE_WARNING_PER_S = 1.0


@dataclass(frozen=True)
class QualityFlags:
    """What is wrong with a recording as a whole: zeros, clipping, missing samples, one-sample spikes."""

    fraction_zero: float
    fraction_clipped: float
    n_clipped: int
    fraction_missing: float
    peak_abs_uv: float
    #: One-sample spikes (see the module's docstring); ``None`` where the rate is too low to tell.
    n_spikes: int | None = None
    duration_s: float = 0.0
    #: Times of the first and the last one-sample spike, in s; ``None`` without spikes.
    spike_span_s: tuple[float, float] | None = None

    @property
    def spikes_per_s(self) -> float:
        """One-sample spikes per second of record."""
        return (self.n_spikes or 0) / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def spiky(self) -> bool:
        """Whether the spikes are frequent enough to warn about."""
        return self.spikes_per_s >= SPIKE_WARNING_PER_S

    @property
    def warnings(self) -> tuple[str, ...]:
        """Plain-language warnings, empty for a clean record."""
        out = []
        if self.fraction_missing > 0:
            out.append(f"{self.fraction_missing:.1%} of samples are missing (NaN)")
        if self.fraction_zero >= ZERO_WARNING_FRACTION:
            out.append(f"{self.fraction_zero:.1%} of samples are exactly zero")
        if self.fraction_clipped >= CLIPPED_WARNING_FRACTION:
            out.append(f"clips at full scale on {self.fraction_clipped:.1%} of samples")
        elif self.n_clipped:
            out.append(f"reaches full scale on {self.n_clipped} sample(s)")
        if self.spiky:
            first, last = self.spike_span_s
            out.append(f"{self.n_spikes} one-sample spikes between {first:.2f} and {last:.2f} s: an acquisition "
                       "artefact (contact, recorder or file), not muscle activity")
        return tuple(out)

    @property
    def is_suspect(self) -> bool:
        """Whether anything here is worth a warning."""
        return (
            self.fraction_missing > 0
            or self.fraction_zero >= ZERO_WARNING_FRACTION
            or self.fraction_clipped >= CLIPPED_WARNING_FRACTION
            or self.spiky
        )


def clipped_mask(signal_uv: np.ndarray, full_scale_uv: tuple[float, float] | None) -> np.ndarray:
    """True where a sample sits at the recorder's full scale (within :data:`SATURATION_MARGIN`)."""
    if full_scale_uv is None:
        return np.zeros(signal_uv.shape, dtype=bool)
    low, high = (np.float32(v * (1 - SATURATION_MARGIN)) for v in full_scale_uv)
    return (signal_uv <= low) | (signal_uv >= high)


def one_sample_spikes(signal_uv: np.ndarray) -> np.ndarray:
    """The indices of the samples that jump at least :data:`SPIKE_JUMP_UV` away from both
    neighbours while the neighbours agree (within :data:`SPIKE_NEIGHBOUR_AGREEMENT` of the
    smaller jump); NaN never counts."""
    step = np.diff(np.asarray(signal_uv, dtype=np.float32))
    with np.errstate(invalid="ignore"):  # NaN compares False: a gap is no spike
        tall = np.abs(step) >= SPIKE_JUMP_UV
        # Candidates first (a steep step in and out): every record is read through here, and
        # all but a few samples of real EMG fail this cheap test.
        candidates = np.flatnonzero(tall[:-1] & tall[1:])
        into, out_of = step[candidates].astype(np.float64), step[candidates + 1].astype(np.float64)
        jump = np.minimum(np.abs(into), np.abs(out_of))
        return candidates[np.abs(into + out_of) < SPIKE_NEIGHBOUR_AGREEMENT * jump] + 1


def spikes_between(signal_uv: np.ndarray, a: int, b: int) -> np.ndarray:
    """The one-sample spikes among samples ``a:b`` of ``signal_uv`` (indices into it), each
    judged with its neighbours, also those outside ``a:b``: chunks judged this way in turn
    count every spike once."""
    start = max(a - 1, 0)
    return one_sample_spikes(signal_uv[start: b + 1]) + start


def measure_quality(
    signal_uv: np.ndarray, full_scale_uv: tuple[float, float] | None, chunk: int = 1 << 20,
    fs_hz: float | None = None,
) -> QualityFlags:
    """Quality flags of a float signal in µV; ``full_scale_uv`` is (low, high) or ``None``;
    one-sample spikes are counted when ``fs_hz`` is at least :data:`SPIKE_MIN_RATE_HZ`.
    Counted chunk by chunk: an hour-long record needs no record-sized temporaries."""
    n = max(signal_uv.size, 1)
    n_missing = n_zero = n_clipped = 0
    count_spikes = fs_hz is not None and fs_hz >= SPIKE_MIN_RATE_HZ
    n_spikes = 0 if count_spikes else None
    first_spike = last_spike = None
    peak = -np.inf
    for first in range(0, signal_uv.size, chunk):
        part = signal_uv[first: first + chunk]
        if count_spikes:
            spikes = spikes_between(signal_uv, first, first + chunk)
            if spikes.size:
                n_spikes += int(spikes.size)
                first_spike = spikes[0] if first_spike is None else first_spike
                last_spike = spikes[-1]
        missing = np.count_nonzero(np.isnan(part))
        n_missing += int(missing)
        n_zero += int(np.count_nonzero(part == 0))
        n_clipped += int(np.count_nonzero(clipped_mask(part, full_scale_uv)))
        if missing < part.size:
            peak = max(peak, float(np.nanmax(part)), -float(np.nanmin(part)))
    return QualityFlags(
        fraction_zero=n_zero / n,
        fraction_clipped=n_clipped / n,
        n_clipped=n_clipped,
        fraction_missing=n_missing / n,
        peak_abs_uv=(peak if np.isfinite(peak) else float("nan")) if signal_uv.size else 0.0,
        n_spikes=n_spikes,
        duration_s=signal_uv.size / fs_hz if fs_hz else 0.0,
        spike_span_s=None if first_spike is None else (first_spike / fs_hz, last_spike / fs_hz),
    )
