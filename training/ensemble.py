"""Several trained models as one: their logits averaged inside one graph, so an ensemble ships
as one ONNX file with one card and the app needs nothing new.

The mean of logits (the geometric mean of the members' probabilities, renormalised) is what
``training/posthoc.ensemble`` scores under LOSO, so the exported graph is the model those
numbers describe.
"""

from __future__ import annotations

import torch
from torch import nn


class MeanLogits(nn.Module):
    """Several trained models as one: the mean of their logits (an ensemble exports as one ONNX graph)."""

    def __init__(self, members: list[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The members' mean logits."""
        return torch.stack([member(x) for member in self.members]).mean(dim=0)
