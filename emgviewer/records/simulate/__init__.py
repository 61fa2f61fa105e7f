"""A physiologically motivated needle-EMG simulator: the demo records and test signals.

The signal is the sum of motor-unit action-potential trains (each unit one MUAP shape firing
with a jittered regular rhythm), fibrillation potentials where the profile has them, and
background noise, band-limited like the N2001 recordings (2 Hz - 10 kHz).

``python -m emgviewer.records.simulate OUT_DIR`` writes the shipped demo records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.signal import butter, oaconvolve, sosfilt

from emgviewer.records.n2001_writer import N2001_FS_HZ, write_n2001
from emgviewer.records.simulate.muap import muap_waveform
from emgviewer.records.simulate.profiles import PROFILES, Profile

#: Demo records shipped in resources/demo: profile -> seed.
DEMO_SEEDS = {"normal": 1, "myopathic": 2, "neurogenic": 8}  # 8: a neurogenic seed that stays below full scale
DEMO_DURATION_S = 6.0


@dataclass(frozen=True)
class MotorUnit:
    """One simulated motor unit: its potential and when it fires (the truth the MUAP validation checks against)."""

    template_uv: np.ndarray  # one MUAP, centred
    firing_times_s: np.ndarray
    phases: int
    duration_ms: float  # nominal; the skew of a unit's phases stretches or shrinks it a little
    amplitude_uv: float

    def baseline_duration_ms(self, fs_hz: float, fraction: float = 0.02) -> float:
        """The template's true duration: outermost samples at or above ``fraction`` of its peak."""
        above = np.flatnonzero(np.abs(self.template_uv) >= fraction * np.abs(self.template_uv).max())
        return float((above[-1] - above[0] + 1) / fs_hz * 1e3)


@dataclass(frozen=True)
class SimulatedEMG:
    """A simulated record and the units it is made of."""

    signal_uv: np.ndarray
    fs_hz: float
    profile: Profile
    units: tuple[MotorUnit, ...]
    seed: int


@dataclass(frozen=True)
class UnitSpec:
    """One motor unit given exactly, for tests with known truth."""

    phases: int
    duration_ms: float
    amplitude_uv: float  # peak to peak
    firing_hz: float
    skew: float = 0.0
    polarity: float = 1.0


#: Four units of distinct size and shape at clinical low-force rates (about 45 discharges a
#: second together, so superimposed discharges are common): the MUAP analysis is validated on
#: them (tests/test_muap_validation.py, benchmarks/bench_muap.py).
VALIDATION_UNITS = (
    UnitSpec(phases=3, duration_ms=12.0, amplitude_uv=1500.0, firing_hz=9.0, skew=0.2),
    UnitSpec(phases=2, duration_ms=8.0, amplitude_uv=800.0, firing_hz=12.0, polarity=-1.0),
    UnitSpec(phases=4, duration_ms=10.0, amplitude_uv=450.0, firing_hz=14.0, skew=-0.3),
    UnitSpec(phases=3, duration_ms=6.0, amplitude_uv=300.0, firing_hz=10.0, polarity=-1.0),
)


def simulate_emg(
    profile: str | Profile, duration_s: float = DEMO_DURATION_S, fs_hz: float = N2001_FS_HZ, seed: int = 0
) -> SimulatedEMG:
    """Simulate ``duration_s`` of needle EMG with the named profile; deterministic per seed."""
    profile = PROFILES[profile] if isinstance(profile, str) else profile
    rng = np.random.default_rng(seed)
    units = [_motor_unit(profile, duration_s, fs_hz, rng) for _ in range(profile.n_units)]
    units += [_fibrillation(profile, duration_s, fs_hz, rng) for _ in range(profile.n_fibrillations)]
    return _assemble(profile, units, duration_s, fs_hz, rng, seed)


def simulate_units(
    specs: Sequence[UnitSpec], duration_s: float = DEMO_DURATION_S, fs_hz: float = N2001_FS_HZ,
    noise_uv_rms: float = PROFILES["normal"].noise_uv_rms, isi_cv: float = 0.15, seed: int = 0,
) -> SimulatedEMG:
    """Simulate the given units exactly (shapes, sizes, rates), with jittered firing and noise."""
    rng = np.random.default_rng(seed)
    units = []
    for spec in specs:
        template = spec.polarity * muap_waveform(spec.phases, spec.duration_ms, spec.amplitude_uv, fs_hz,
                                                 skew=spec.skew)
        units.append(MotorUnit(template, _firing_times(spec.firing_hz, isi_cv, duration_s, rng),
                               spec.phases, spec.duration_ms, spec.amplitude_uv))
    profile = replace(PROFILES["normal"], name="units", diagnosis="simulated units (test signal)",
                      n_units=len(units), noise_uv_rms=noise_uv_rms)
    return _assemble(profile, units, duration_s, fs_hz, rng, seed)


def _assemble(profile: Profile, units: list[MotorUnit], duration_s: float, fs_hz: float,
              rng: np.random.Generator, seed: int) -> SimulatedEMG:
    n_samples = int(round(duration_s * fs_hz))
    signal = rng.normal(0.0, profile.noise_uv_rms, n_samples)
    for unit in units:
        signal += _train(unit, n_samples, fs_hz)
    signal = sosfilt(butter(2, [2.0, min(10_000.0, 0.45 * fs_hz)], "bandpass", fs=fs_hz, output="sos"), signal)
    return SimulatedEMG(signal.astype(np.float32), fs_hz, profile, tuple(units), seed)


def _log_uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(np.exp(rng.uniform(np.log(bounds[0]), np.log(bounds[1]))))


def _motor_unit(profile: Profile, duration_s: float, fs_hz: float, rng: np.random.Generator) -> MotorUnit:
    phases = int(rng.integers(profile.phases[0], profile.phases[1] + 1))
    duration_ms = float(rng.uniform(*profile.duration_ms))
    amplitude_uv = _log_uniform(rng, profile.amplitude_uv)
    template = muap_waveform(phases, duration_ms, amplitude_uv, fs_hz, skew=rng.uniform(-0.4, 0.4))
    template *= rng.choice([-1.0, 1.0])
    rate = float(rng.uniform(*profile.firing_hz))
    return MotorUnit(template, _firing_times(rate, profile.isi_cv, duration_s, rng), phases,
                     duration_ms, amplitude_uv)


def _fibrillation(profile: Profile, duration_s: float, fs_hz: float, rng: np.random.Generator) -> MotorUnit:
    """A denervated fibre: brief (1-5 ms), small (50-200 µV), biphasic or triphasic potential
    with an initial positive phase, firing very regularly."""
    phases = int(rng.integers(2, 4))
    duration_ms = float(rng.uniform(1.0, 5.0))
    amplitude_uv = float(rng.uniform(50.0, 200.0))
    template = muap_waveform(phases, duration_ms, amplitude_uv, fs_hz)
    if template[np.argmax(np.abs(template))] < 0:
        template = -template  # initial positivity is how clinicians recognise them
    rate = float(rng.uniform(*profile.fibrillation_hz))
    return MotorUnit(template, _firing_times(rate, 0.02, duration_s, rng), phases, duration_ms, amplitude_uv)


def _firing_times(rate_hz: float, cv: float, duration_s: float, rng: np.random.Generator) -> np.ndarray:
    mean_isi = 1.0 / rate_hz
    n = int(duration_s * rate_hz * 1.5) + 2
    isis = np.clip(rng.normal(mean_isi, cv * mean_isi, n), 0.3 * mean_isi, None)
    times = rng.uniform(0, mean_isi) + np.concatenate(([0.0], np.cumsum(isis[:-1])))
    return times[times < duration_s]


def _train(unit: MotorUnit, n_samples: int, fs_hz: float) -> np.ndarray:
    impulses = np.zeros(n_samples)
    np.add.at(impulses, np.minimum((unit.firing_times_s * fs_hz).astype(int), n_samples - 1), 1.0)
    centre = unit.template_uv.size // 2
    return oaconvolve(impulses, unit.template_uv)[centre: centre + n_samples]


def demo_comments(sim: SimulatedEMG) -> tuple[str, ...]:
    """Header comments that say plainly the record is simulated."""
    return (
        f"simulated: emgviewer.records.simulate, profile {sim.profile.name}, seed {sim.seed}; "
        "not a patient recording",
        f"diagnosis: {sim.profile.diagnosis}",
        "muscle: simulated",
        "protocol: simulated steady contraction",
        "level: low",
        "electrode: simulated concentric needle",
        "high-pass filter: 2 Hz",
        "low-pass filter: 10 kHz",
    )


def write_demo_records(folder: str | Path, overwrite: bool = False) -> list[Path]:
    """Write one simulated N2001-format record per profile (``demo_<profile>``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, seed in DEMO_SEEDS.items():
        sim = simulate_emg(name, seed=seed)
        paths.append(write_n2001(folder, f"demo_{name}", sim.signal_uv, sim.fs_hz,
                                 demo_comments(sim), overwrite=overwrite))
    return paths


__all__ = [
    "PROFILES", "VALIDATION_UNITS", "MotorUnit", "Profile", "SimulatedEMG", "UnitSpec", "simulate_emg",
    "simulate_units", "write_demo_records",
]
