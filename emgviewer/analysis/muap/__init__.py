"""Quantitative MUAP analysis (numpy and scipy only): find each motor unit's discharges, average
its potential, and measure what a clinician reports (amplitude, duration, phases, turns, area,
size index, satellites, firing rate, recruitment), marked against published reference values.

``analyse_muaps(signal_uv, fs_hz)`` does it all; the steps live in their own modules:
``detect`` (analysis band, threshold), ``sort`` (units), ``waveform`` (averages and their
measures), ``firing`` (rates, recruitment), ``reference`` (normative values, cited).
"""

from emgviewer.analysis.muap.analysis import (
    SCHEMA_VERSION,
    MotorUnit,
    MuapAnalysis,
    RecordSummary,
    analyse_muaps,
)
from emgviewer.analysis.muap.detect import MuapAnalysisError

__all__ = ["SCHEMA_VERSION", "MotorUnit", "MuapAnalysis", "MuapAnalysisError", "RecordSummary", "analyse_muaps"]
