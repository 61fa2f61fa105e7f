"""Classifications kept without their signal, so a folder classified once ("Classify all") is
not classified again for its report: the arrays stay (a few kB a record), the signal does not.

A kept result is reused only for the same file (path, size, modification time), the same model
file, the same hop and the same way of reading (``force_verdict``, ``final_model``: the viewer's
two toggles change colours and verdicts); anything else is classified afresh.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from emgviewer.inference.classify import Classification
from emgviewer.inference.model import LoadedModel
from emgviewer.records.record import Record


def _file_key(path: Path) -> tuple:
    stat = Path(path).stat()
    return (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class Kept:
    """One kept classification and the key it is valid for (file, model, hop and reading)."""

    key: tuple
    result: Classification  # with its record replaced by an empty stand-in


class ClassificationCache:
    """Thread-safe: filled by one background job, read by another."""

    def __init__(self) -> None:
        self._kept: dict[str, Kept] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(path: Path, model: LoadedModel, hop_s: float | None, force_verdict: bool, final_model: bool) -> tuple:
        return (*_file_key(path), str(Path(model.path).resolve()), model.card.input.hop_or_card(hop_s),
                bool(force_verdict), bool(final_model))

    def put(self, path: Path, result: Classification, hop_s: float | None, force_verdict: bool = False,
            final_model: bool = False) -> None:
        """Keep ``result`` for ``path``, classified with those options (its signal dropped: a
        folder's worth stays small). The key holds the model asked for: ``result.stands_for``
        where a fold model read the record (``result.model`` is then that fold model)."""
        light = replace(result, record=_stand_in(result.record))
        key = self._key(path, result.chosen_model, hop_s, force_verdict, final_model)
        with self._lock:
            self._kept[str(Path(path).resolve())] = Kept(key, light)

    def get(self, path: Path, record: Record, model: LoadedModel, hop_s: float | None, force_verdict: bool = False,
            final_model: bool = False) -> Classification | None:
        """The kept classification of ``path`` with ``record`` put back, or None."""
        try:
            key = self._key(path, model, hop_s, force_verdict, final_model)
        except OSError:
            return None
        with self._lock:
            kept = self._kept.get(str(Path(path).resolve()))
        if kept is None or kept.key != key:
            return None
        if kept.result.stands_for is not None:  # read by a fold model: it stays the reader
            return replace(kept.result, record=record, stands_for=model)
        return replace(kept.result, record=record, model=model)

    def __len__(self) -> int:
        return len(self._kept)


def _stand_in(record: Record) -> Record:
    # A new empty array, not ``signal_uv[:0]``: a view would keep the whole signal alive.
    return replace(record, signal_uv=np.empty(0, dtype=record.signal_uv.dtype))
