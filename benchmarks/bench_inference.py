"""Inference speed: one whole N2001 record, onnxruntime against torch, and the whole folder.

    python benchmarks/bench_inference.py [--model FILE] [--data FOLDER] [--threads N]

Without --model it uses the shipped default model; while none ships, a stand-in compact 1-D
CNN (random weights, the cost class of the planned default) is exported on the fly and named
as such in the output. ``onnx_vs_torch`` runs the *same* weights in torch (eager, no grad) and
onnxruntime on the same windows with the same thread count, side by side, and divides torch's
time by onnxruntime's. Last line: one JSON object with ``record_ms``, ``onnx_vs_torch``,
``folder_s`` (null without the data folder) and ``alsnet_record_ms`` (exact ALSNet, random
weights, when the training package is installed).
Targets (2 cores): record <= 100 ms; onnxruntime >= 1.5x torch; folder <= 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from emgviewer.analysis import WindowGeometry, window_view
from emgviewer.inference import classify, default_model_path, load_model
from emgviewer.paths import demo_record_paths
from emgviewer.records import index_folder, read_record

STAND_IN_CARD = {
    "schema_version": 1, "name": "stand-in compact CNN (random weights)", "version": "0",
    "architecture": "benchmark stand-in: 5 strided conv blocks + global pooling",
    "citation": "none",
    "classes": [{"name": "control", "label": "normal (control)", "colour": "#009E73"},
                {"name": "myopathy", "label": "myopathy", "colour": "#0072B2"},
                {"name": "ALS", "label": "ALS / neurogenic", "colour": "#D55E00"}],
    "input": {"fs_hz": 23437.5, "window_s": 1.0, "hop_s": 0.4, "shape": ["batch", 1, 23437],
              "scaling": {"kind": "fixed", "factor": 0.002}, "preprocessing": "raw"},
    "output": {"kind": "logits"}, "calibration": {"temperature": 1.0},
    "uncertainty_threshold": 0.6, "training": {}, "evaluation": {},
}


def stand_in_torch_model():
    import torch
    from torch import nn

    def block(c_in, c_out, kernel, stride):
        return [nn.Conv1d(c_in, c_out, kernel, stride=stride, padding=kernel // 2),
                nn.BatchNorm1d(c_out), nn.ReLU()]

    torch.manual_seed(0)
    layers = [*block(1, 16, 15, 4), *block(16, 32, 9, 4), *block(32, 48, 9, 2),
              *block(48, 64, 7, 2), *block(64, 64, 5, 2), nn.AdaptiveMaxPool1d(1), nn.Flatten(),
              nn.Linear(64, 3)]
    return nn.Sequential(*layers).eval()


def export_stand_in(folder: Path):
    import onnx
    import torch

    model = stand_in_torch_model()
    path = folder / "stand_in.onnx"
    example = torch.zeros(1, 1, 23437)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (example,), str(path), input_names=["emg"], output_names=["logits"],
                          dynamic_axes={"emg": {0: "batch"}, "logits": {0: "batch"}},
                          external_data=False, dynamo=False)
    proto = onnx.load(path)
    onnx.helper.set_model_props(proto, {"emgviewer.card": json.dumps(STAND_IN_CARD)})
    onnx.save(proto, path)
    return path, model


def export_for_timing(name: str, folder: Path):
    """A registered architecture with fresh weights, in torch and exported to ONNX (same
    weights): for timings, which do not depend on the weights. ``(None, None)`` without the
    training package."""
    try:
        from training.export import build_card, export_onnx
        from training.models import build
    except ImportError:
        return None, None
    model = build(name, n_outputs=3, n_times=23437, fs_hz=23437.5).eval()
    card = build_card(name=f"{name} (fresh weights, timing only)", version="0", architecture=name,
                      citation="timing only", class_names=("control", "myopathy", "ALS"), fs_hz=23437.5,
                      window_s=1.0, hop_s=0.4, n_times=23437, temperature=1.0, uncertainty_threshold=0.6,
                      training={}, evaluation={})
    path = folder / f"{name}_timing.onnx"
    export_onnx(model, card, path, np.zeros((1, 23437), dtype=np.float32))
    return model, path


def alsnet_record_ms(record, folder: Path, threads: int) -> float | None:
    """One record through exact ALSNet."""
    _, path = export_for_timing("alsnet", folder)
    if path is None:
        return None
    loaded = load_model(path, force_cpu=True, threads=threads)
    return median_ms(lambda: classify(record, loaded), 3)


def median_ms(function, repeats: int) -> float:
    function()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def onnx_vs_torch(model, torch_model, record, threads: int) -> dict[str, float]:
    import torch

    torch.set_num_threads(threads)
    geometry = WindowGeometry.from_seconds(1.0, 0.4, record.fs_hz, record.n_samples)
    windows = np.ascontiguousarray(window_view(record.signal_uv, geometry))
    batch = model.prepare(windows)
    tensor = torch.from_numpy(batch)
    with torch.no_grad():
        torch_ms = median_ms(lambda: torch_model(tensor), 7)
    onnx_ms = median_ms(lambda: model.session.run(None, {model.input_name: batch}), 7)
    with torch.no_grad():
        difference = float(np.abs(torch_model(tensor).numpy()
                                  - model.session.run(None, {model.input_name: batch})[0]).max())
    return {"torch_ms": torch_ms, "onnx_ms": onnx_ms, "max_abs_diff": difference}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="ONNX model (default: the shipped one or a stand-in)")
    parser.add_argument("--data", type=Path, default=os.environ.get("EMGVIEWER_N2001_DIR"),
                        help="N2001 folder (default: $EMGVIEWER_N2001_DIR)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    temporary = tempfile.TemporaryDirectory()
    torch_model = None
    path = args.model or default_model_path()
    if path is None:
        path, torch_model = export_stand_in(Path(temporary.name))
    model = load_model(path, force_cpu=True, threads=args.threads)
    record_path = (args.data / "N2001A01BB02.hea") if args.data else demo_record_paths()[2]
    record = read_record(record_path)

    record_ms = median_ms(lambda: classify(record, model), 7)
    print(f"model: {model.card.name} ({model.provider_label}, {args.threads} threads)")
    print(f"record: {record.name}, {record.duration_s:.2f} s -> classify median {record_ms:.1f} ms (target <= 100 ms)")

    ratio = None
    if torch_model is None:  # the shipped model: time its architecture with fresh weights in both
        torch_model, pair_path = export_for_timing("munet", Path(temporary.name))
        pair = load_model(pair_path, force_cpu=True, threads=args.threads) if pair_path else None
    else:
        pair = model
    if torch_model is not None and pair is not None:
        comparison = onnx_vs_torch(pair, torch_model, record, args.threads)
        ratio = comparison["torch_ms"] / comparison["onnx_ms"]
        print(f"same windows, same weights: torch {comparison['torch_ms']:.1f} ms, onnxruntime "
              f"{comparison['onnx_ms']:.1f} ms -> {ratio:.2f}x (max |diff| {comparison['max_abs_diff']:.2e})")
    else:
        print("onnx_vs_torch: needs torch and the training package")

    alsnet_ms = alsnet_record_ms(record, Path(temporary.name), args.threads)
    if alsnet_ms is not None:
        print(f"exact ALSNet: {alsnet_ms:.0f} ms per record")

    folder_s = None
    if args.data:
        entries = index_folder(args.data).records
        start = time.perf_counter()
        for entry in entries:
            classify(read_record(entry.path), model)
        folder_s = time.perf_counter() - start
        print(f"folder: {len(entries)} records in {folder_s:.1f} s (target <= 30 s)")
    print(json.dumps({"model": model.card.name, "record_ms": round(record_ms, 2),
                      "onnx_vs_torch": None if ratio is None else round(ratio, 2),
                      "folder_s": None if folder_s is None else round(folder_s, 2),
                      "alsnet_record_ms": None if alsnet_ms is None else round(alsnet_ms, 1)}))
    temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
