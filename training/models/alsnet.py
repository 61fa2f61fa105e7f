"""ALSNet (Hassan et al., "ALSNet: a dilated 1-D CNN for identifying ALS from raw EMG signal",
ICASSP 2022; official Keras code: NaimulHassan/ALSNet).

From the paper and its code: input of 23,437 raw samples (1 s at 23.4 kHz); Conv1D 32 filters,
kernel 11, dilation 1, valid padding, ReLU, then BatchNorm; Conv1D 64, kernel 9, dilation 2,
ReLU, BatchNorm; Conv1D 128, kernel 7, dilation 3, ReLU, BatchNorm; global max pooling; Dense
64 ReLU, BatchNorm; Dense 1 sigmoid (ALS vs control). He-normal initialisation of the
convolutions. 85,825 parameters as Keras counts them (BatchNorm's moving mean and variance
included). Training: Adam 1e-3, batch 48, binary cross-entropy, learning rate x0.1 on plateau
(patience 5), early stopping (patience 25). Paper: 97.74 % segment accuracy, sensitivity
96.77 %, specificity 98.59 % (segment-level split).

Translation choices (ours): Keras BatchNorm defaults become PyTorch momentum 0.01, eps 1e-3;
Keras Dense layers keep Glorot-uniform initialisation. For two classes the head is the
published single sigmoid unit; its logit z is returned as the pair (0, z), whose softmax is
(1 - sigmoid(z), sigmoid(z)), so cross-entropy on the pair *is* binary cross-entropy and the
app reads probabilities like any other model. ``n_outputs=3`` gives the 3-class variant
(Dense 3).
"""

from __future__ import annotations

import torch
from torch import nn

KERAS_BN = {"momentum": 0.01, "eps": 1e-3}


class ALSNet(nn.Module):
    """ALSNet (Hassan et al., ICASSP 2022), as published: convolutions over the raw window, max-pooled over time."""

    def __init__(self, n_outputs: int, n_times: int = 23437, fs_hz: float = 23437.5) -> None:
        super().__init__()
        self.n_outputs, self.n_times, self.fs_hz = n_outputs, n_times, fs_hz
        self.features = nn.Sequential(
            nn.Conv1d(1, 32, 11, dilation=1), nn.ReLU(), nn.BatchNorm1d(32, **KERAS_BN),
            nn.Conv1d(32, 64, 9, dilation=2), nn.ReLU(), nn.BatchNorm1d(64, **KERAS_BN),
            nn.Conv1d(64, 128, 7, dilation=3), nn.ReLU(), nn.BatchNorm1d(128, **KERAS_BN),
        )
        self.binary = n_outputs in (1, 2)
        self.head = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.BatchNorm1d(64, **KERAS_BN),
                                  nn.Linear(64, 1 if self.binary else n_outputs))
        for module in self.modules():
            if isinstance(module, nn.Conv1d):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for ``(batch, 1, n_times)`` windows."""
        logits = self.head(self.features(x).amax(dim=2))
        if self.binary and self.n_outputs == 2:
            return torch.cat([torch.zeros_like(logits), logits], dim=1)
        return logits


def keras_parameter_count(model: nn.Module) -> int:
    """Parameters as Keras reports them: trainable weights plus BatchNorm moving statistics."""
    stats = sum(m.running_mean.numel() + m.running_var.numel() for m in model.modules()
                if isinstance(m, nn.BatchNorm1d))
    return sum(p.numel() for p in model.parameters()) + stats
