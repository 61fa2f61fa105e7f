"""Classification results as plain data: the documented JSON schema of ``emgviewer classify``.

Schema (stable; scripts may rely on it), ``schema_version`` 2::

    {"schema_version": 2,
     "model": {"name", "version", "file", "architecture", "classes", "fs_hz", "window_s", "hop_s",
               "provider", "uncertainty_threshold", "record_uncertainty_threshold",
               "record_temperature", "evaluation_protocol"},
     "records": [{"record", "path", "subject", "truth", "verdict", "confidence",
                  "probabilities": {class: p}, "votes": {class: n}, "reason", "basis",
                  "status", "statement", "agreement", "seen_in_training", "out_of_fold",
                  "caveats": [{"code", "text"}],
                  "n_windows", "n_valid", "n_uncertain",
                  "annotations": [{"onset_s", "duration_s", "label"}], "annotations_error"?,
                  "windows": [{"start_s", "end_s", "class", "probabilities": {class: p},
                               "uncertain", "valid", "reason"}]}],
     "subjects": [{"subject", "truth", "verdict", "confidence", "records",
                   "status", "statement", "agreement", "seen_in_training", "out_of_fold"}],
     "agreement": {"records": AGREEMENT, "subjects": AGREEMENT}}

``truth``, ``verdict``, ``confidence`` and a window's ``class``/``probabilities`` are ``null``
where unknown or invalid.

Added in version 2 (version 1 readers keep working: no field changed meaning or was removed):

- ``status``: "verdict", "uncertain" (the leading class's mean probability is below the model's
  ``record_uncertainty_threshold``) or "none". ``verdict`` stays the *leading* class, as in version 1,
  so read it together with ``status``: only "verdict" commits to it. ``statement`` is the
  same in words ("ALS / neurogenic 0.91", "uncertain (normal (control) 0.42)", "no verdict").
- ``agreement``: "agrees" or "differs" when the truth is known and ``status`` is "verdict";
  else ``null``.
- ``seen_in_training``: the record's subject was among the model's training subjects, so its
  agreement with the truth is no evidence of accuracy.
- ``out_of_fold``: for seen records when the model card carries it, the verdict of the fold
  model that never saw the subject: ``{"verdict", "confidence", "status", "agreement"}``; else ``null``.
- ``caveats``: how the record differs from the training recordings; ``code`` is a ``CaveatCode`` value:
  resampled, muscle, electrode, short, amplitude, spectrum, uncalibrated, and (added within
  version 2) artefact: one-sample spikes no muscle makes (``records.quality``).
- ``verdict_explanation`` (added within version 2, a new field only): when the verdict (or an
  "uncertain" one's leading class) is a class fewer than half the valid windows show, why, with
  the windows' counts, the MUAP measures a learned verdict read and what it weighed; else ``null``.
- ``held_out_model`` (added within version 2, a new field only): the file of the fold model that
  read this record because the model asked for was trained on its subject and never-seeing fold
  models ship beside it ("colours from the model trained without this person"); else ``null``.
- ``annotations`` (added within version 2, a new field only): the reader's marks on the
  record from its ``<name>_events.tsv`` sidecar or its EDF+ annotations; ``annotations_error``
  appears, with the marks empty, when the sidecar cannot be read.
- ``model.record_uncertainty_threshold`` and ``model.record_temperature`` (added within version
  2, new fields only): the threshold below which a record or subject verdict reads "uncertain"
  (``status``), and the temperature its mean window probability is recalibrated with; both
  fitted on validation subjects where the card carries them, else the window threshold and 1.
- ``basis`` (added within version 2, a new field only): how the record verdict was reached:
  "mean probability of the valid windows", or, for a card with a learned record verdict
  (``calibration.record_stacker``), "learned from the windows ..." with the MUAP measures it
  weighed or why they were missing.
- AGREEMENT: ``{"unseen": TALLY, "seen": TALLY, "seen_out_of_fold": TALLY | null}``, TALLY
  ``{"agrees", "differs", "uncertain", "no_verdict"}`` over items with a known truth.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Sequence

import numpy as np

from emgviewer.inference.card import ModelCard
from emgviewer.inference.caveats import (
    AgreementSummary,
    RecordAssessment,
    Statement,
    SubjectAssessment,
    Tally,
    assess,
    assess_subject,
    model_cautions,
    summarise_agreement,
)
from emgviewer.inference.classify import Classification
from emgviewer.inference.model import LoadedModel
from emgviewer.records.annotations import record_annotations
from emgviewer.records.errors import RecordError

SCHEMA_VERSION = 2


def model_summary(model: LoadedModel, hop_s: float | None = None) -> dict[str, Any]:
    """The model as the JSON document says it: name, version, file, provider, contract, cautions."""
    card = model.card
    return {
        "name": card.name, "version": card.version, "file": model.path.name,
        "architecture": card.architecture,
        "classes": list(card.class_names), "fs_hz": card.input.fs_hz,
        "window_s": card.input.window_s, "hop_s": card.input.hop_or_card(hop_s),
        "provider": model.provider_label, "uncertainty_threshold": card.uncertainty_threshold,
        "record_uncertainty_threshold": card.record_threshold, "record_temperature": card.record_temperature,
        "evaluation_protocol": card.provenance.protocol_kind,
        "cautions": model_cautions(card),
    }


def window_rows(result: Classification) -> list[dict[str, Any]]:
    """Each window as JSON: span, class, probabilities, uncertain, valid and why not."""
    classes = result.class_names
    predicted, uncertain = result.predicted, result.uncertain
    rows = []
    for i in range(result.n_windows):
        valid = bool(result.valid[i])
        rows.append({
            "start_s": round(float(result.starts_s[i]), 6),
            "end_s": round(float(result.stops_s[i]), 6),
            "class": classes[predicted[i]] if valid else None,
            "probabilities": ({c: round(float(p), 6) for c, p in zip(classes, result.probabilities[i])}
                              if valid else None),
            "uncertain": bool(uncertain[i]),
            "valid": valid,
            "reason": result.reason(i),
        })
    return rows


def record_summary(result: Classification, with_windows: bool = True,
                   assessment: RecordAssessment | None = None) -> dict[str, Any]:
    """One record as the JSON document says it (schema version 2; see the module)."""
    verdict = result.verdict
    assessment = assessment or assess(result)
    summary = {
        "record": result.record.name,
        "path": str(result.record.source_path),
        "subject": result.record.subject_id,
        "truth": result.record.truth,
        "verdict": verdict.label,
        "confidence": _rounded(verdict.confidence),
        "probabilities": {c: round(p, 6) for c, p in verdict.probabilities.items()},
        "votes": dict(verdict.votes),
        "reason": verdict.reason,
        "basis": verdict.basis or "mean probability of the valid windows",
        **_said(assessment.statement, assessment.agreement),
        "seen_in_training": assessment.seen,
        "out_of_fold": _out_of_fold(assessment.out_of_fold, assessment.out_of_fold_agreement),
        "caveats": [asdict(c) for c in assessment.caveats],
        "verdict_explanation": assessment.explanation,
        "held_out_model": result.model.path.name if result.stands_for is not None else None,
        "n_windows": result.n_windows,
        "n_valid": int(np.count_nonzero(result.valid)),
        "n_uncertain": int(np.count_nonzero(result.uncertain)),
        **_annotations(result),
    }
    if with_windows:
        summary["windows"] = window_rows(result)
    return summary


def _annotations(result: Classification) -> dict[str, Any]:
    """The reader's marks on the record (``annotations``: onset_s, duration_s, label; from its
    events sidecar or EDF+), or why they could not be read (``annotations_error``)."""
    try:
        marks, _source = record_annotations(result.record)
    except RecordError as err:
        return {"annotations": [], "annotations_error": str(err)}
    return {"annotations": [asdict(m) for m in marks]}


def subject_assessments(card: ModelCard, subject_ids: Sequence[str | None],
                        assessments: Sequence[RecordAssessment]) -> list[SubjectAssessment]:
    """One per N2001 subject (records without a subject are skipped)."""
    by_subject: dict[str, list[RecordAssessment]] = {}
    for subject, assessment in zip(subject_ids, assessments):
        if subject:
            by_subject.setdefault(subject, []).append(assessment)
    return [assess_subject(subject, card, items) for subject, items in sorted(by_subject.items())]


def subject_summary(subject: SubjectAssessment) -> dict[str, Any]:
    """One subject as the JSON document says it."""
    return {
        "subject": subject.subject,
        "truth": subject.truth,
        "verdict": subject.statement.leading,
        "confidence": _rounded(subject.statement.confidence),
        "records": list(subject.records),
        **_said(subject.statement, subject.agreement),
        "seen_in_training": subject.seen,
        "out_of_fold": _out_of_fold(subject.out_of_fold, subject.out_of_fold_agreement),
    }


def classification_document(model: LoadedModel, results: Sequence[Classification],
                            hop_s: float | None = None,
                            assessments: Sequence[RecordAssessment] | None = None) -> dict[str, Any]:
    """The whole JSON document of a classification run: the model, every record, the subjects and the agreement."""
    assessments = assessments if assessments is not None else [assess(r) for r in results]
    return assemble_document(model, [record_summary(r, assessment=a) for r, a in zip(results, assessments)],
                             assessments, [r.record.subject_id for r in results], hop_s)


def assemble_document(model: LoadedModel, record_summaries: Sequence[dict[str, Any]],
                      assessments: Sequence[RecordAssessment], subject_ids: Sequence[str | None],
                      hop_s: float | None = None) -> dict[str, Any]:
    """The document from per-record pieces, so a folder is summarised record by record without
    keeping any signal in memory."""
    subjects = subject_assessments(model.card, subject_ids, assessments)
    return {
        "schema_version": SCHEMA_VERSION,
        "model": model_summary(model, hop_s),
        "records": list(record_summaries),
        "subjects": [subject_summary(s) for s in subjects],
        "agreement": {"records": _agreement(summarise_agreement(assessments)),
                      "subjects": _agreement(summarise_agreement(subjects))},
    }


def _said(statement: Statement, agreement: str | None) -> dict[str, Any]:
    return {"status": statement.status, "statement": statement.short, "agreement": agreement}


def _out_of_fold(statement: Statement | None, agreement: str | None) -> dict[str, Any] | None:
    if statement is None:
        return None
    return {"verdict": statement.leading, "confidence": _rounded(statement.confidence),
            "status": statement.status, "agreement": agreement}


def _agreement(summary: AgreementSummary) -> dict[str, Any]:
    return {"unseen": _tally(summary.unseen), "seen": _tally(summary.seen),
            "seen_out_of_fold": _tally(summary.seen_out_of_fold) if summary.has_out_of_fold else None}


def _tally(tally: Tally) -> dict[str, int]:
    return asdict(tally)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)
