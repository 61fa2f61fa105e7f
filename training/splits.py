"""Subject-disjoint splits. On N2001 a random window split puts one person's windows on both
sides and reports 99 % for a model that is really near 70 %; here a subject is only ever on
one side: test, validation (for early stopping and calibration) or training.

:class:`WindowSplit` is the exception, kept apart: the papers' own protocol (windows dealt at
random), run only so that a table can put its inflated number beside the honest one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    """One subject-disjoint split: training, validation and test subjects."""

    name: str
    train: tuple[str, ...]
    validation: tuple[str, ...]
    test: tuple[str, ...]

    def check_disjoint(self) -> None:
        """Raise if a subject is on two sides."""
        sides = [set(self.train), set(self.validation), set(self.test)]
        for i in range(3):
            for j in range(i + 1, 3):
                shared = sides[i] & sides[j]
                if shared:
                    raise AssertionError(f"{self.name}: subjects on two sides: {sorted(shared)}")

    def window_indices(self, data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Training, validation and test windows of ``data`` (a :class:`training.data.WindowSet`)."""
        return data.select_subjects(self.train), data.select_subjects(self.validation), data.select_subjects(self.test)


#: How a report names the papers' protocol; :func:`training.provenance.protocol_kind` looks for it.
RANDOM_WINDOW_SPLIT = "random window split"


@dataclass(frozen=True)
class WindowSplit:
    """Windows dealt at random, stratified by class: every subject's windows (and overlapping
    neighbours of the same second of signal) sit on every side. The published ALSNet and thesis
    figures come from splits of this kind. For comparison only: its numbers measure how well a
    model remembers people, and no card may carry them."""

    name: str
    train_windows: np.ndarray
    validation_windows: np.ndarray
    test_windows: np.ndarray
    train: tuple[str, ...]  # the subjects on each side: all of them, on every side
    validation: tuple[str, ...]
    test: tuple[str, ...]

    def check_disjoint(self) -> None:
        """Raise if a window is on two sides."""
        sides = [set(self.train_windows.tolist()), set(self.validation_windows.tolist()), set(self.test_windows.tolist())]
        if (sides[0] & sides[1]) or (sides[0] & sides[2]) or (sides[1] & sides[2]):
            raise AssertionError(f"{self.name}: a window on two sides")

    def window_indices(self, data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The training, validation and test windows."""
        return self.train_windows, self.validation_windows, self.test_windows


def random_window_split(labels: np.ndarray, window_subjects: np.ndarray, seed: int = 0,
                        test_fraction: float = 0.2, validation_fraction: float = 0.1) -> WindowSplit:
    """One split of the windows at random, stratified by class (the papers' protocol)."""
    rng = np.random.default_rng(seed)
    sides: list[list[np.ndarray]] = [[], [], []]
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        n_test = int(round(test_fraction * members.size))
        n_val = int(round(validation_fraction * members.size))
        for side, part in zip(sides, (members[n_test + n_val:], members[n_test:n_test + n_val], members[:n_test])):
            side.append(part)
    train, validation, test = (np.sort(np.concatenate(side)).astype(np.int64) for side in sides)

    def subjects(indices: np.ndarray) -> tuple[str, ...]:
        return tuple(sorted({str(s) for s in window_subjects[indices]}))

    split = WindowSplit(f"{RANDOM_WINDOW_SPLIT} {1 - test_fraction - validation_fraction:.0%}/"
                        f"{validation_fraction:.0%}/{test_fraction:.0%}", train, validation, test,
                        subjects(train), subjects(validation), subjects(test))
    split.check_disjoint()
    return split


def loso_splits(subject_classes: dict[str, str], seed: int = 0) -> list[Split]:
    """Leave-one-subject-out: each subject is the test set once."""
    return [_with_validation(f"test {s}", subject_classes, [s], seed + i)
            for i, s in enumerate(sorted(subject_classes))]


def grouped_kfold(subject_classes: dict[str, str], k: int, seed: int = 0) -> list[Split]:
    """k folds of whole subjects, stratified by class (each class's subjects dealt round-robin)."""
    rng = np.random.default_rng(seed)
    folds: list[list[str]] = [[] for _ in range(k)]
    turn = 0
    for cls in sorted(set(subject_classes.values())):
        members = sorted(s for s, c in subject_classes.items() if c == cls)
        for subject in rng.permutation(members):
            folds[turn % k].append(str(subject))
            turn += 1
    return [_with_validation(f"fold {i + 1}/{k}", subject_classes, fold, seed + i)
            for i, fold in enumerate(folds) if fold]


def _with_validation(name: str, subject_classes: dict[str, str], test: list[str], seed: int) -> Split:
    """Validation: one training-side subject per class, where the class keeps another for training."""
    rng = np.random.default_rng(seed)
    rest = [s for s in sorted(subject_classes) if s not in test]
    validation = []
    for cls in sorted(set(subject_classes.values())):
        members = [s for s in rest if subject_classes[s] == cls]
        if len(members) >= 2:
            validation.append(str(rng.choice(members)))
    train = [s for s in rest if s not in validation]
    split = Split(name, tuple(train), tuple(sorted(validation)), tuple(sorted(test)))
    split.check_disjoint()
    return split
