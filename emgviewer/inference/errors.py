"""Errors for model files the app cannot use. ``str(err)`` is ``"<path>: <problem>"``."""

from __future__ import annotations

from pathlib import Path


class CardError(ValueError):
    """A model card that does not follow the schema (no file known yet)."""


class ModelError(Exception):
    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ClassificationCancelled(Exception):
    """The caller cancelled a classification between two batches."""
