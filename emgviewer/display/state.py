"""What the viewer shows, without Qt: the record, the model, its classification, the selected
window, the hop, and the generation that tells a background result for an earlier record
from one for this record.

The main window keeps one :class:`ViewerState` and the exports read it; tests and scripts can
build one without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the state itself needs none of these modules
    from emgviewer.analysis.muap.record import RecordMuaps
    from emgviewer.inference.classify import Classification
    from emgviewer.inference.model import LoadedModel
    from emgviewer.records.record import Record


@dataclass
class ViewerState:
    record: Record | None = None
    model: LoadedModel | None = None
    result: Classification | None = None
    #: The MUAP analysis of ``record``, once done.
    muaps: RecordMuaps | None = None
    selected: int | None = None
    #: The hop the user chose (``None``: the model card's).
    hop_s: float | None = None
    #: Bumped whenever what is shown changes; a background job started for an older
    #: generation reports into nothing.
    generation: int = 0

    def show_record(self, record: Record) -> None:
        """A new record: nothing of the last one's classification or selection stays."""
        self.record, self.result, self.selected = record, None, None

    def next_generation(self) -> int:
        self.generation += 1
        return self.generation

    def is_current(self, generation: int) -> bool:
        return generation == self.generation

    def muaps_of_result(self) -> RecordMuaps | None:
        """The MUAP analysis if it belongs to the classified record (it may lag behind)."""
        if self.muaps is None or self.result is None or self.muaps.record is not self.result.record:
            return None
        return self.muaps
