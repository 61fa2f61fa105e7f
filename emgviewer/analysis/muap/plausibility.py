"""Which sorted units cannot be one motor unit firing in a low voluntary contraction, and why.

The sorter groups discharges by shape; a group can still be two units merged, one unit split,
noise that crossed the threshold, or a unit seen only by chance. Such a "unit" is reported with
its reasons and kept out of the record's means (the clinical measures), never silently dropped:

- firing below ``MIN_RATE_HZ`` or above ``MAX_RATE_HZ``: at the low, steady contraction of a
  MUAP analysis, motor units fire at about 5-20 Hz (onset about 5 Hz, Petajan 1991); under 4 Hz
  is not a steady train, over 40 Hz is two trains merged or a train of artefacts;
- inter-discharge intervals varying with a coefficient of variation above ``MAX_IDI_CV``: one
  unit's rhythm varies by about 0.1-0.2 (the decomposition literature's bound for a plausible
  train is around 0.3-0.5);
- an averaged potential smaller than the detection threshold: the discharges it was averaged
  from were detected above that level, so an average below it is misaligned noise.
"""

from __future__ import annotations

MIN_RATE_HZ = 4.0
MAX_RATE_HZ = 40.0
MAX_IDI_CV = 0.5


def implausible_reasons(mean_rate_hz: float | None, idi_cv: float | None, amplitude_uv: float,
                        threshold_uv: float) -> tuple[str, ...]:
    """Why a unit is not a plausible single motor unit (empty when it is), in words."""
    reasons = []
    if mean_rate_hz is not None and mean_rate_hz < MIN_RATE_HZ:
        reasons.append(f"fires at {mean_rate_hz:.1f} Hz, under {MIN_RATE_HZ:g} Hz")
    if mean_rate_hz is not None and mean_rate_hz > MAX_RATE_HZ:
        reasons.append(f"fires at {mean_rate_hz:.1f} Hz, over {MAX_RATE_HZ:g} Hz")
    if idi_cv is not None and idi_cv > MAX_IDI_CV:
        reasons.append(f"irregular (IDI CV {idi_cv:.2f} > {MAX_IDI_CV:g})")
    if amplitude_uv < threshold_uv:
        reasons.append(f"potential {amplitude_uv:.0f} µV, under the detection threshold {threshold_uv:.0f} µV")
    return tuple(reasons)
