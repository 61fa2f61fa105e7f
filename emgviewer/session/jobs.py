"""What the session asks of whoever runs its background work (the Qt window's thread pools,
or a test's runner that runs everything at once). Results come back as calls to the session's
``on_*`` methods, on the thread the session lives on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from emgviewer.inference.model import LoadedModel
    from emgviewer.records.record import Record


class JobRunner(Protocol):
    """Runs the session's background work and reports back through the session's ``on_*`` methods."""

    def classify(self, generation: int, record: Record, model: LoadedModel, hop_s: float | None,
                 force_verdict: bool = False, final_model: bool = False) -> None:
        """Classify ``record``; report progress, partial windows, the result or the failure
        (``force_verdict``: the model's reading even outside its domain; ``final_model``: the
        model itself, not its fold model, for a person it was trained on)."""

    def cancel_classification(self) -> None:
        """Stop the running classification and drop queued work behind it (saliency, MUAPs)."""

    def saliency(self, tag: int, model: LoadedModel, window_uv: np.ndarray, class_index: int) -> None:
        """The selected window's saliency, queued behind the classification."""

    def analyse_muaps(self, generation: int, record: Record, behind_classification: bool) -> None:
        """The record's MUAP analysis: on its own thread, or queued behind the classification
        and its saliency (``behind_classification``)."""

    def load(self, serial: int, path: Path, read_options: dict) -> None:
        """Read a long record and build its display pyramid."""

    def warm_up(self) -> None:
        """Import the analyses' modules before a record needs them."""
