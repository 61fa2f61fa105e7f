"""Out-of-fold models: honest colours for the people a model was trained on.

A model trained on every N2001 subject has seen each of them, so its colours on their records
are memory, not evidence. Beside such a model, ``<name>.folds/`` may hold its leave-one-subject-out
fold models, ``fold_<subject>.onnx``, each trained without that subject. ``classify`` then reads
a known person's record with the fold model that never saw them (one model's inference, as for
anyone else), and says so; people outside the training set get the model itself. Asking for the
final model explicitly (``final_model=True``) keeps the old reading, marked "seen in training".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from emgviewer.inference.errors import ModelError

if TYPE_CHECKING:
    from emgviewer.inference.card import ModelCard
    from emgviewer.inference.model import LoadedModel
    from emgviewer.records.record import Record

FOLDS_SUFFIX = ".folds"
FOLD_PREFIX = "fold_"
#: How a reading by a fold model is said, wherever a verdict appears.
HELD_OUT_NOTE = "colours from the model trained without this person"


@dataclass
class FoldModels:
    """The fold models beside one model, loaded on first use (one per held-out subject)."""

    folder: Path
    files: dict[str, Path]  # subject id -> the fold model that never saw that subject
    force_cpu: bool = False
    _loaded: dict[Path, LoadedModel] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def for_record(self, record: Record, card: ModelCard) -> LoadedModel | None:
        """The fold model for ``record``: only for a subject ``card``'s model was trained on, and
        only one whose own card shows it never saw that subject (else a broken bundle, said)."""
        from emgviewer.inference.caveats import seen_in_training

        subject = record.subject_id
        path = self.files.get(subject or "")
        if path is None or not seen_in_training(record, card):
            return None
        with self._lock:
            fold = self._loaded.get(path)
            if fold is None:
                from emgviewer.inference.model import load_model

                fold = load_model(path, force_cpu=self.force_cpu, with_folds=False)
                self._loaded[path] = fold
        if seen_in_training(record, fold.card):
            raise ModelError(path, f"this fold model's card lists {subject} among its training subjects: it "
                                   "cannot stand in for a model that never saw them")
        return fold


def fold_models_beside(model_path: Path, force_cpu: bool = False) -> FoldModels | None:
    """The fold models in ``<model stem>.folds/`` beside ``model_path``, if there are any."""
    folder = model_path.with_suffix(FOLDS_SUFFIX)
    if not folder.is_dir():
        return None
    files = {p.stem[len(FOLD_PREFIX):]: p for p in sorted(folder.glob(f"{FOLD_PREFIX}*.onnx"))}
    return FoldModels(folder, files, force_cpu) if files else None
