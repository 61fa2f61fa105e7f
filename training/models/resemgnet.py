"""ResEMGNet (Rahman, Rahman, Raihan, Shahnaz, "ResEMGNet: a lightweight residual deep learning
architecture for neuromuscular disorder detection from raw EMG signals", arXiv 2309.10756).

From the paper: a lightweight residual 1-D CNN on raw EMG; 94.43 % three-class accuracy, called
subject-independent. The layer-by-layer architecture is not available, so everything below is
inferred in the paper's spirit: a strided stem (Conv 16, kernel 7, stride 4, BN, ReLU,
max-pool 2), three stages of two residual blocks each (channels 16, 32, 64; kernel 5; the first
block of stages 2 and 3 strides by 2 and projects its shortcut with a 1x1 convolution, all
other shortcuts are identities), global average pooling and a linear head.
"""

from __future__ import annotations

import torch
from torch import nn


class ResidualBlock(nn.Module):
    """Two convolutions with a shortcut (strided where the block downsamples)."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(c_in, c_out, 5, stride=stride, padding=2, bias=False), nn.BatchNorm1d(c_out), nn.ReLU(),
            nn.Conv1d(c_out, c_out, 5, padding=2, bias=False), nn.BatchNorm1d(c_out))
        self.shortcut = (nn.Identity() if stride == 1 and c_in == c_out else
                         nn.Sequential(nn.Conv1d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm1d(c_out)))
        self.activation = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block's output plus its shortcut."""
        return self.activation(self.body(x) + self.shortcut(x))


class ResEMGNet(nn.Module):
    """ResEMGNet (Rahman et al., arXiv 2309.10756): a residual 1-D CNN, averaged over time."""

    def __init__(self, n_outputs: int, n_times: int = 23437, fs_hz: float = 23437.5) -> None:
        super().__init__()
        self.n_outputs, self.n_times, self.fs_hz = n_outputs, n_times, fs_hz
        self.stem = nn.Sequential(nn.Conv1d(1, 16, 7, stride=4, padding=3, bias=False), nn.BatchNorm1d(16),
                                  nn.ReLU(), nn.MaxPool1d(2))
        blocks, c_in = [], 16
        for c_out, stride in ((16, 1), (32, 2), (64, 2)):
            blocks += [ResidualBlock(c_in, c_out, stride), ResidualBlock(c_out, c_out, 1)]
            c_in = c_out
        self.stages = nn.Sequential(*blocks)
        self.head = nn.Linear(64, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for ``(batch, 1, n_times)`` windows."""
        return self.head(self.stages(self.stem(x)).mean(dim=2))
