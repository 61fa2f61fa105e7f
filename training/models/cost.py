"""Parameter and multiply-accumulate counts, so every model states what it costs."""

from __future__ import annotations

import torch
from torch import nn


def count_parameters(model: nn.Module) -> int:
    """How many parameters the model has."""
    return sum(p.numel() for p in model.parameters())


def count_macs(model: nn.Module, n_times: int) -> int:
    """Multiply-accumulates for one window, counted on convolution and linear layers."""
    total = 0

    def conv_hook(module: nn.Module, inputs, output) -> None:
        nonlocal total
        per_output = module.in_channels // module.groups
        for size in module.kernel_size:
            per_output *= size
        total += output[0].numel() * per_output

    def custom_hook(module: nn.Module, inputs, output) -> None:
        nonlocal total
        total += module.count_macs(inputs, output)  # modules with functional convolutions

    def linear_hook(module: nn.Linear, inputs, output) -> None:
        nonlocal total
        total += module.in_features * module.out_features

    hooks = []
    for module in model.modules():
        if isinstance(module, (nn.Conv1d, nn.Conv2d)):
            hooks.append(module.register_forward_hook(conv_hook))
        elif hasattr(module, "count_macs"):
            hooks.append(module.register_forward_hook(custom_hook))
        elif isinstance(module, nn.Linear):
            hooks.append(module.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, n_times))
    model.train(was_training)
    for hook in hooks:
        hook.remove()
    return total
