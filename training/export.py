"""Export to a single ONNX file with the model card embedded, and check parity with torch."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

from emgviewer.atomic import atomic_write_bytes
from emgviewer.inference.card import CARD_KEY, parse_card
from emgviewer.records.n2001 import CLASS_LABELS
from training.train import INPUT_SCALE

PARITY_TOLERANCE = 1e-4
#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
CLASS_COLOURS = {"control": "#009E73", "myopathy": "#0072B2", "ALS": "#D55E00"}


def build_card(*, name: str, version: str, architecture: str, citation: str,
               class_names: tuple[str, ...], fs_hz: float, window_s: float, hop_s: float, n_times: int,
               temperature: float, uncertainty_threshold: float, training: dict[str, Any],
               evaluation: dict[str, Any]) -> dict[str, Any]:
    """A model card (as a dict) from what a run knows of its model."""
    card = {
        "schema_version": 1, "name": name, "version": version, "architecture": architecture,
        "citation": citation,
        "classes": [{"name": c, "label": CLASS_LABELS.get(c, c), "colour": CLASS_COLOURS.get(c, "#777777")}
                    for c in class_names],
        "input": {"fs_hz": fs_hz, "window_s": window_s, "hop_s": hop_s, "shape": ["batch", 1, n_times],
                  "scaling": {"kind": "fixed", "factor": INPUT_SCALE}, "preprocessing": "raw"},
        "output": {"kind": "logits"},
        "calibration": {"temperature": temperature},
        "uncertainty_threshold": uncertainty_threshold,
        "training": training,
        "evaluation": evaluation,
    }
    parse_card(card)  # the app's own validation: never ship a card the app would refuse
    return card


def export_onnx(model: nn.Module, card: dict[str, Any], path: Path, parity_windows_uv: np.ndarray) -> float:
    """Write ``path`` atomically; returns the max |onnxruntime - torch| on ``parity_windows_uv``
    and refuses to write when it exceeds :data:`PARITY_TOLERANCE`."""
    model = model.eval().cpu()
    n_times = card["input"]["shape"][-1]
    staging = path.with_name(f".{path.name}.export")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # exporter chatter about dynamic axes
        torch.onnx.export(model, (torch.zeros(1, 1, n_times),), str(staging), input_names=["emg"],
                          output_names=["logits"], dynamic_axes={"emg": {0: "batch"}, "logits": {0: "batch"}},
                          external_data=False, dynamo=False, opset_version=17)
    proto = onnx.load(staging)
    staging.unlink()
    onnx.helper.set_model_props(proto, {CARD_KEY: json.dumps(card)})
    data = proto.SerializeToString()
    difference = parity(model, data, parity_windows_uv)
    if difference > PARITY_TOLERANCE:
        raise RuntimeError(f"{path}: onnxruntime differs from torch by {difference:.2e} "
                           f"(> {PARITY_TOLERANCE:g}); not written")
    atomic_write_bytes(path, data)
    return difference


def parity(model: nn.Module, onnx_bytes: bytes, windows_uv: np.ndarray) -> float:
    """The largest |onnxruntime - torch| difference of the model's outputs on ``windows_uv``."""
    x = (np.asarray(windows_uv, dtype=np.float32) * np.float32(INPUT_SCALE))[:, None, :]
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    (onnx_out,) = session.run(None, {"emg": x})
    with torch.no_grad():
        torch_out = model(torch.from_numpy(x)).numpy()
    return float(np.abs(onnx_out - torch_out).max())
