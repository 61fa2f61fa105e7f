"""How a record differs from the recordings a model was trained on: rate, muscle, electrode,
length, calibration, artefacts, amplitude and spectrum, one :class:`Caveat` per difference.

Measured once per classified record (``classify`` keeps them on its result): the learned record
verdict is withheld for a record unlike its training records, and every reading of the verdict
(viewer, browser, ``classify``, reports) lists the same caveats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from emgviewer.analysis.signal_profile import SignalProfile, signal_profile
from emgviewer.inference.card import ModelCard
from emgviewer.inference.provenance import TrainingDistribution
from emgviewer.records.record import Record

#: Fewer windows than this and a record verdict rests on too little of the record.
SHORT_RECORD_WINDOWS = 5


class CaveatCode(StrEnum):
    """Every way a record can differ from a model's training recordings: the one list the
    viewer, ``classify``, the JSON and the reports read (``classify.UNLIKE_TRAINING`` says which
    of them keep a record from a learned verdict)."""

    RESAMPLED = "resampled"  # another sampling rate, brought to the model's
    BAND_LIMITED = "band_limited"  # recorded so slowly that most of what the model reads is missing
    SHORT = "short"  # too few windows for a record verdict to rest on
    UNCALIBRATED = "uncalibrated"  # raw units: amplitudes compare with nothing
    ARTEFACT = "artefact"  # one-sample spikes, an acquisition artefact
    MUSCLE = "muscle"  # another muscle
    MUSCLE_UNSTATED = "muscle_unstated"  # the file names no muscle (or a simulated one)
    ELECTRODE = "electrode"  # another electrode
    AMPLITUDE = "amplitude"  # RMS outside the training records' range
    SPECTRUM = "spectrum"  # median frequency or flatness outside it


#: Which caveats put a record outside the model's domain (no record or subject verdict, windows
#: drawn apart, unless the reader asks for the model's reading) and which only warn: the one
#: table, documented in docs/user-guide.md ("Outside the model's domain") and tested.
WITHHOLDS_VERDICT: dict[CaveatCode, bool] = {
    CaveatCode.BAND_LIMITED: True,  # nothing of the band the model reads most
    CaveatCode.MUSCLE: True,  # another muscle's potentials differ in size and shape
    CaveatCode.UNCALIBRATED: True,  # amplitudes in raw units compare with nothing
    CaveatCode.SHORT: True,  # too little of a record to judge it
    CaveatCode.RESAMPLED: False,  # brought to the model's rate with its band intact
    CaveatCode.MUSCLE_UNSTATED: False,  # most files do not say: a warning, not a refusal
    CaveatCode.ELECTRODE: False,
    CaveatCode.ARTEFACT: False,  # the affected windows are invalid already
    CaveatCode.AMPLITUDE: False,  # measured, not known to be outside what the model can read
    CaveatCode.SPECTRUM: False,
}
#: A record whose Nyquist frequency is below this share of the model's is band-limited: a
#: 4-kHz record holds nothing above 2 kHz of the 11.7 kHz a 23.4-kHz model was trained on.
BAND_LIMITED_SHARE = 0.5


def outside_domain(caveats) -> tuple[Caveat, ...]:
    """The caveats that withhold a verdict (:data:`WITHHOLDS_VERDICT`)."""
    return tuple(c for c in caveats if WITHHOLDS_VERDICT[c.code])


@dataclass(frozen=True)
class Caveat:
    """One reason to trust a verdict less. ``code`` is stable (its value is what JSON carries);
    ``text`` is for people."""

    code: CaveatCode
    text: str


def distribution_caveats(record: Record, card: ModelCard, n_windows: int | None = None) -> list[Caveat]:
    """How ``record`` differs from the recordings ``card``'s model was trained on."""
    caveats: list[Caveat] = []
    model_hz = card.input.fs_hz
    if not math.isclose(record.fs_hz, model_hz, rel_tol=1e-9):
        how = "upsampled" if record.fs_hz < model_hz else "resampled"
        band_limited = record.fs_hz < BAND_LIMITED_SHARE * model_hz  # said by its own caveat below
        extra = (f"; nothing above {record.fs_hz / 2:g} Hz reaches the model"
                 if record.fs_hz < model_hz and not band_limited else "")
        caveats.append(Caveat(CaveatCode.RESAMPLED, f"recorded at {record.fs_hz:g} Hz, {how} to the model's "
                                           f"{model_hz:g} Hz{extra}"))
        if band_limited:
            caveats.append(Caveat(CaveatCode.BAND_LIMITED, f"band-limited: a {record.fs_hz:g}-Hz record holds nothing "
                                                           f"above {record.fs_hz / 2:g} Hz, under half the band the "
                                                           f"model was trained on (up to {model_hz / 2:g} Hz)"))
    distribution = card.provenance.distribution
    if distribution is not None:
        caveats += _acquisition_caveats(record, distribution)
    if n_windows is not None and n_windows < SHORT_RECORD_WINDOWS:
        caveats.append(Caveat(CaveatCode.SHORT, f"only {n_windows} window(s) ({record.duration_s:.2f} s): "
                                       f"a verdict on so little of a record is fragile"))
    if not record.calibrated:
        caveats.append(Caveat(CaveatCode.UNCALIBRATED, "uncalibrated units: amplitudes cannot be compared "
                                              "with the training recordings (in µV)"))
    if record.quality.spiky:
        first, last = record.quality.spike_span_s
        caveats.append(Caveat(CaveatCode.ARTEFACT, f"one-sample spikes between {first:.2f} and {last:.2f} s, an acquisition "
                                          "artefact (a window holding more than two is invalid, left uncoloured)"))
    if distribution is not None and distribution.profile:
        # The spectrum's shape does not depend on units; the amplitude does.
        caveats += _profile_caveats(record, distribution, amplitude=record.calibrated)
    return caveats


def _acquisition_caveats(record: Record, distribution) -> list[Caveat]:
    out = []
    muscles = ", ".join(distribution.muscles)
    muscle = record.metadata.stated_muscle()
    if distribution.muscles and muscle is None:
        out.append(Caveat(CaveatCode.MUSCLE_UNSTATED,
                          f"muscle not stated in the file; the model was trained on {muscles} only"))
    elif distribution.muscles and muscle == "simulated":  # the demo records: no muscle, not another one
        out.append(Caveat(CaveatCode.MUSCLE_UNSTATED, f"a simulated record, of no muscle; the model was trained on "
                                                      f"{muscles} only"))
    elif distribution.muscles and not any(m in muscle or muscle in m for m in distribution.muscles):
        out.append(Caveat(CaveatCode.MUSCLE, f"muscle {muscle}; the model was trained on {muscles} only"))
    electrode = record.metadata.stated_electrode()
    electrodes = ", ".join(distribution.electrodes)
    if distribution.electrodes and electrode is not None and not any(
            e in electrode or electrode in e for e in distribution.electrodes):
        out.append(Caveat(CaveatCode.ELECTRODE, f"electrode {electrode}; the model was trained on {electrodes} only"))
    return out


_PROFILE_WORDS = {
    "rms_uv": (CaveatCode.AMPLITUDE, "RMS {:.1f} µV", "{:.1f}-{:.1f} µV"),
    "median_frequency_hz": (CaveatCode.SPECTRUM, "median frequency {:.0f} Hz", "{:.0f}-{:.0f} Hz"),
    "spectral_flatness": (CaveatCode.SPECTRUM, "spectral flatness {:.3g} (1 = white noise)", "{:.3g}-{:.3g}"),
}


def _profile_caveats(record: Record, distribution, amplitude: bool) -> list[Caveat]:
    profile = signal_profile(record.signal_uv, record.fs_hz)
    return [] if profile is None else profile_caveats(profile, distribution, amplitude)


def profile_caveats(profile: SignalProfile, distribution: TrainingDistribution, amplitude: bool) -> list[Caveat]:
    """Each measure of ``profile`` outside its range in ``distribution`` (the amplitude only when
    ``amplitude``: uncalibrated units compare with nothing). Training replays this rule on stored
    profiles, to score the app's fallback for records unlike the training records."""
    out = []
    for name, bounds in distribution.profile.items():
        value = getattr(profile, name)
        if bounds.contains(value) or (name == "rms_uv" and not amplitude):
            continue
        code, measured, span = _PROFILE_WORDS[name]
        out.append(Caveat(code, f"{measured.format(value)} is outside the range of the training "
                                f"records ({span.format(bounds.low, bounds.high)})"))
    return out
