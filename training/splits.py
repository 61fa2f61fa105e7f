"""Subject-disjoint splits. On N2001 a random window split puts one person's windows on both
sides and reports 99 % for a model that is really near 70 %; here a subject is only ever on
one side: test, validation (for early stopping and calibration) or training."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    name: str
    train: tuple[str, ...]
    validation: tuple[str, ...]
    test: tuple[str, ...]

    def check_disjoint(self) -> None:
        sides = [set(self.train), set(self.validation), set(self.test)]
        for i in range(3):
            for j in range(i + 1, 3):
                shared = sides[i] & sides[j]
                if shared:
                    raise AssertionError(f"{self.name}: subjects on two sides: {sorted(shared)}")


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
