"""Thesis CNN (Loubar & Toubal, "EMG signals classification for neuromuscular diseases detection
using deep learning", Master's thesis, Université M'Hamed Bougara Boumerdès, 2023).

From the thesis: built on ALSNet; four Conv1D layers with different filter sizes and counts
and increasing dilation; L2 weight decay on the convolutions; BatchNorm and dropout; He-normal
initialisation; global max pooling; Dense 128 ReLU + BatchNorm + dropout; Dense 3 softmax.
Windows of 23,437 samples with 14,062 overlap (hop 9,375), windows with NaN dropped, biceps
only, SMOTE on training windows; Adam 1e-3, batch 16, early stopping patience 25, learning
rate plateau patience 6. Reported: 71.89 % mean subject-independent 3-class window accuracy
(56.33-80.59 %); 85.02 % ALS vs normal; 79.53 % myopathy vs normal; 99.85 % with a random
split (leakage, as the thesis says).

Inferred (the thesis does not publish them): filters 32, 64, 128, 128 with kernels 11, 9, 7, 5
and dilations 1, 2, 3, 4, in ALSNet's spirit; dropout 0.2 after each convolution block and
0.5 in the head; the L2 penalty (1e-4) is applied as weight decay on the convolutions only.
"""

from __future__ import annotations

import torch
from torch import nn

from training.models.alsnet import KERAS_BN

L2_CONV = 1e-4


class ThesisCNN(nn.Module):
    """The Boumerdes thesis CNN (Loubar & Toubal 2023), as published."""

    def __init__(self, n_outputs: int, n_times: int = 23437, fs_hz: float = 23437.5) -> None:
        super().__init__()
        self.n_outputs, self.n_times, self.fs_hz = n_outputs, n_times, fs_hz
        layers: list[nn.Module] = []
        c_in = 1
        for c_out, kernel, dilation in ((32, 11, 1), (64, 9, 2), (128, 7, 3), (128, 5, 4)):
            conv = nn.Conv1d(c_in, c_out, kernel, dilation=dilation)
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
            layers += [conv, nn.ReLU(), nn.BatchNorm1d(c_out, **KERAS_BN), nn.Dropout(0.2)]
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.BatchNorm1d(128, **KERAS_BN),
                                  nn.Dropout(0.5), nn.Linear(128, n_outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for ``(batch, 1, n_times)`` windows."""
        return self.head(self.features(x).amax(dim=2))

    def parameter_groups(self, weight_decay: float) -> list[dict]:
        """L2 on the convolutions only, as in the thesis."""
        conv = [p for m in self.features if isinstance(m, nn.Conv1d) for p in (m.weight,)]
        rest = [p for p in self.parameters() if all(p is not c for c in conv)]
        return [{"params": conv, "weight_decay": L2_CONV}, {"params": rest, "weight_decay": weight_decay}]
