"""One viewer session: the record, the model, its classification, the MUAP analysis, the
selected window, blind mode and held-back messages, and the order of the background work.

The window builds widgets and redraws them when an event here says so; it never keeps state
of its own. The order of the work is decided here, once:

1. a record is shown: its classification starts, and its MUAP analysis waits for it (when a
   model is loaded): run beside it, the two jobs and the UI thread were three busy threads on
   two cores, and paints took two to three times as long;
2. the classification is shown: the window selects the window at the centre of the screen
   (its saliency is queued), the comparison is queued, then the MUAP analysis;
3. everything started for an older record reports into nothing (``generation``).
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from emgviewer.inference.reuse import ClassificationCache
from emgviewer.records import RecordError, read_record
from emgviewer.session.events import Event

if TYPE_CHECKING:
    from emgviewer.analysis.muap.record import RecordMuaps
    from emgviewer.inference.classify import Classification
    from emgviewer.inference.model import LoadedModel
    from emgviewer.records.record import Record
    from emgviewer.session.jobs import JobRunner

#: Records larger than this on disk (about 10 min of N2001) load off the UI thread.
LOAD_IN_BACKGROUND_BYTES = 50 * 2**20
#: A saliency job's tag is ``generation * SALIENCY_TAG + window``: a late curve for another
#: record or another window is never drawn.
SALIENCY_TAG = 100_000


def bytes_on_disk(path: Path) -> int:
    """The record's size: the file and, for a WFDB header, its data files beside it."""
    try:
        size = path.stat().st_size
        if path.suffix.lower() == ".hea":
            size += sum(p.stat().st_size for p in path.parent.glob(f"{glob.escape(path.stem)}.*")
                        if p.suffix.lower() != ".hea")
        return size
    except OSError:
        return 0


class SessionEvents:
    """What the view listens to. Arguments in brackets."""

    def __init__(self) -> None:
        self.message = Event("message")  # [text]: an error or notice to show
        self.message_hidden = Event("message_hidden")  # a message held back while blind
        self.loading = Event("loading")  # [path, bytes]: a long record is being read
        self.load_failed = Event("load_failed")  # [message]: the view says it
        self.record_shown = Event("record_shown")  # [record, path, pyramid or None]
        self.model_changed = Event("model_changed")  # [model or None]
        self.cancelled = Event("cancelled")  # work for what was shown is now stale
        self.classification_cleared = Event("classification_cleared")  # a new one is about to start
        self.no_model = Event("no_model")  # a record with no model to classify it
        self.classifying = Event("classifying")  # [model]
        self.progress = Event("progress")  # [done, total]
        self.partial = Event("partial")  # [(starts_s, stops_s, probabilities, valid, drawn_apart)]
        self.classified = Event("classified")  # [result]
        self.classification_failed = Event("classification_failed")  # [message]
        self.classification_settled = Event("classification_settled")  # shown, failed or no model
        self.selected = Event("selected")  # [index, reveal]
        self.saliency_ready = Event("saliency_ready")  # [curve, fs_hz]
        self.saliency_absent = Event("saliency_absent")  # [why]
        self.muaps_pending = Event("muaps_pending")  # [what the panel says meanwhile, or None]
        self.muaps_ready = Event("muaps_ready")  # [muaps]
        self.muaps_failed = Event("muaps_failed")  # [message]


class ViewerSession:
    """The viewer's state and the order of its background work, without Qt."""

    def __init__(self, runner: JobRunner | None = None) -> None:
        self.runner = runner
        self.events = SessionEvents()
        self.record: Record | None = None
        self.model: LoadedModel | None = None
        self.result: Classification | None = None
        #: The MUAP analysis of ``record``, once done.
        self.muaps: RecordMuaps | None = None
        self.selected: int | None = None
        #: The hop the user chose (``None``: the model card's).
        self.hop_s: float | None = None
        #: Give a record outside the model's domain the model's reading (labelled) instead of
        #: no verdict (Analysis → Verdict outside the model's domain; ``view --force-verdict``).
        self.force_verdict = False
        #: Read the people the model was trained on with the model itself, not the fold model
        #: that never saw them (Analysis → Colours from the final model; ``--final-model``).
        self.final_model = False
        #: Bumped whenever what is shown changes; a job started for an older generation reports
        #: into nothing.
        self.generation = 0
        #: Teaching: nothing that gives the answer away is shown, and messages wait here.
        self.blind = False
        self.hidden_messages: list[str] = []
        #: How records are read (``channel``, ``fs_hz``: the command line's --channel and --fs-hz).
        self.read_options: dict = {}
        #: "Classify all" results, reused by the folder report.
        self.kept = ClassificationCache()
        #: The long record being read (``None`` when none is).
        self.loading: Path | None = None
        # Which background load is wanted: a new open or a shown record makes older ones stale.
        # Its own count, not the generation: a model loaded meanwhile (at launch, after the first
        # frame) starts a classification and must not drop the load.
        self._load_serial = 0
        self._muaps_after_classification = False
        self._held: list[Callable[[], None]] | None = None  # work held until the first frame

    # -- generations ------------------------------------------------------------------------------
    def next_generation(self) -> int:
        """A new generation: whatever was started before reports into nothing."""
        self.generation += 1
        return self.generation

    def is_current(self, generation: int) -> bool:
        """Whether a job started for ``generation`` still concerns what is shown."""
        return generation == self.generation

    def muaps_of_result(self) -> RecordMuaps | None:
        """The MUAP analysis if it belongs to the classified record (it may lag behind)."""
        if self.muaps is None or self.result is None or self.muaps.record is not self.result.record:
            return None
        return self.muaps

    # -- messages ---------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        """An error or notice for the reader; held back while blind (a file name gives the
        answer away) and said on the reveal."""
        if self.blind:
            self.hidden_messages.append(text)
            self.events.message_hidden.emit()
        else:
            self.events.message.emit(text)

    # -- work held for the first frame ------------------------------------------------------------
    def hold(self) -> None:
        """From now until :meth:`release` (the first frame painted), background work waits."""
        self._held = []

    @property
    def holding(self) -> bool:
        """Whether background work waits for the first frame."""
        return self._held is not None

    def after_release(self, action: Callable[[], None]) -> None:
        """Run ``action`` now, or on :meth:`release` while work is held."""
        if self._held is None:
            action()
        elif action not in self._held:
            self._held.append(action)

    def release(self) -> None:
        """The first frame is painted: run the work held for it, in order."""
        held, self._held = self._held or [], None
        for action in held:
            action()

    # -- records ----------------------------------------------------------------------------------
    def open_record(self, path: Path) -> bool:
        """Open a record: at once when small; a long one (over ``LOAD_IN_BACKGROUND_BYTES`` on
        disk) is read in the background. False when it could not be read (said)."""
        size = bytes_on_disk(path)
        if size > LOAD_IN_BACKGROUND_BYTES and self.runner is not None:
            self.cancel_jobs()
            self._load_serial += 1
            self.loading = path
            self.events.loading.emit(path, size)
            self.runner.load(self._load_serial, path, self.read_options)
            return True
        try:
            record = read_record(path, **self.read_options)
        except RecordError as err:
            self.say(str(err))
            return False
        self.show_record(record, path)
        return True

    def on_loaded(self, serial: int, record: Record, pyramid, path: Path) -> None:
        """A long record is read: show it, unless another was opened meanwhile."""
        if serial == self._load_serial:  # else another record was opened meanwhile
            self.loading = None
            self.show_record(record, path, pyramid)

    def on_load_failed(self, serial: int, message: str) -> None:
        """A long record could not be read: the view says why (a stale failure is dropped)."""
        if serial == self._load_serial:
            self.loading = None
            self.events.load_failed.emit(message)  # the view says it, after its own tidying

    def show_record(self, record: Record, path: Path, pyramid=None) -> None:
        """Show ``record``: nothing of the last one's classification or selection stays; its
        classification starts, and its MUAP analysis follows it."""
        self._load_serial += 1  # a long record still loading is no longer wanted
        self.loading = None
        self.cancel_jobs()
        self.record, self.result, self.selected = record, None, None
        self.events.record_shown.emit(record, path, pyramid)
        self.classify()
        self._muaps_after_classification = self.model is not None
        self.analyse_muaps()

    # -- models -----------------------------------------------------------------------------------
    def set_model(self, model: LoadedModel | None) -> None:
        """Use ``model`` (at its card's hop) and classify the shown record with it; ``None``:
        no model."""
        self.model = model
        self.hop_s = None
        self.events.model_changed.emit(model)
        if model is not None:
            self.classify()

    def set_hop(self, hop_s: float | None) -> None:
        """Classify again at ``hop_s`` (``None``: the card's hop)."""
        self.hop_s = hop_s
        self.classify()

    def set_force_verdict(self, forced: bool) -> None:
        """Give (or withhold) the model's reading of a record outside its domain, and classify again."""
        self.force_verdict = forced
        self.classify()

    def set_final_model(self, final: bool) -> None:
        """Read known people with the final model (or their fold model), and classify again."""
        self.final_model = final
        self.classify()

    # -- classification ---------------------------------------------------------------------------
    def cancel_jobs(self) -> None:
        """Stop the classification and what waits behind it; everything running is stale from now."""
        if self.runner is not None:
            self.runner.cancel_classification()
        self.events.cancelled.emit()
        self.next_generation()  # whatever is still running is now stale

    def classify(self) -> None:
        """Classify the shown record with the model, in the background."""
        self.cancel_jobs()
        self.events.classification_cleared.emit()
        if self.record is None:
            return
        if self.model is None:
            self.events.no_model.emit()
            self._analyse_waiting_muaps()  # no classification to wait for any more
            self.events.classification_settled.emit()
            return
        generation = self.next_generation()
        self.events.classifying.emit(self.model)
        if self.runner is not None:
            self.runner.classify(generation, self.record, self.model, self.hop_s, self.force_verdict,
                                 self.final_model)

    def on_progress(self, generation: int, done: int, total: int) -> None:
        """How many valid windows are classified, of how many."""
        if self.is_current(generation):
            self.events.progress.emit(done, total)

    def on_partial(self, generation: int, payload) -> None:
        """The windows classified so far: the ribbon fills in on a long record."""
        if self.is_current(generation) and not self.blind and self.model is not None:
            self.events.partial.emit(payload)

    def on_classification_failed(self, generation: int, message: str) -> None:
        """The classification failed: say why, and let the waiting MUAP analysis run."""
        if not self.is_current(generation):
            return
        self._analyse_waiting_muaps()
        self.events.classification_failed.emit(message)
        self.say(message)
        self.events.classification_settled.emit()

    def on_classified(self, generation: int, result: Classification) -> None:
        """Keep and show the classification, then queue the MUAP analysis that waited for it."""
        if not self.is_current(generation):
            return  # a stale result for a record no longer shown
        self.result = result
        self.events.classified.emit(self.result)
        self._analyse_waiting_muaps()  # after the view's selection: queued behind its saliency
        self.events.classification_settled.emit()

    # -- windows ----------------------------------------------------------------------------------
    def select(self, index: int | None, reveal: bool = True) -> None:
        """Select a window; ``reveal`` scrolls it onto the screen (stepping does, a click not)."""
        result = self.result
        if result is None or index is None or not 0 <= index < result.n_windows or self.blind:
            return
        self.selected = index
        self.events.selected.emit(index, reveal)
        self._start_saliency(index)

    def step(self, direction: int) -> None:
        """Select the next (``+1``) or previous (``-1``) window, stopping at the ends."""
        if self.result is None:
            return
        current = -1 if self.selected is None and direction > 0 else (self.selected or 0)
        self.select(min(max(current + direction, 0), self.result.n_windows - 1))

    def saliency_tag(self, index: int) -> int:
        """The tag of a saliency job for window ``index`` of this generation."""
        return self.generation * SALIENCY_TAG + index

    def _start_saliency(self, index: int) -> None:
        result = self.result
        if result is None or self.model is None:
            return
        model = result.model  # a known person's fold model, when it read the record
        if not result.valid[index]:
            self.events.saliency_absent.emit("none, the window is invalid and was not classified")
            return
        if result.resampled_from_hz is not None:
            self.events.saliency_absent.emit(f"not computed, the record was resampled from "
                                             f"{result.resampled_from_hz:g} Hz (shown on its own samples only)")
            return
        self.events.saliency_absent.emit("computing…")
        first = int(round(result.starts_s[index] * model.card.input.fs_hz))
        window = result.record.signal_uv[first: first + model.card.input.n_times]
        if self.runner is not None:
            self.runner.saliency(self.saliency_tag(index), model, window, int(result.predicted[index]))

    def on_saliency(self, tag: int, curve) -> None:
        """A saliency curve: shown only if it is for the window still selected."""
        if self.selected is not None and tag == self.saliency_tag(self.selected) and self.result is not None:
            self.events.saliency_ready.emit(curve, self.result.model.card.input.fs_hz)

    def on_saliency_failed(self, tag: int, message: str) -> None:
        """A saliency failed: said in place of the curve, for the window still selected."""
        if self.selected is not None and tag == self.saliency_tag(self.selected):
            self.events.saliency_absent.emit(f"not computed: {message}")

    # -- MUAP analysis ----------------------------------------------------------------------------
    def analyse_muaps(self, behind_classification: bool = False) -> None:
        """Start the shown record's MUAP analysis in the background; the view fills in when it
        reports (a result for another record is dropped)."""
        self.muaps = None
        if self.record is None:
            self.events.muaps_pending.emit(None)
            return
        if self._muaps_after_classification:  # started by _analyse_waiting_muaps
            self.events.muaps_pending.emit("motor units: analysed once the classification is done…")
            return
        self.events.muaps_pending.emit("analysing motor units…")
        if self.holding:
            self.after_release(self.analyse_muaps)
            return
        if self.runner is not None:
            self.runner.analyse_muaps(self.generation, self.record, behind_classification)

    def _analyse_waiting_muaps(self) -> None:
        """Start the MUAP analysis that waited for the classification, behind the selected
        window's saliency on the classification's thread, never beside it."""
        if not self._muaps_after_classification:
            return
        self._muaps_after_classification = False
        # A learned verdict analysed the record already: the job finds that analysis on the
        # record (record_muaps) instead of running a second one.
        self.analyse_muaps(behind_classification=True)

    def on_muaps(self, generation: int, muaps: RecordMuaps) -> None:
        """The MUAP analysis of the shown record (one of another record is dropped)."""
        if self.record is None or muaps.record is not self.record:
            return
        self.muaps = muaps
        self.events.muaps_ready.emit(muaps)

    def on_muaps_failed(self, record: Record, message: str) -> None:
        """The MUAP analysis failed: said in the panel, if ``record`` is still shown."""
        if record is self.record:
            self.events.muaps_failed.emit(message)
