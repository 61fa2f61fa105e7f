"""The model card: the one contract between training and the app.

It travels inside the ONNX file, as JSON in ``metadata_props`` under :data:`CARD_KEY`, so a
model can never be separated from the description of what it expects and what it achieved.

Schema (``schema_version`` 1)::

    {"schema_version": 1, "name": str, "version": str, "architecture": str, "citation": str,
     "classes": [{"name": "control", "label": "normal (control)", "colour": "#009E73"}, ...],
     "input": {"fs_hz": 23437.5, "window_s": 1.0, "hop_s": 0.4,
               "shape": ["batch", 1, 23437],            # first axis dynamic
               "scaling": {"kind": "none" | "fixed" | "per_window_zscore", "factor": 0.001},
               "preprocessing": "raw"},
     "output": {"kind": "logits" | "probabilities"},
     "calibration": {"temperature": 1.0,               # optional below
                     "record_temperature": 1.0, "record_uncertainty_threshold": 0.6,
                     "record_stacker": {...}},           # emgviewer.analysis.stacking.RecordStacker
     "uncertainty_threshold": 0.6,                      # max probability below it: uncertain
     "training": {...},                                 # data, subjects, protocol, date, code revision
     "evaluation": {...}}                               # subject-independent metrics

What ``training`` and ``evaluation`` may say about the data (subjects, their recordings'
distribution, the protocol, out-of-fold verdicts) is in :mod:`emgviewer.inference.provenance`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from emgviewer.analysis.stacking import RecordStacker
from emgviewer.analysis.windows import seconds_to_samples
from emgviewer.inference.errors import CardError
from emgviewer.inference.provenance import Provenance, parse_provenance
from emgviewer.records.files import MAX_RATE_HZ

CARD_KEY = "emgviewer.card"
SCHEMA_VERSION = 1
SCALING_KINDS = ("none", "fixed", "per_window_zscore")
PREPROCESSING = ("raw",)  # spectral front-ends live inside the ONNX graph
OUTPUT_KINDS = ("logits", "probabilities")
MAX_WINDOW_S = 3600.0
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class ClassInfo:
    """One class of a model: its name in the data, its label for people, and its colour."""

    name: str  # as used in truth and training labels: "ALS", "control", "myopathy"
    label: str  # as shown to a person
    colour: str  # "#rrggbb"


@dataclass(frozen=True)
class Scaling:
    """How windows are scaled before the graph sees them (``none``, ``fixed`` by ``factor``, or
    ``per_window_zscore``)."""

    kind: str = "none"
    factor: float = 1.0


@dataclass(frozen=True)
class InputContract:
    """What a model takes: rate, window, hop and shape, and how windows are scaled."""

    fs_hz: float
    window_s: float
    hop_s: float
    shape: tuple[str | int, ...]
    scaling: Scaling = Scaling()
    preprocessing: str = "raw"

    @property
    def n_times(self) -> int:
        """Samples per window, as the graph's input shape says."""
        return int(self.shape[-1])

    def hop_or_card(self, hop_s: float | None) -> float:
        """The hop asked for, or the card's when none was (``None``): resolved here only."""
        return hop_s or self.hop_s


@dataclass(frozen=True)
class ModelCard:
    """Everything a model file says about itself (its JSON card): classes, input, calibration,
    provenance, evaluation."""

    name: str
    version: str
    architecture: str
    citation: str
    classes: tuple[ClassInfo, ...]
    input: InputContract
    output_kind: str = "logits"
    temperature: float = 1.0
    uncertainty_threshold: float = 0.5
    #: Record verdicts: their own calibration and threshold, fitted on validation subjects
    #: (optional: without them, records use the window temperature's output and threshold).
    record_temperature: float = 1.0
    record_uncertainty_threshold: float | None = None
    #: A record verdict learned from the windows (and MUAP measures) on out-of-fold records,
    #: instead of the windows' mean probability (:mod:`emgviewer.analysis.stacking`).
    record_stacker: RecordStacker | None = field(default=None, compare=False)
    training: dict[str, Any] = field(default_factory=dict)
    evaluation: dict[str, Any] = field(default_factory=dict)
    #: Parsed from ``training`` and ``evaluation``: training subjects, their recordings'
    #: distribution, the evaluation protocol and out-of-fold verdicts.
    provenance: Provenance = field(default_factory=Provenance, compare=False)

    @property
    def class_names(self) -> tuple[str, ...]:
        """The classes' names, in the order of the model's outputs."""
        return tuple(c.name for c in self.classes)

    @property
    def record_threshold(self) -> float:
        """Below this, a record's (and a subject's) leading class reads "uncertain"."""
        return self.uncertainty_threshold if self.record_uncertainty_threshold is None else self.record_uncertainty_threshold

    def to_dict(self) -> dict[str, Any]:
        """The card as JSON-ready data, in the schema's layout."""
        contract = self.input
        scaling: dict[str, Any] = {"kind": contract.scaling.kind}
        if contract.scaling.kind == "fixed":
            scaling["factor"] = contract.scaling.factor
        return {
            "schema_version": SCHEMA_VERSION,
            "name": self.name, "version": self.version, "architecture": self.architecture,
            "citation": self.citation,
            "classes": [asdict(c) for c in self.classes],
            "input": {"fs_hz": contract.fs_hz, "window_s": contract.window_s,
                      "hop_s": contract.hop_s, "shape": list(contract.shape),
                      "scaling": scaling, "preprocessing": contract.preprocessing},
            "output": {"kind": self.output_kind},
            "calibration": {"temperature": self.temperature,
                            **({"record_temperature": self.record_temperature} if self.record_temperature != 1.0 else {}),
                            **({"record_uncertainty_threshold": self.record_uncertainty_threshold}
                               if self.record_uncertainty_threshold is not None else {}),
                            **({"record_stacker": self.record_stacker.to_dict()} if self.record_stacker else {})},
            "uncertainty_threshold": self.uncertainty_threshold,
            "training": self.training, "evaluation": self.evaluation,
        }

    def to_json(self) -> str:
        """The card as the JSON a model file carries."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_json(cls, text: str) -> "ModelCard":
        """A card from a model file's JSON; a CardError saying what is wrong with it."""
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as err:
            raise CardError(f"card is not valid JSON ({err})") from None
        except RecursionError:
            raise CardError("card is nested too deeply to be a model card") from None
        if not isinstance(data, dict):
            raise CardError("card must be a JSON object")
        return parse_card(data)


def parse_card(data: dict[str, Any]) -> ModelCard:
    """Validate a card dictionary; :class:`CardError` says which field is wrong and why."""
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise CardError(f"unsupported schema_version {version!r} (this app reads {SCHEMA_VERSION})")
    training = _optional_object(data, "training")
    evaluation = _evaluation(_optional_object(data, "evaluation"))
    calibration = _object(data, "calibration")
    card = ModelCard(
        name=_text(data, "name"),
        version=_text(data, "version"),
        architecture=_text(data, "architecture"),
        citation=str(data.get("citation", "")),
        classes=_classes(data.get("classes")),
        input=_input(_object(data, "input")),
        output_kind=_choice(_object(data, "output"), "kind", OUTPUT_KINDS, "output.kind"),
        temperature=_positive(calibration, "temperature", "calibration.temperature"),
        uncertainty_threshold=_number(data, "uncertainty_threshold"),
        record_temperature=(_positive(calibration, "record_temperature", "calibration.record_temperature")
                            if "record_temperature" in calibration else 1.0),
        record_uncertainty_threshold=(_number(calibration, "record_uncertainty_threshold",
                                              "calibration.record_uncertainty_threshold")
                                      if "record_uncertainty_threshold" in calibration else None),
        record_stacker=_stacker(calibration, data.get("classes")),
        training=training,
        evaluation=evaluation,
        provenance=parse_provenance(training, evaluation),
    )
    if not 0.0 <= card.uncertainty_threshold <= 1.0:
        raise CardError(f"uncertainty_threshold must be in [0, 1], got {card.uncertainty_threshold}")
    if card.record_uncertainty_threshold is not None and not 0.0 <= card.record_uncertainty_threshold <= 1.0:
        raise CardError("calibration.record_uncertainty_threshold must be in [0, 1], "
                        f"got {card.record_uncertainty_threshold}")
    return card


#: Evaluation fields the app reads as shares (0..1); others are shown as the card gives them.
EVALUATION_SHARES = ("window_accuracy", "window_balanced_accuracy", "record_accuracy", "ece_before_calibration",
                     "ece_after_calibration", "record_ece")


def _evaluation(evaluation: dict[str, Any]) -> dict[str, Any]:
    """The card's evaluation, its numbers checked: a share the app reads (to caution against a
    model at chance, say) must be one, so a card saying ``"high"`` is refused with the field."""
    for key in EVALUATION_SHARES:
        if evaluation.get(key) is not None:
            _share(evaluation, key, f"evaluation.{key}")
    recall = evaluation.get("window_recall")
    if recall is not None:
        if not isinstance(recall, dict):
            raise CardError("evaluation.window_recall must be an object of class name to share")
        for name in recall:
            if recall[name] is not None:  # None: no window of that class was tested
                _share(recall, name, f"evaluation.window_recall.{name}")
    if "protocol" in evaluation and not isinstance(evaluation["protocol"], str):
        raise CardError(f"evaluation.protocol must be text, got {_shown(evaluation['protocol'])}")
    return evaluation


def _share(data: dict[str, Any], key: str, where: str) -> float:
    value = _number(data, key, where)
    if not 0.0 <= value <= 1.0:
        raise CardError(f"{where} must be a share between 0 and 1, got {value:g}")
    return value


def _stacker(calibration: dict[str, Any], classes: Any) -> RecordStacker | None:
    if "record_stacker" not in calibration:
        return None
    try:
        return RecordStacker.from_dict(calibration["record_stacker"], [c.name for c in _classes(classes)])
    except ValueError as err:
        raise CardError(f"calibration.record_stacker: {err}") from None


def _classes(value: Any) -> tuple[ClassInfo, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise CardError("classes must list at least two classes")
    classes = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise CardError(f"classes[{index}] must be an object")
        colour = _text(item, "colour", f"classes[{index}].colour")
        if not _COLOUR.match(colour):
            raise CardError(f"classes[{index}].colour must be '#rrggbb', got {colour!r}")
        name = _text(item, "name", f"classes[{index}].name")
        classes.append(ClassInfo(name, str(item.get("label") or name), colour))
    names = [c.name for c in classes]
    if len(set(names)) != len(names):
        raise CardError(f"class names must be unique, got {names}")
    return tuple(classes)


def _input(data: dict[str, Any]) -> InputContract:
    fs_hz = _positive(data, "fs_hz", "input.fs_hz")
    window_s = _positive(data, "window_s", "input.window_s")
    hop_s = _positive(data, "hop_s", "input.hop_s")
    if fs_hz > MAX_RATE_HZ or window_s > MAX_WINDOW_S or hop_s > MAX_WINDOW_S:
        raise CardError(f"input: {fs_hz:g} Hz, {window_s:g}-s windows every {hop_s:g} s is beyond what a "
                        f"window classifier can mean (up to {MAX_RATE_HZ:g} Hz and {MAX_WINDOW_S:g} s)")
    if hop_s * fs_hz < 1:
        raise CardError(f"input.hop_s {hop_s:g} s is shorter than one sample at {fs_hz:g} Hz "
                        f"({1 / fs_hz:.3g} s)")
    shape = data.get("shape")
    if (not isinstance(shape, list) or len(shape) < 2 or not isinstance(shape[0], str)
            or not all(isinstance(d, int) and d > 0 for d in shape[1:])):
        raise CardError(f"input.shape must be a dynamic batch name then positive sizes, "
                        f"e.g. ['batch', 1, 23437]; got {shape!r}")
    expected = seconds_to_samples(window_s, fs_hz)
    if shape[-1] != expected:
        raise CardError(f"input.shape ends in {shape[-1]} samples but window_s {window_s} s at "
                        f"{fs_hz} Hz is {expected} samples")
    scaling_data = data.get("scaling", {"kind": "none"})
    if not isinstance(scaling_data, dict):
        raise CardError("input.scaling must be an object")
    kind = _choice(scaling_data, "kind", SCALING_KINDS, "input.scaling.kind")
    factor = _positive(scaling_data, "factor", "input.scaling.factor") if kind == "fixed" else 1.0
    preprocessing = _choice(data, "preprocessing", PREPROCESSING, "input.preprocessing")
    return InputContract(fs_hz, window_s, hop_s, tuple(shape), Scaling(kind, factor), preprocessing)


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise CardError(f"{key} must be an object")
    return value


def _optional_object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise CardError(f"{key} must be an object")
    return value


def _text(data: dict[str, Any], key: str, where: str | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CardError(f"{where or key} must be a non-empty string")
    return value


def _number(data: dict[str, Any], key: str, where: str | None = None) -> float:
    value = data.get(key)
    try:  # a 400-digit integer is JSON, but no float: said like any other bad number
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan
    except OverflowError:
        number = math.nan
    if not math.isfinite(number):
        raise CardError(f"{where or key} must be a finite number, got {_shown(value)}")
    return number


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"


def _no_constant(name: str) -> None:
    raise CardError(f"card holds {name}, which is not JSON: every number must be finite")


def _positive(data: dict[str, Any], key: str, where: str) -> float:
    value = _number(data, key, where)
    if value <= 0:
        raise CardError(f"{where} must be positive, got {value}")
    return value


def _choice(data: dict[str, Any], key: str, choices: tuple[str, ...], where: str) -> str:
    value = data.get(key)
    if value not in choices:
        raise CardError(f"{where} {value!r} is not one of {', '.join(choices)}")
    return value
