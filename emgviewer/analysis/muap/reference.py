"""Published reference values for MUAPs of the biceps brachii with a concentric needle.

Sources, as cited:

- Multi-MUP analysis (Stalberg E, Falck B, Sonoo M, et al. Multi-MUP EMG analysis: a two year
  experience in daily clinical work. Electroencephalogr Clin Neurophysiol 1995;97:145-54;
  Bischoff C, Stalberg E, Falck B, Eeg-Olofsson KE. Reference values of motor unit action
  potentials obtained with multi-MUAP analysis. Muscle Nerve 1994;17:842-51), biceps, as
  tabulated in the Norwegian Society of Clinical Neurophysiology's guideline (reference
  values for EMG): mean amplitude 436 +- 115 uV, individual MUPs 178-1414 uV ("outlier"
  limits); mean duration 9.9 +- 1.4 ms, individual MUPs 4.2-16.4 ms. The limits for a
  record's mean are mean +- 2 SD. These values are not adjusted for age (they rise with it),
  and a mean is normally judged on at least 20 MUPs: with fewer units, the marks here are
  indicative only.
- Polyphasic MUPs (more than four phases): up to 15 % in most limb muscles is a commonly
  taught upper limit (e.g. Preston & Shapiro, Electromyography and Neuromuscular Disorders).
- Recruitment ratio (Daube JR, Rubin DI. Needle electromyography. Muscle Nerve
  2009;39:244-70): below 5 normally; above 10 in neurogenic reduced recruitment.
- Recruitment frequency (Petajan 1991): about 10 Hz normally (range up to about 15 Hz).
"""

from __future__ import annotations

from dataclasses import dataclass

WITHIN, ABOVE, BELOW = "within", "above", "below"
ARROWS = {ABOVE: "↑", BELOW: "↓"}


def marked(value: float | None, mark: str | None, fmt: str, unit: str = "") -> str:
    """``value`` with its unit and an arrow when outside the reference ("17.2 ms↑"); "-" for none."""
    return "-" if value is None else f"{value:{fmt}}{unit}{ARROWS.get(mark or '', '')}"


@dataclass(frozen=True)
class ReferenceRange:
    """A published reference range for one measure (biceps, concentric needle), with its source."""

    measure: str
    low: float | None
    high: float | None
    unit: str
    source: str
    percent: bool = False  # a share (0-1) shown in % ("<= 15 %"), as the measure itself is shown

    def mark(self, value: float | None) -> str | None:
        """"within", "above" or "below" the range; ``None`` when there is no value."""
        if value is None or value != value:  # None or NaN: nothing to judge
            return None
        if self.low is not None and value < self.low:
            return BELOW
        if self.high is not None and value > self.high:
            return ABOVE
        return WITHIN

    def text(self) -> str:
        """The range as people read it ("7.1-12.7 ms", "<= 15 %")."""
        scale, unit = (100.0, "%") if self.percent else (1.0, self.unit)
        low, high = (None if v is None else scale * v for v in (self.low, self.high))
        if low is not None and high is not None:
            return f"{low:g}-{high:g} {unit}".strip()
        if high is not None:
            return f"<= {high:g} {unit}".strip()
        return f">= {low:g} {unit}".strip()


_MULTI_MUP = "multi-MUP, biceps, concentric needle (Bischoff et al. 1994; Stalberg et al. 1995)"

#: Per MUAP (each unit's averaged potential).
UNIT = {
    "amplitude_uv": ReferenceRange("amplitude", 178.0, 1414.0, "µV", _MULTI_MUP + ", individual MUPs"),
    "duration_ms": ReferenceRange("duration", 4.2, 16.4, "ms", _MULTI_MUP + ", individual MUPs"),
}

#: Per record (over its units).
RECORD = {
    "mean_amplitude_uv": ReferenceRange("mean amplitude", 436.0 - 2 * 115.0, 436.0 + 2 * 115.0, "µV",
                                        _MULTI_MUP + ", mean 436 +- 115 µV"),
    "mean_duration_ms": ReferenceRange("mean duration", 9.9 - 2 * 1.4, 9.9 + 2 * 1.4, "ms",
                                       _MULTI_MUP + ", mean 9.9 +- 1.4 ms"),
    "polyphasic_share": ReferenceRange("polyphasic share", None, 0.15, "",
                                       "teaching value (Preston & Shapiro)", percent=True),
    "recruitment_ratio": ReferenceRange("recruitment ratio", None, 5.0, "", "Daube & Rubin 2009"),
    "recruitment_frequency_hz": ReferenceRange("recruitment frequency", None, 15.0, "Hz", "Petajan 1991"),
}

#: The references hold for this muscle and electrode only.
MUSCLE = "biceps brachii"
ELECTRODE = "concentric needle"
