"""Many records through one model: read, classify, and report each outcome, one at a time.

The CLI, the PDF report and the viewer's folder jobs all walk a list of files this way; a bad
file is an outcome with an error, never the end of the walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from emgviewer.inference.classify import CancelToken, Classification, classify
from emgviewer.inference.model import LoadedModel
from emgviewer.records import RecordError, read_record


@dataclass(frozen=True)
class Outcome:
    """One path of a batch: its classification, or the error that kept it from one."""

    path: Path
    result: Classification | None
    error: RecordError | None = None


def classify_each(paths: Sequence[Path], model: LoadedModel, hop_s: float | None = None,
                  cancel: CancelToken | None = None, fs_hz: float | None = None,
                  force_verdict: bool = False, final_model: bool = False) -> Iterator[Outcome]:
    """One :class:`Outcome` per path, in order; stops early when ``cancel`` is set.
    ``force_verdict``: the model's reading of records outside its domain (labelled);
    ``final_model``: the model itself even for the people it was trained on (no fold models)."""
    for path in paths:
        if cancel is not None and cancel.cancelled:
            return
        try:
            result = classify(read_record(path, fs_hz=fs_hz), model, hop_s=hop_s, force_verdict=force_verdict,
                              final_model=final_model)
        except RecordError as err:
            yield Outcome(Path(path), None, err)
            continue
        yield Outcome(Path(path), result, None)
