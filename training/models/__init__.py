"""Model registry: one file per architecture, every model built with the same arguments
``(n_outputs, n_times, fs_hz, **options)``."""

from __future__ import annotations

from typing import Callable

from torch import nn

from training.models.cost import count_macs, count_parameters
from training.models.munet import MUNet

#: name -> (constructor, short description)
REGISTRY: dict[str, tuple[Callable[..., nn.Module], str]] = {
    "munet": (MUNet, "MUNet: compact 1-D CNN, MUAP-scale encoder + dilated firing-pattern context"),
    "munet-local": (lambda **kw: MUNet(context_blocks=0, **kw),
                    "MUNet without the dilated context blocks (MUAP-scale only)"),
    "munet-small": (lambda **kw: MUNet(width=0.75, **kw), "MUNet with 0.75x the channels"),
}


def build(name: str, n_outputs: int, n_times: int, fs_hz: float, **options) -> nn.Module:
    if name not in REGISTRY:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name][0](n_outputs=n_outputs, n_times=n_times, fs_hz=fs_hz, **options)


__all__ = ["REGISTRY", "build", "count_macs", "count_parameters"]
