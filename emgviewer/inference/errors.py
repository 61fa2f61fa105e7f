"""Errors for model files the app cannot use. ``str(err)`` is ``"<path>: <problem>"``."""

from __future__ import annotations

from pathlib import Path

from emgviewer.records.errors import RecordError


class CardError(ValueError):
    """A model card that does not follow the schema (no file known yet)."""


class ModelError(Exception):
    """A model file that cannot be used, with the file and the problem in its message."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ClassificationCancelled(Exception):
    """The caller cancelled a classification between two batches."""


class UnsuitableRecordError(RecordError):
    """The record was read, but this model cannot sensibly classify it (rate far too low,
    resampled length beyond reason)."""
