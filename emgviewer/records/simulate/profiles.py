"""The three simulated patterns, with parameters from clinical needle-EMG teaching values.

- normal: MUAPs 5-15 ms, 0.3-3 mV, 2-4 phases, firing 8-20 Hz.
- myopathic: short, small, polyphasic MUAPs; early and dense recruitment (many units already
  at low force).
- neurogenic: long, large, polyphasic MUAPs after reinnervation; reduced recruitment (few
  units, firing fast); fibrillation potentials from denervated fibres.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """What a simulated record of one diagnosis is made of: how many units, of what size and shape, firing how."""

    name: str
    diagnosis: str  # written to the header; read back as the record's ground truth
    n_units: int
    duration_ms: tuple[float, float]
    amplitude_uv: tuple[float, float]  # peak to peak, drawn log-uniformly
    phases: tuple[int, int]  # inclusive
    firing_hz: tuple[float, float]
    isi_cv: float = 0.15  # variability of the inter-spike interval
    n_fibrillations: int = 0  # denervated fibres firing regularly
    fibrillation_hz: tuple[float, float] = (2.0, 15.0)
    noise_uv_rms: float = 8.0


PROFILES = {
    "normal": Profile(
        name="normal", diagnosis="simulated normal pattern (healthy control)",
        n_units=6, duration_ms=(5.0, 15.0), amplitude_uv=(300.0, 3000.0), phases=(2, 4),
        firing_hz=(8.0, 20.0),
    ),
    "myopathic": Profile(
        name="myopathic", diagnosis="simulated myopathic pattern (myopathy)",
        n_units=12, duration_ms=(2.0, 5.0), amplitude_uv=(100.0, 500.0), phases=(5, 8),
        firing_hz=(10.0, 22.0),
    ),
    "neurogenic": Profile(
        name="neurogenic", diagnosis="simulated neurogenic pattern (ALS-like)",
        n_units=2, duration_ms=(16.0, 25.0), amplitude_uv=(2000.0, 4000.0), phases=(3, 5),
        firing_hz=(15.0, 25.0), n_fibrillations=2,
    ),
}
