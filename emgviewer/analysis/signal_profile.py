"""A record's signal profile: the few numbers that say whether it looks like the training data.

Training writes their range over its records into the model card; the app measures a new
record the same way (this function, on both sides) and warns when it falls outside. Three
numbers, each for a reason:

- ``rms_uv``: amplitude. Needle distance and the recorder's gain change it, and the networks
  see raw µV, so a record far louder or quieter than any training record is extrapolation.
- ``median_frequency_hz``: where the power sits. Needle EMG concentrates below ~2 kHz; mains hum,
  white noise or a surface recording put it elsewhere.
- ``spectral_flatness`` (Wiener entropy, 0..1): 1 for white noise, far lower for EMG whose
  spectrum has a shape. It catches "not EMG at all" that amplitude alone misses.

Measured on the record's own samples and rate, over the band 20 Hz .. min(Nyquist, 10 kHz)
(the N2001 recorder's pass band is 2 Hz - 10 kHz), from Hann-windowed blocks that hold no NaN
and, at rates where they mean an artefact, no one-sample spike (``records.quality``): the last
0.3 s of each A08 record is such spikes, and alone it made those records' spectra nearly white
and stretched the training range far enough that a white-noise-like record passed as EMG.
Long records are sampled at evenly spaced blocks so the cost stays bounded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from emgviewer.records.quality import SPIKE_MIN_RATE_HZ, one_sample_spikes

BAND_LOW_HZ = 20.0
BAND_HIGH_HZ = 10_000.0
BLOCK_S = 0.04  # about 25 Hz resolution (rounded to a power of two samples)
MAX_BLOCKS = 128  # about 5 s of signal at most, evenly spread: bounded cost on long records


@dataclass(frozen=True)
class SignalProfile:
    """What a record's signal is like, as the training distribution records it: amplitude and spectrum."""

    rms_uv: float
    median_frequency_hz: float
    spectral_flatness: float

    def to_dict(self) -> dict[str, float]:
        """The profile as JSON types (a card stores its training records' ranges)."""
        return asdict(self)


FEATURES = ("rms_uv", "median_frequency_hz", "spectral_flatness")


def signal_profile(signal_uv: np.ndarray, fs_hz: float) -> SignalProfile | None:
    """The profile of one channel, or ``None`` when too little finite, non-flat signal exists."""
    block = 1 << max(4, int(round(np.log2(BLOCK_S * fs_hz))))
    blocks = _finite_blocks(np.asarray(signal_uv), block, skip_spikes=fs_hz >= SPIKE_MIN_RATE_HZ)
    if blocks is None:
        return None
    centred = blocks - blocks.mean(axis=1, keepdims=True)
    rms = float(np.sqrt(np.mean(centred.astype(np.float64) ** 2)))
    spectrum = np.abs(np.fft.rfft(centred * np.hanning(block), axis=1)) ** 2
    power = spectrum.mean(axis=0)
    frequencies = np.fft.rfftfreq(block, 1.0 / fs_hz)
    band = (frequencies >= BAND_LOW_HZ) & (frequencies <= min(fs_hz / 2, BAND_HIGH_HZ))
    power, frequencies = power[band], frequencies[band]
    if power.size < 4 or not np.any(power > 0):
        return None
    cumulative = np.cumsum(power)
    median = float(frequencies[np.searchsorted(cumulative, cumulative[-1] / 2)])
    floor = power.max() * 1e-12  # log of an exact zero bin would make flatness 0 for any signal
    flatness = float(np.exp(np.mean(np.log(np.maximum(power, floor)))) / np.mean(power))
    return SignalProfile(rms, median, min(flatness, 1.0))


def _finite_blocks(signal: np.ndarray, block: int, skip_spikes: bool = False) -> np.ndarray | None:
    n_blocks = signal.size // block
    if n_blocks == 0:
        return None
    picks = np.unique(np.linspace(0, n_blocks - 1, min(n_blocks, MAX_BLOCKS)).round().astype(np.int64))
    blocks = np.stack([signal[i * block: (i + 1) * block] for i in picks]).astype(np.float64)
    blocks = blocks[np.isfinite(blocks).all(axis=1)]
    if skip_spikes:
        blocks = blocks[~_holds_spikes(blocks)]
    if blocks.shape[0] == 0 or not np.any(np.ptp(blocks, axis=1) > 0):
        return None
    return blocks


def _holds_spikes(blocks: np.ndarray) -> np.ndarray:
    """Per block (row), whether it holds a one-sample spike judged within the block: one pass
    over all rows end to end, dropping what is found at a row's first or last sample (judged
    with a neighbour from the next row), as one call a row would (a hundred calls cost 3 ms)."""
    width = blocks.shape[1]
    found = one_sample_spikes(blocks.ravel())
    inside = (found % width > 0) & (found % width < width - 1)
    out = np.zeros(blocks.shape[0], dtype=bool)
    out[found[inside] // width] = True
    return out
