"""Small, real ONNX models for the tests, built with the onnx helper API.

The "amplitude" model scores a window by its largest absolute sample (µV): large potentials
read as ALS / neurogenic, small ones as myopathy, the rest as control. It is crude on purpose:
we know exactly where its evidence is, which is what the saliency test needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from emgviewer.inference import CARD_KEY

CLASSES = [
    {"name": "control", "label": "normal (control)", "colour": "#009E73"},
    {"name": "myopathy", "label": "myopathy", "colour": "#0072B2"},
    {"name": "ALS", "label": "ALS / neurogenic", "colour": "#D55E00"},
]
# logit = weight * peak_uv + bias, per class.
WEIGHTS = np.array([[0.0, -0.004, 0.004]], dtype=np.float32)
BIASES = np.array([0.0, 1.2, -6.0], dtype=np.float32)


def card_dict(fs_hz: float = 4000.0, window_s: float = 0.25, hop_s: float = 0.1,
              n_times: int | None = None, **overrides: Any) -> dict[str, Any]:
    n_times = n_times if n_times is not None else int(np.floor(window_s * fs_hz + 1e-6))
    card = {
        "schema_version": 1,
        "name": "amplitude-test", "version": "0.0.1", "architecture": "max |x| -> linear",
        "citation": "test fixture",
        "classes": CLASSES,
        "input": {"fs_hz": fs_hz, "window_s": window_s, "hop_s": hop_s,
                  "shape": ["batch", 1, n_times], "scaling": {"kind": "none"},
                  "preprocessing": "raw"},
        "output": {"kind": "logits"},
        "calibration": {"temperature": 1.0},
        "uncertainty_threshold": 0.6,
        "training": {"data": "none: hand-set weights"},
        "evaluation": {},
    }
    card.update(overrides)
    return card


def amplitude_model(n_times: int, softmax_output: bool = False) -> onnx.ModelProto:
    x = helper.make_tensor_value_info("emg", TensorProto.FLOAT, ["batch", 1, n_times])
    y = helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 3])
    nodes = [
        helper.make_node("Abs", ["emg"], ["magnitude"]),
        helper.make_node("ReduceMax", ["magnitude"], ["peak"], axes=[1, 2], keepdims=1),
        helper.make_node("Reshape", ["peak", "column"], ["peak_column"]),
        helper.make_node("MatMul", ["peak_column", "weights"], ["weighted"]),
        helper.make_node("Add", ["weighted", "biases"], ["logits" if softmax_output else "scores"]),
    ]
    if softmax_output:
        nodes.append(helper.make_node("Softmax", ["logits"], ["scores"], axis=1))
    initializers = [numpy_helper.from_array(WEIGHTS, "weights"),
                    numpy_helper.from_array(BIASES, "biases"),
                    numpy_helper.from_array(np.array([-1, 1], dtype=np.int64), "column")]
    graph = helper.make_graph(nodes, "amplitude", [x], [y], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_model(path: Path, card: dict[str, Any] | str | None, n_times: int | None = None,
                softmax_output: bool = False) -> Path:
    """Write the amplitude model with ``card`` (a dict, raw text, or ``None`` for no card)."""
    if n_times is None:
        n_times = card["input"]["shape"][-1] if isinstance(card, dict) else 1000
    model = amplitude_model(n_times, softmax_output)
    if card is not None:
        helper.set_model_props(model, {CARD_KEY: card if isinstance(card, str) else json.dumps(card)})
    onnx.save(model, path)
    return path


def expected_probabilities(windows_uv: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """What the model must output, computed in numpy: an independent check of the session."""
    peak = np.abs(windows_uv).max(axis=1, keepdims=True).astype(np.float64)
    logits = (peak * WEIGHTS.astype(np.float64) + BIASES) / temperature
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)
