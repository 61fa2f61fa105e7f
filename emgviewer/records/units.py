"""Conversion of physical units to µV, the one unit the rest of the code uses."""

from __future__ import annotations

# Lower-cased unit text -> factor to µV. "mv" occurs in real PhysioNet headers.
_TO_UV = {
    "uv": 1.0,
    "µv": 1.0,  # micro sign
    "μv": 1.0,  # Greek mu
    "microvolt": 1.0,
    "microvolts": 1.0,
    "mv": 1e3,
    "millivolt": 1e3,
    "millivolts": 1e3,
    "v": 1e6,
    "volt": 1e6,
    "volts": 1e6,
    "nv": 1e-3,
}


def uv_per_unit(units: str) -> float | None:
    """Factor that turns a value in ``units`` into µV; ``None`` when the unit is unknown."""
    return _TO_UV.get(units.strip().lower())
