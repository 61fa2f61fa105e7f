"""Patient and recording metadata parsed from header comments.

Two dialects occur in real files:

- N2001 (EMGLAB): one ``key: value`` per comment line (``#age: 56``, ``#high-pass filter: 2 Hz``).
- PhysioNet: ``<key>: value`` fields, several on one line (``# <age>: 44 <sex>: M``), plus free
  text lines, which are kept as notes.

Header typos are original ("healty controls", "indentifier") and are kept verbatim in
``fields``; only the well-known keys are normalised into typed attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# Raw key (lower case) -> attribute name.
_KEY_ALIASES = {
    "sex": "gender",
    "gender": "gender",
    "age": "age",
    "diagnosis": "diagnosis",
    "diagnoses": "diagnosis",
    "muscle": "muscle",
    "side": "side",
    "level": "level",
    "protocol": "protocol",
    "electrode": "electrode",
    "high-pass filter": "high_pass",
    "highpass": "high_pass",
    "low-pass filter": "low_pass",
    "lowpass": "low_pass",
    "date": "date",
}

# Free-text notes that name the muscle or electrode ("EMG from 25mm concentric needle electrode
# placed in tibialis anterior muscle", PhysioNet).
_MUSCLE_NOTE = re.compile(r"\b(?:in|into|from|of)\s+(?:the\s+)?(?:(?:left|right)\s+)?"
                          r"([a-z][a-z ]{2,40}?)\s+muscle\b", re.I)
_ELECTRODE_NOTE = re.compile(r"\b(concentric needle|monopolar needle|single[- ]fib(?:er|re)|surface)\b", re.I)
_PHYSIONET_FIELD = re.compile(r"<([^<>]+)>:?\s*([^<]*)")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 _\-]{0,40}?)\s*:\s*(.*)$")
_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*([kKmM]?)(?:hz|Hz|HZ)\b")
_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)")

# Diagnosis wording -> class name (same names as the N2001 groups). A neuropathy or a
# radiculopathy is not ALS: it is said as "neuropathy", and judged against a model's class only
# where that class says it covers neurogenic findings ("ALS / neurogenic"; inference.caveats).
_TRUTH_PATTERNS = (
    (re.compile(r"myopath", re.I), "myopathy"),
    (re.compile(r"\bALS\b|amyotroph|motor neuron", re.I), "ALS"),
    (re.compile(r"neurogenic|neuropath|radiculopath", re.I), "neuropathy"),
    (re.compile(r"health|healty|control|normal|no history of neuromuscular", re.I), "control"),
)


@dataclass(frozen=True)
class RecordMetadata:
    """What the header says about the patient and the recording. Missing fields are ``None``."""

    gender: str | None = None
    age_years: float | None = None
    diagnosis: str | None = None
    muscle: str | None = None
    side: str | None = None
    level: str | None = None
    protocol: str | None = None
    electrode: str | None = None
    high_pass_hz: float | None = None
    low_pass_hz: float | None = None
    date: str | None = None
    #: Every ``key: value`` field of the header, keys in lower case, values verbatim.
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: Comment lines that are not ``key: value`` fields.
    notes: tuple[str, ...] = ()

    def stated_muscle(self) -> str | None:
        """The muscle, lower case without qualifiers ("biceps brachii"), from the ``muscle``
        field or a free-text note; ``None`` when the file does not say."""
        text = self.muscle
        if not text:
            found = next((m for m in map(_MUSCLE_NOTE.search, self.notes) if m), None)
            text = found[1] if found else None
        return normalise_term(text) if text else None

    def stated_electrode(self) -> str | None:
        """The electrode ("concentric needle"), from the ``electrode`` field or a note."""
        if self.electrode:
            return normalise_term(self.electrode)
        found = next((m for m in map(_ELECTRODE_NOTE.search, self.notes) if m), None)
        return normalise_term(found[1]) if found else None

    def truth_from_diagnosis(self) -> str | None:
        """Class named by the diagnosis text ("ALS", "control", "myopathy"), or ``None``."""
        if not self.diagnosis:
            return None
        for pattern, name in _TRUTH_PATTERNS:
            if pattern.search(self.diagnosis):
                return name
        return None


def parse_comments(comments: list[str] | tuple[str, ...]) -> RecordMetadata:
    """Parse header comment lines (without their leading ``#``) into :class:`RecordMetadata`."""
    fields: dict[str, str] = {}
    notes: list[str] = []
    last_key: str | None = None  # the field a PhysioNet continuation line goes on
    for raw in comments:
        line = raw.strip()
        if not line:
            continue
        if last_key is not None and raw.startswith("  ") and "<" not in line and ":" not in line:
            # "# <diagnoses>: … neuropathy due to a" then "#  right L5 radiculopathy": one value.
            fields[last_key] = f"{fields[last_key]} {line}".strip()
            continue
        last_key = None
        if "<" in line and _PHYSIONET_FIELD.search(line):
            for key, value in _PHYSIONET_FIELD.findall(line):
                last_key = key.strip().lower()
                fields[last_key] = value.strip()
            continue
        match = _KEY_VALUE.match(line)
        if match:
            fields[match[1].strip().lower()] = match[2].strip()
        else:
            notes.append(line)
    return _from_fields(fields, tuple(notes))


def _from_fields(fields: dict[str, str], notes: tuple[str, ...]) -> RecordMetadata:
    known: dict[str, str] = {}
    for key, value in fields.items():
        attr = _KEY_ALIASES.get(key)
        if attr and value and attr not in known:
            known[attr] = value
    return RecordMetadata(
        gender=_gender(known.get("gender")),
        age_years=_number(known.get("age")),
        diagnosis=known.get("diagnosis"),
        muscle=known.get("muscle"),
        side=known.get("side"),
        level=known.get("level"),
        protocol=known.get("protocol"),
        electrode=known.get("electrode"),
        high_pass_hz=frequency_hz(known.get("high_pass")),
        low_pass_hz=frequency_hz(known.get("low_pass")),
        date=known.get("date"),
        fields=MappingProxyType(dict(fields)),
        notes=notes,
    )


def normalise_term(text: str) -> str:
    """Lower case, parenthetical qualifiers dropped, spaces collapsed: "Biceps brachii (long
    head)" -> "biceps brachii"."""
    return " ".join(re.sub(r"\([^)]*\)", " ", text).lower().split())


def frequency_hz(text: str | None) -> float | None:
    """``"2 Hz"`` -> 2.0, ``"10 kHz"`` -> 10000.0; ``None`` when there is no frequency."""
    if not text:
        return None
    match = _NUMBER_WITH_UNIT.match(text)
    if not match:
        return None
    scale = {"": 1.0, "k": 1e3, "K": 1e3, "m": 1e-3, "M": 1e6}[match[2]]
    return float(match[1]) * scale


def _number(text: str | None) -> float | None:
    match = _LEADING_NUMBER.match(text or "")
    return float(match[1]) if match else None


def _gender(text: str | None) -> str | None:
    if not text:
        return None
    first = text.strip()[:1].upper()
    return {"M": "M", "F": "F"}.get(first, text.strip())
