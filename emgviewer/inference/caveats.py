"""What may honestly be said about a verdict: the one place that decides it.

The viewer, the dataset browser, ``emgviewer classify`` and the PDF reports all word a verdict
through this module, so a record reads the same everywhere:

- **Uncertain is a verdict.** A record or subject whose leading class has a mean probability
  below the card's record threshold (``ModelCard.record_threshold``) reads "uncertain", the
  leading class in small print.
- **Seen in training.** A record whose subject was in the model's training set is marked: its
  agreement with the truth is not evidence. Where the card carries out-of-fold verdicts (each
  training record judged by the fold model that never saw its subject), they are the honest
  figure and are shown beside it, labelled.
- **Out of distribution.** A record unlike the training recordings (rate, muscle, electrode,
  length, amplitude, spectrum, calibration) gets a caveat per difference
  (:mod:`emgviewer.inference.distribution`, measured once by ``classify``).
- **A model that learned too little.** Where the card's own subject-independent evaluation puts
  the model at chance, or shows it (almost) never naming a class, every reading of it says so
  (:func:`model_cautions`): once per model, not per record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from emgviewer.analysis.verdicts import Verdict, subject_verdict
from emgviewer.inference.card import ModelCard
from emgviewer.inference.classify import Classification
from emgviewer.inference.distribution import Caveat
from emgviewer.records.n2001 import CLASS_LABELS
from emgviewer.records.record import Record

UNCERTAIN_COLOUR = "#6B6B6B"
NO_VERDICT_COLOUR = "#9E9E9E"
AGREES_COLOUR = "#2E7D32"
DIFFERS_COLOUR = "#C62828"
SEEN_NOTE = "this subject's recordings trained the model, so agreement with the truth is not evidence"

AGREES, DIFFERS = "agrees", "differs"
MARKS = {AGREES: "✓", DIFFERS: "✗"}
#: How agreement reads in a sentence.
AGREEMENT_WORDS = {AGREES: "agrees", DIFFERS: "disagrees"}


def class_label(name: str | None) -> str:
    """How a class is shown to people ("ALS / neurogenic"); a dash for none."""
    return CLASS_LABELS.get(name, name) if name else "—"


@dataclass(frozen=True)
class Statement:
    """A verdict as it is said: ``status`` is "verdict", "uncertain" or "none"."""

    status: str
    leading: str | None  # the class with the highest mean probability, whatever the status
    confidence: float | None
    text: str  # said first, in the largest type: a class label, "uncertain" or "no verdict"
    detail: str  # the small print: the leading class below the threshold, or why there is none
    colour: str  # "#rrggbb": the class colour for a verdict, grey otherwise

    @property
    def label(self) -> str | None:
        """The class this statement commits to (``None`` when uncertain or no verdict)."""
        return self.leading if self.status == "verdict" else None

    @property
    def short(self) -> str:
        """One cell of a table: "ALS / neurogenic 0.91", "uncertain (normal (control) 0.42)"."""
        if self.status == "verdict":
            return f"{self.text} {self.confidence:.2f}"
        if self.status == "uncertain":
            return f"uncertain ({class_label(self.leading)} {self.confidence:.2f})"
        return "no verdict"


def state(verdict: Verdict, card: ModelCard, unit: str = "valid window") -> Statement:
    """How ``verdict`` is said under ``card``'s uncertainty threshold; ``unit`` names what
    the verdict averaged ("valid window" for a record, "record" for a subject)."""
    if verdict.label is None or verdict.confidence is None or not math.isfinite(verdict.confidence):
        return Statement("none", None, None, "no verdict", verdict.reason or "no valid windows", NO_VERDICT_COLOUR)
    threshold = card.record_threshold
    if verdict.confidence < threshold:
        basis = f" ({verdict.basis})" if verdict.basis else ""
        return Statement("uncertain", verdict.label, verdict.confidence, "uncertain",
                         f"leading class {class_label(verdict.label)} at {verdict.confidence:.2f}{basis}, "
                         f"below the model's threshold of {threshold:.2f}", UNCERTAIN_COLOUR)
    colour = next((c.colour for c in card.classes if c.name == verdict.label), NO_VERDICT_COLOUR)
    used = f" over {verdict.n_used} {unit}{'' if verdict.n_used == 1 else 's'}" if verdict.n_used else ""
    how = (f"probability {verdict.confidence:.2f}{used}, {verdict.basis}" if verdict.basis
           else f"mean probability {verdict.confidence:.2f}{used}")
    return Statement("verdict", verdict.label, verdict.confidence, class_label(verdict.label), how, colour)


def agreement(statement: Statement, truth: str | None) -> str | None:
    """"agrees" or "differs" for a committed verdict with a known truth; else ``None``."""
    if truth is None or statement.label is None:
        return None
    return AGREES if statement.label == truth else DIFFERS


#: Window balanced accuracy on people the model never saw under this many times chance
#: (1 / classes) reads as chance; training/RESULTS.md flags its rows by the same rule.
CHANCE_MARGIN = 1.1
#: A class whose windows the model names under this share of the time, on people it never saw,
#: is one it (almost) never names.
MISSED_RECALL = 0.10


def model_cautions(card: ModelCard) -> list[str]:
    """What the card's own subject-independent evaluation says against reading this model's
    colours: at chance, or a class it (almost) never names. Empty for a model that learned."""
    evaluation = card.evaluation or {}
    protocol = evaluation.get("protocol_kind") or "subject-independent"
    labels = {c.name: c.label for c in card.classes}
    out = []
    balanced = evaluation.get("window_balanced_accuracy")
    if balanced is not None and balanced < CHANCE_MARGIN / len(card.classes):
        out.append(f"this model is at chance on people it never saw ({protocol} evaluation: window balanced "
                   f"accuracy {balanced:.1%} over {len(card.classes)} classes): its colours are not evidence")
    for name, recall in (evaluation.get("window_recall") or {}).items():
        if recall is not None and recall < MISSED_RECALL:  # None: no window of that class was tested
            label = labels.get(name, name)
            out.append(f"this model found {label} in only {recall:.1%} of the {label} windows of people it "
                       f"never saw: a verdict other than {label} does not rule it out")
    return out


def seen_in_training(record: Record, card: ModelCard) -> bool:
    """Whether ``record``'s subject was among the subjects ``card``'s model was trained on."""
    ident = record.n2001
    return card.provenance.seen_subject("N2001" if ident else None, record.subject_id)


@dataclass(frozen=True)
class RecordAssessment:
    """Everything said about one classified record, in one place (no signal kept: a folder's
    worth stays small)."""

    record: str
    verdict: Verdict
    statement: Statement
    truth: str | None
    agreement: str | None
    seen: bool  # the record's subject trained the model
    out_of_fold: Statement | None  # the held-out fold's verdict, for a seen record when the card has it
    out_of_fold_agreement: str | None
    caveats: tuple[Caveat, ...] = ()  # out of distribution
    out_of_fold_verdict: Verdict | None = None
    #: Why the verdict is led by a class that fewer than half the valid windows show, with the
    #: evidence side by side (:func:`verdict_explanation`); ``None`` when it is the colours' own.
    explanation: str | None = None

    @property
    def warnings(self) -> list[str]:
        """Every caveat as a sentence, "seen in training" first."""
        return self.sentences()

    def sentences(self) -> list[str]:
        """The record's "read with care" as sentences, "seen in training" first: what the viewer,
        the browser, ``classify`` and the reports all say."""
        return ([f"seen in training: {SEEN_NOTE}"] if self.seen else []) + [c.text for c in self.caveats]


def judged_truth(truth: str | None, card: ModelCard) -> str | None:
    """The class of ``card`` a truth is judged against: itself, or for a neuropathy the class
    whose label covers neurogenic findings ("ALS / neurogenic"); ``None`` where the model has no
    such class (a neuropathy is then no evidence either way)."""
    if truth == "neuropathy":
        return next((c.name for c in card.classes if "neurogenic" in c.label.lower()), None)
    return truth


def assess(result: Classification) -> RecordAssessment:
    """Everything said about one classified record: the statement, the truth and agreement, seen or
    not, caveats and explanation."""
    record, card = result.record, result.model.card
    statement = state(result.verdict, card)
    truth = record.truth if judged_truth(record.truth, card) is not None else None
    judged = judged_truth(truth, card)
    seen = seen_in_training(record, card)
    oof_verdict = oof_statement = oof_agreement = None
    oof = card.provenance.out_of_fold.get(record.name) if seen else None
    if oof is not None:
        oof_verdict = Verdict(oof.label, oof.confidence, dict(oof.probabilities))
        oof_statement = state(oof_verdict, card)
        oof_agreement = agreement(oof_statement, judged)
    return RecordAssessment(record.name, result.verdict, statement, truth, agreement(statement, judged), seen,
                            oof_statement, oof_agreement, result.caveats,
                            oof_verdict, verdict_explanation(result, statement))


#: How a MUAP measure's reference mark reads in an explanation.
_MARK_WORDS = {"within": "within the reference", "above": "above the reference", "below": "below the reference"}


def verdict_explanation(result: Classification, statement: Statement) -> str | None:
    """The verdict and the colours side by side, when the verdict is led (as a verdict or as
    "uncertain") by a class that fewer than half the valid windows show: the windows' counts,
    the MUAP measures a learned verdict read (with their reference marks), and what the verdict
    weighed. ``None`` when the leading class is the windows' own majority, or there is none."""
    if statement.leading is None or statement.leading not in result.class_names:
        return None
    valid = result.valid
    n_valid = int(np.count_nonzero(valid))
    if n_valid == 0:
        return None
    counts = np.bincount(result.predicted[valid], minlength=len(result.class_names))
    if 2 * counts[result.class_names.index(statement.leading)] >= n_valid:
        return None
    order = np.argsort(-counts, kind="stable")
    windows = ", ".join(f"{class_label(result.class_names[i])} {int(counts[i])} of {n_valid}"
                        for i in order if counts[i])
    parts = [f"windows: {windows}"]
    muaps = result.muaps
    if result.verdict.learned and muaps is not None and muaps.analysis.summary.n_units:
        parts.append("MUAP measures: " + _muap_evidence(muaps))
    basis = result.verdict.basis or "the mean of the valid windows' probabilities"
    parts.append(f"verdict {statement.short}, {basis}")
    return "; ".join(parts)


def _muap_evidence(muaps) -> str:
    s = muaps.analysis.summary
    said = []
    for key, text, value in (("mean_amplitude_uv", "mean amplitude", f"{s.mean_amplitude_uv:.0f} µV"
                              if s.mean_amplitude_uv is not None else None),
                             ("mean_duration_ms", "mean duration", f"{s.mean_duration_ms:.1f} ms"
                              if s.mean_duration_ms is not None else None),
                             ("polyphasic_share", "polyphasic", f"{s.polyphasic_share:.0%}"
                              if s.polyphasic_share is not None else None)):
        if value is None:
            continue
        mark = muaps.mark(s.marks, key)
        said.append(f"{text} {value}" + (f" ({_MARK_WORDS[mark]})" if mark in _MARK_WORDS else ""))
    units = f"{s.n_units} unit{'' if s.n_units == 1 else 's'}"
    return f"{', '.join(said)} ({units}" + ("" if muaps.references_apply else "; no reference applies") + ")"


@dataclass(frozen=True)
class SubjectAssessment:
    """Everything said about one subject: its records' verdicts combined, said with a record's rules."""

    subject: str
    statement: Statement
    truth: str | None
    agreement: str | None
    seen: bool
    records: tuple[str, ...]
    out_of_fold: Statement | None = None
    out_of_fold_agreement: str | None = None


def assess_subject(subject: str, card: ModelCard, records: Sequence[RecordAssessment]) -> SubjectAssessment:
    """The subject verdict (each record weighs the same) said with the same rules as a record's."""
    verdict = subject_verdict([r.verdict for r in records], card.class_names)
    statement = state(verdict, card, unit="record")
    truths = {r.truth for r in records}
    truth = truths.pop() if len(truths) == 1 else None
    seen = any(r.seen for r in records)
    oof_statement = oof_agreement = None
    if seen and all(r.out_of_fold_verdict is not None for r in records):
        oof = subject_verdict([r.out_of_fold_verdict for r in records], card.class_names)
        oof_statement = state(oof, card, unit="record")
        oof_agreement = agreement(oof_statement, judged_truth(truth, card))
    return SubjectAssessment(subject, statement, truth, agreement(statement, judged_truth(truth, card)), seen,
                             tuple(r.record for r in records), oof_statement, oof_agreement)


@dataclass
class Tally:
    """Agreement with the truth over items whose truth is known."""

    agrees: int = 0
    differs: int = 0
    uncertain: int = 0
    no_verdict: int = 0

    def add(self, statement: Statement | None, verdict_agreement: str | None, truth: str | None) -> None:
        """Count one statement against its truth (items without a known truth are not counted)."""
        if truth is None or statement is None:
            return
        if verdict_agreement == AGREES:
            self.agrees += 1
        elif verdict_agreement == DIFFERS:
            self.differs += 1
        elif statement.status == "uncertain":
            self.uncertain += 1
        else:
            self.no_verdict += 1

    @property
    def total(self) -> int:
        """How many items were counted."""
        return self.agrees + self.differs + self.uncertain + self.no_verdict

    def text(self) -> str:
        """"12/20 agree, 5 differ, 3 uncertain": the denominator counts every item with a truth."""
        parts = [f"{self.agrees}/{self.total} agree", f"{self.differs} disagree"]
        if self.uncertain:
            parts.append(f"{self.uncertain} uncertain")
        if self.no_verdict:
            parts.append(f"{self.no_verdict} without verdict")
        return ", ".join(parts)


@dataclass
class AgreementSummary:
    """Agreement with the truth, kept apart for unseen and seen subjects."""

    unseen: Tally = field(default_factory=Tally)
    seen: Tally = field(default_factory=Tally)
    seen_out_of_fold: Tally = field(default_factory=Tally)
    has_out_of_fold: bool = False

    def lines(self, what: str) -> list[str]:
        """Sentences for a summary; ``what`` is "records" or "subjects"."""
        out = []
        if self.unseen.total:
            out.append(f"{what.capitalize()} of people the model never saw: {self.unseen.text()}.")
        if self.seen.total:
            out.append(f"{what.capitalize()} seen in training (not evidence of accuracy): {self.seen.text()}.")
            if self.has_out_of_fold:
                out.append(f"The same {what} judged by the fold models that never saw them "
                           f"(out-of-fold, from the model card): {self.seen_out_of_fold.text()}.")
        return out


def summarise_agreement(items: Sequence[RecordAssessment | SubjectAssessment]) -> AgreementSummary:
    """Agreement with the truth, people the model never saw apart from seen ones (and their out-of-fold figures)."""
    summary = AgreementSummary()
    for item in items:
        if not item.seen:
            summary.unseen.add(item.statement, item.agreement, item.truth)
            continue
        summary.seen.add(item.statement, item.agreement, item.truth)
        if item.out_of_fold is not None:
            summary.has_out_of_fold = True
            summary.seen_out_of_fold.add(item.out_of_fold, item.out_of_fold_agreement, item.truth)
    return summary

