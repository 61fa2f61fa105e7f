"""``classify``: one record through one model, window by window, to a record verdict."""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from emgviewer.analysis.muap import MuapAnalysisError
from emgviewer.analysis.muap.record import RecordMuaps, record_muaps
from emgviewer.analysis.resample import rational_ratio, resample_to
from emgviewer.analysis.stacking import MUAP_MAX_S, muap_measures_of_units, stacked_verdict
from emgviewer.analysis.validity import Invalid, WindowValidity, assess_time_spans
from emgviewer.analysis.verdicts import MIN_VALID_WINDOWS, Verdict, record_verdict
from emgviewer.analysis.windows import WindowGeometry, window_view
from emgviewer.inference.distribution import Caveat, CaveatCode, distribution_caveats, outside_domain
from emgviewer.inference.errors import ClassificationCancelled, UnsuitableRecordError
from emgviewer.inference.model import LoadedModel
from emgviewer.records.files import MAX_SAMPLES
from emgviewer.records.record import Record

DEFAULT_BATCH = 16


class CancelToken:
    """Thread-safe flag that stops a classification at the next batch boundary."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the classification to stop at its next batch."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()


@dataclass(frozen=True)
class Classification:
    """One record classified by one model: every window's span, validity and probabilities, and the record verdict."""

    record: Record
    model: LoadedModel
    hop_s: float
    starts_s: np.ndarray  # window spans in record time
    stops_s: np.ndarray
    probabilities: np.ndarray  # (n_windows, n_classes); NaN rows for invalid windows
    validity: WindowValidity
    verdict: Verdict
    elapsed_s: float
    resampled_from_hz: float | None  # the record's rate when it was resampled
    muaps: RecordMuaps | None = None  # analysed when the card's record verdict reads MUAP measures
    #: How the record differs from the training records, measured once: the one channel for
    #: "read with care" (a resampling included), as data, never as Python warnings (caught in a
    #: worker thread they change process-wide state: two threads got each other's).
    caveats: tuple[Caveat, ...] = ()
    #: The caveats that put the record outside the model's domain: its verdict is withheld,
    #: and its windows drawn apart (``distribution.WITHHOLDS_VERDICT``).
    outside: tuple[Caveat, ...] = ()
    #: The verdict is the model's reading outside its domain, asked for (``force_verdict``).
    forced: bool = False
    #: The model asked for, when ``model`` is its fold model that never saw this person
    #: (:mod:`emgviewer.inference.folds`); ``None`` when ``model`` is the one asked for.
    stands_for: LoadedModel | None = None

    @property
    def chosen_model(self) -> LoadedModel:
        """The model the user chose: ``stands_for`` where its fold model read the record, else ``model``."""
        return self.stands_for or self.model

    @property
    def drawn_apart(self) -> bool:
        """Outside the model's domain and its reading not asked for: no class colour, no verdict."""
        return bool(self.outside) and not self.forced

    @property
    def class_names(self) -> tuple[str, ...]:
        """The model's class names, in the order of the probabilities' columns."""
        return self.model.card.class_names

    @property
    def n_windows(self) -> int:
        """How many windows the record was cut into (valid or not)."""
        return int(self.starts_s.size)

    @property
    def valid(self) -> np.ndarray:
        """One bool per window: it was classified."""
        return self.validity.valid

    @property
    def predicted(self) -> np.ndarray:
        """Class index per window, -1 for invalid windows."""
        out = np.full(self.n_windows, -1)
        out[self.valid] = np.argmax(self.probabilities[self.valid], axis=1)
        return out

    @property
    def max_probability(self) -> np.ndarray:
        """Each window's top probability (NaN for an invalid window)."""
        return self.probabilities.max(axis=1)  # NaN rows (invalid windows) stay NaN

    @property
    def entropy(self) -> np.ndarray:
        """Entropy of each window's probabilities, in nats (NaN for invalid windows)."""
        p = np.clip(self.probabilities.astype(np.float64), 1e-12, 1.0)
        return np.where(self.valid, -(p * np.log(p)).sum(axis=1), np.nan)

    @property
    def uncertain(self) -> np.ndarray:
        """Valid windows whose top probability is below the card's threshold."""
        return self.valid & (np.nan_to_num(self.max_probability) < self.model.card.uncertainty_threshold)

    def reason(self, index: int) -> str | None:
        """Why window ``index`` is invalid, in words; ``None`` when it is valid."""
        return self.validity.reason(index)


def classify(
    record: Record,
    model: LoadedModel,
    hop_s: float | None = None,
    batch_size: int = DEFAULT_BATCH,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int], None] | None = None,
    min_valid_windows: int = MIN_VALID_WINDOWS,
    partial: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool], None] | None = None,
    force_verdict: bool = False,
    final_model: bool = False,
) -> Classification:
    """Classify every window of ``record``; raises :class:`ClassificationCancelled` when
    ``cancel`` is set between batches. ``progress(done, total)`` follows the valid windows;
    ``partial(starts_s, stops_s, probabilities, valid, drawn_apart)`` sees the probabilities
    filled so far (NaN rows: not yet) after each batch (the array is reused: copy what you keep),
    and whether the windows are to be drawn apart (outside the domain: known before the first).

    A record outside the model's domain (``distribution.WITHHOLDS_VERDICT``) gets no record
    verdict, with the reason, unless ``force_verdict``: then the model's reading, labelled.

    A record of a person ``model`` was trained on is read by the fold model that never saw them
    when one ships beside it (``Classification.stands_for`` is then ``model``), unless
    ``final_model``: then ``model`` itself, marked "seen in training" by the assessment."""
    if not final_model and model.folds is not None:
        fold = model.folds.for_record(record, model.card)
        if fold is not None:
            result = classify(record, fold, hop_s, batch_size, cancel, progress, min_valid_windows, partial,
                              force_verdict, final_model=True)
            return dataclasses.replace(result, stands_for=model)
    started = time.perf_counter()
    contract = model.card.input
    hop_s = contract.hop_or_card(hop_s)
    signal, resampled_from = _at_model_rate(record, contract.fs_hz)
    geometry = WindowGeometry.from_seconds(contract.window_s, hop_s, contract.fs_hz, signal.size)
    if geometry.window_samples != contract.n_times:
        raise ValueError(f"window of {geometry.window_samples} samples, model wants {contract.n_times}")
    starts_s = geometry.starts / contract.fs_hz
    stops_s = geometry.stops / contract.fs_hz
    # Judged on the record's own samples: resampling would smear NaN and clipping.
    validity = assess_time_spans(record.signal_uv, record.fs_hz, starts_s, stops_s, record.full_scale_uv)
    windows = window_view(signal, geometry)
    if resampled_from is not None:
        _flag_smeared_nan(validity, windows)
    probabilities = np.full((geometry.n_windows, len(model.card.classes)), np.nan, dtype=np.float32)
    # Before the first window, so that a long record outside the domain is never drawn, even
    # for a moment, in the class colours it gets no verdict for.
    caveats = tuple(distribution_caveats(record, model.card, geometry.n_windows))
    outside = outside_domain(caveats)
    drawn_apart = bool(outside) and not force_verdict
    todo = np.flatnonzero(validity.valid)
    for done in range(0, todo.size, batch_size):
        if cancel is not None and cancel.cancelled:
            raise ClassificationCancelled(f"{record.name}: cancelled after {done} of {todo.size} windows")
        chunk = todo[done: done + batch_size]
        probabilities[chunk] = model.predict_proba(windows[chunk])
        if progress is not None:
            progress(done + chunk.size, todo.size)
        if partial is not None:
            partial(starts_s, stops_s, probabilities, validity.valid, drawn_apart)
    if drawn_apart:
        verdict, muaps = Verdict(None, None, reason="outside the model's domain: "
                                 + "; ".join(c.text for c in outside)), None
    else:
        verdict, muaps = _record_verdict(record, model, probabilities[validity.valid], min_valid_windows,
                                         geometry.n_windows, caveats, cancel)
        if outside and verdict.label is not None:
            verdict = dataclasses.replace(verdict, basis=(
                f"the model's reading outside its domain, shown on request ({', '.join(c.code for c in outside)}); "
                + (verdict.basis or "the mean of the valid windows' probabilities")))
    return Classification(record, model, hop_s, starts_s, stops_s, probabilities, validity,
                          verdict, time.perf_counter() - started, resampled_from, muaps, caveats, outside,
                          force_verdict and bool(outside))


def _record_verdict(record: Record, model: LoadedModel, valid: np.ndarray, min_windows: int, n_total: int,
                    caveats: tuple[Caveat, ...], cancel: CancelToken | None) -> tuple[Verdict, RecordMuaps | None]:
    """The windows' mean probability, or the card's learned verdict; the MUAP analysis it may
    need (about 30 ms for an 11-s N2001 record) runs only for a record that gets a verdict."""
    card = model.card
    stacker = card.record_stacker
    unlike = _unlike_training(card, caveats) if stacker is not None else []
    if stacker is None or unlike:
        verdict = record_verdict(valid, card.class_names, min_windows, n_total=n_total,
                                 temperature=card.record_temperature)
        if unlike and verdict.label is not None:
            verdict = dataclasses.replace(verdict, basis=(
                "the windows' mean: the card's learned verdict is kept for records like those it was fitted "
                f"on, and this one differs ({', '.join(unlike)})"))
        return verdict, None
    muaps, measures, note = None, None, None
    if stacker.uses_muap and valid.shape[0] >= min_windows:
        if cancel is not None and cancel.cancelled:
            raise ClassificationCancelled(f"{record.name}: cancelled before its MUAP analysis")
        try:
            muaps = record_muaps(record, MUAP_MAX_S)  # the viewer's panel and the report read this one
        except MuapAnalysisError as err:
            note = str(err)
        else:
            measures = muap_measures_of_units(muaps.analysis.units)
            if record.duration_s > MUAP_MAX_S:
                note = f"from the first {MUAP_MAX_S:g} s"
    return stacked_verdict(valid, card.class_names, stacker, measures, min_windows, n_total, note), muaps


#: Caveats that keep a record from a learned verdict: a regression fitted on N2001's biceps
#: records would be asked to extrapolate its MUAP measures and window summary (the mean of the
#: windows stays meaningful, and is what the record gets instead).
UNLIKE_TRAINING = frozenset({CaveatCode.RESAMPLED, CaveatCode.BAND_LIMITED, CaveatCode.MUSCLE,
                             CaveatCode.MUSCLE_UNSTATED, CaveatCode.ELECTRODE, CaveatCode.UNCALIBRATED,
                             CaveatCode.AMPLITUDE, CaveatCode.SPECTRUM})


def _unlike_training(card, caveats: tuple[Caveat, ...]) -> list[str]:
    if card.provenance.distribution is None:
        return ["the card does not describe its training records"]
    return [c.code for c in caveats if c.code in UNLIKE_TRAINING]


#: Below this rate a record holds nothing of the MUAP detail (up to kHz) a model judges.
MIN_RECORD_HZ = 1000.0


def _at_model_rate(record: Record, fs_hz: float) -> tuple[np.ndarray, float | None]:
    """The record's signal at the model's rate, and the rate it was resampled from (``None``:
    not resampled; the "resampled" caveat says what that means)."""
    if math.isclose(record.fs_hz, fs_hz, rel_tol=1e-9):
        return record.signal_uv, None
    if record.fs_hz < MIN_RECORD_HZ * (1 - 1e-9):
        raise UnsuitableRecordError(record.source_path, f"recorded at {record.fs_hz:.7g} Hz: below "
                                    f"{MIN_RECORD_HZ:g} Hz a record holds nothing of the detail the model "
                                    f"(made for {fs_hz:g} Hz) judges; not classified")
    resampled = record.n_samples * fs_hz / record.fs_hz
    if resampled > MAX_SAMPLES:
        raise UnsuitableRecordError(record.source_path, f"{resampled:,.0f} samples at the model's rate: "
                                    f"beyond the {MAX_SAMPLES:,} emgviewer handles; not classified")
    try:
        rational_ratio(record.fs_hz, fs_hz)
    except ValueError as err:
        raise UnsuitableRecordError(record.source_path, f"{err}; not classified") from None
    return resample_to(record.signal_uv, record.fs_hz, fs_hz), record.fs_hz


def _flag_smeared_nan(validity: WindowValidity, windows: np.ndarray) -> None:
    """The resampling filter spreads a NaN over its length, possibly into a neighbouring
    window that was clean on the record's samples: such windows cannot be run either."""
    smeared = np.isnan(windows).any(axis=1) & validity.valid
    validity.flags[smeared] |= np.uint8(Invalid.MISSING)
    validity.missing_count[smeared] = np.isnan(windows[smeared]).sum(axis=1)
