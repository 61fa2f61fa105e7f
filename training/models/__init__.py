"""Model registry: one file per architecture, every model built with the same arguments
``(n_outputs, n_times, fs_hz)``, each with its published input contract and training recipe."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from torch import nn

from training.models.alsnet import ALSNet
from training.models.cost import count_macs, count_parameters
from training.models.munet import MUNet
from training.models.nemgnet import NEMGNet
from training.models.resemgnet import ResEMGNet
from training.models.spectroemgnet import SpectroEMGNet
from training.models.thesis_cnn import ThesisCNN


@dataclass(frozen=True)
class ModelSpec:
    """A registered architecture: how to build it, its published window, hop, rate and recipe, and its source."""

    build: Callable[..., nn.Module]
    description: str
    citation: str
    claim: str = ""  # what the paper reports, with its protocol
    fs_hz: float = 23437.5
    window_s: float = 1.0
    hop_s: float = 0.4
    recipe: dict[str, Any] = field(default_factory=dict)  # TrainConfig overrides


_OURS = "emgviewer training package, training/models/munet.py"

REGISTRY: dict[str, ModelSpec] = {
    "munet": ModelSpec(MUNet, "MUNet: compact 1-D CNN, MUAP-scale encoder + dilated firing-pattern context", _OURS),
    "munet-local": ModelSpec(lambda **kw: MUNet(context_blocks=0, **kw),
                             "MUNet without the dilated context blocks (MUAP-scale only)", _OURS),
    "munet-small": ModelSpec(lambda **kw: MUNet(width=0.75, **kw), "MUNet with 0.75x the channels", _OURS),
    "munet-log": ModelSpec(lambda **kw: MUNet(compress_mv=0.05, **kw),
                           "MUNet on log-compressed amplitude, sign(x) log(1 + |x| / 50 µV)", _OURS),
    "alsnet": ModelSpec(
        ALSNet, "ALSNet: 3 dilated Conv1D + global max pooling (exact; sigmoid head for 2 classes)",
        "Hassan et al., ALSNet, ICASSP 2022 (code: NaimulHassan/ALSNet)",
        "97.74 % segment accuracy, ALS vs control, segment-level split",
        recipe={"learning_rate": 1e-3, "batch_size": 48, "plateau_factor": 0.1, "plateau_patience": 5,
                "patience": 25, "weight_decay": 0.0}),
    "thesis-cnn": ModelSpec(
        ThesisCNN, "Thesis CNN: 4 dilated Conv1D with L2, BN, dropout (filter counts inferred)",
        "Loubar & Toubal, Master's thesis, Univ. M'Hamed Bougara Boumerdes, 2023",
        "71.89 % mean subject-independent 3-class window accuracy (99.85 % with a random split)",
        hop_s=0.4, recipe={"learning_rate": 1e-3, "batch_size": 16, "patience": 25, "plateau_patience": 6,
                           "smote": True, "weight_decay": 0.0}),
    "resemgnet": ModelSpec(
        ResEMGNet, "ResEMGNet: lightweight residual 1-D CNN (architecture inferred)",
        "Rahman, Rahman, Raihan, Shahnaz, arXiv 2309.10756",
        "94.43 % 3-class accuracy, called subject-independent"),
    "spectroemgnet": ModelSpec(
        SpectroEMGNet, "SpectroEMG-Net: in-graph log/delta spectrum, 2-D CNN, temporal attention",
        "Rahman, Rahman, Shahnaz, arXiv 2309.10483", "92 % 3-class accuracy"),
    "nemgnet": ModelSpec(
        NEMGNet, "nEMGNet: 10 kHz, 0.4-s windows, residual stages 64-1024, large FC head",
        "Yoo et al., Comput. Methods Programs Biomed. 2022 (code: jsyoo61/nEMGNet_DiVote)",
        "median patient-level accuracy 0.70 (physicians 0.55), private 48 kHz cohort",
        fs_hz=10_000.0, window_s=0.4, hop_s=0.1, recipe={"learning_rate": 1e-3, "batch_size": 32}),
}


def build(name: str, n_outputs: int, n_times: int, fs_hz: float, **options) -> nn.Module:
    """The registered model ``name`` for ``n_outputs`` classes and ``n_times`` samples at ``fs_hz``."""
    if name not in REGISTRY:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name].build(n_outputs=n_outputs, n_times=n_times, fs_hz=fs_hz, **options)


__all__ = ["REGISTRY", "ModelSpec", "build", "count_macs", "count_parameters"]
