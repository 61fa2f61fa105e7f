"""Labelled windows from a folder of real recordings, held in memory.

Records are read through :mod:`emgviewer.records` and cut and judged through
:mod:`emgviewer.analysis`: the same code the app runs, so training and inference cannot drift
apart. Each record's signal is kept once (read-only float32); windows are (record, start)
pairs gathered into batches on demand, so 423 records take about 440 MB and no epoch re-reads
the disk. Invalid windows (NaN, flat, clipped, one-sample spikes) are dropped and counted by reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

import numpy as np

from emgviewer.analysis import Invalid, WindowGeometry, assess_time_spans, resample_to
from emgviewer.records import index_folder, read_record
from emgviewer.records.n2001 import GROUP_CLASSES

#: Task -> class names in label order. Binary tasks keep only their two groups.
TASKS = {
    "3class": ("control", "myopathy", "ALS"),
    "als_vs_control": ("control", "ALS"),
    "myopathy_vs_control": ("control", "myopathy"),
}


@dataclass
class WindowSet:
    """Every window of a set of records, by reference into the records' signals, with labels and subjects."""

    class_names: tuple[str, ...]
    fs_hz: float
    window_samples: int
    signals: list[np.ndarray]  # one per record
    record_names: list[str]
    record_subjects: list[str]
    record_labels: np.ndarray  # one per record
    record_index: np.ndarray  # per window
    starts: np.ndarray  # per window, in samples
    dropped: Counter = field(default_factory=Counter)

    @property
    def labels(self) -> np.ndarray:
        """Each window's class index."""
        return self.record_labels[self.record_index]

    @property
    def subjects(self) -> np.ndarray:
        """Each window's subject."""
        return np.asarray(self.record_subjects)[self.record_index]

    def __len__(self) -> int:
        return int(self.starts.size)

    def subject_classes(self) -> dict[str, str]:
        """Each subject's class."""
        return {s: self.class_names[label] for s, label in zip(self.record_subjects, self.record_labels)}

    def gather(self, indices: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
        """Windows ``indices`` as an ``(n, window_samples)`` float32 batch (a copy).
        ``shift`` moves each window by that many samples (augmentation), clipped to the record."""
        out = np.empty((len(indices), self.window_samples), dtype=np.float32)
        for row, index in enumerate(indices):
            signal = self.signals[self.record_index[index]]
            start = int(self.starts[index])
            if shift is not None:
                start = int(np.clip(start + shift[row], 0, signal.size - self.window_samples))
            out[row] = signal[start: start + self.window_samples]
        return out

    def select_subjects(self, subjects: set[str] | list[str]) -> np.ndarray:
        """Window indices whose subject is in ``subjects``."""
        wanted = np.isin(np.asarray(self.record_subjects), list(subjects))
        return np.flatnonzero(wanted[self.record_index])


def load_windows(folder: str | Path, task: str = "3class", window_s: float = 1.0, hop_s: float = 0.4,
                 max_records: int | None = None, fs_hz: float | None = None,
                 names: Collection[str] | None = None) -> WindowSet:
    """Valid windows of every N2001 record in ``folder`` whose group belongs to ``task``.

    ``fs_hz`` resamples every record to that rate first (models published at another rate);
    validity is judged on the original samples, as the app does. ``names`` keeps only those
    records (a checkpoint's own training records).
    """
    classes = TASKS[task]
    entries = [e for e in index_folder(folder).records
               if e.n2001 is not None and GROUP_CLASSES[e.n2001.group] in classes]
    if names is not None:
        wanted = set(names)
        entries = [e for e in entries if e.name in wanted]
    if max_records is not None:
        entries = _spread(entries, max_records)
    signals, names, subjects, labels, index, starts = [], [], [], [], [], []
    dropped: Counter = Counter()
    target_hz = fs_hz
    for entry in entries:
        record = read_record(entry.path)
        rate = target_hz or record.fs_hz
        if fs_hz is None:
            fs_hz = rate
        signal = record.signal_uv if rate == record.fs_hz else resample_to(record.signal_uv, record.fs_hz, rate)
        geometry = WindowGeometry.from_seconds(window_s, hop_s, rate, signal.size)
        validity = assess_time_spans(record.signal_uv, record.fs_hz, geometry.starts / rate,
                                     geometry.stops / rate, record.full_scale_uv)
        for flag in (Invalid.MISSING, Invalid.FLAT, Invalid.CLIPPED, Invalid.ARTEFACT):
            dropped[flag.name.lower()] += int(np.count_nonzero(validity.flags & flag))
        keep = geometry.starts[validity.valid]
        position = len(signals)
        signals.append(signal)
        names.append(record.name)
        subjects.append(record.subject_id)
        labels.append(classes.index(record.truth))
        index.append(np.full(keep.size, position, dtype=np.int32))
        starts.append(keep)
    if fs_hz is None:
        raise ValueError(f"{folder}: no N2001 records for task {task!r}")
    return WindowSet(classes, fs_hz, WindowGeometry.from_seconds(window_s, hop_s, fs_hz, 0).window_samples,
                     signals, names, subjects, np.asarray(labels, dtype=np.int64),
                     np.concatenate(index), np.concatenate(starts), dropped)


def _spread(entries: list, count: int) -> list:
    """``count`` records spread over classes, then subjects (for quick configurations)."""
    by_subject: dict[str, list] = {}
    for entry in entries:
        by_subject.setdefault(entry.n2001.subject_id, []).append(entry)
    by_class: dict[str, list[str]] = {}
    for subject in sorted(by_subject):
        by_class.setdefault(subject[0], []).append(subject)
    # Subjects interleaved across classes: A01, C01, M02, A03, C02, M03, ...
    order = _interleave(list(by_class.values()))
    chosen, round_ = [], 0
    while len(chosen) < count and any(round_ < len(v) for v in by_subject.values()):
        for subject in order:
            items = by_subject[subject]
            if round_ < len(items) and len(chosen) < count:
                chosen.append(items[round_])
        round_ += 1
    return chosen


def _interleave(lists: list[list[str]]) -> list[str]:
    out = []
    for position in range(max(len(items) for items in lists)):
        out += [items[position] for items in lists if position < len(items)]
    return out
