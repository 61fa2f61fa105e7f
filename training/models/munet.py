"""MUNet (motor-unit net): our compact 1-D CNN for raw needle EMG.

Design, from what a neurophysiologist looks at:

- **MUAP scale first.** A MUAP lasts 2-25 ms and its spike rises in about 1 ms. The encoder is
  six strided convolutions (kernel 15, then 7, then 5; stride 4, then 2) whose receptive field
  reaches about 27 ms (measured by gradient): a MUAP's shape, phases and duration are seen whole.
- **Firing-pattern context.** Recruitment (how many units, how fast they fire: 8-30 Hz, i.e.
  33-125 ms between spikes) needs context across spikes. Three residual dilated blocks
  (dilation 2, 4, 8 at 5.5 ms per step) widen the receptive field to about 0.18 s.
- **Pooling that keeps both kinds of evidence.** Global mean (how dense the activity is),
  global max (the largest potential: neurogenic units are large) and global standard
  deviation, concatenated, then a small head.
- **Amplitude is evidence.** Input is scaled by a fixed factor (µV -> mV), never z-scored per
  window, since MUAP amplitude separates myopathic from neurogenic patterns.

``munet-log`` feeds the encoder ``sign(x) log(1 + |x| / 50 µV)`` instead of x: amplitude
still orders the input, but the loudest windows no longer rule the first BatchNorm's batch
statistics. On raw amplitude a training batch's variance varies threefold between batches
(10th-90th percentile over balanced batches of N2001 windows) and its mean is 1.37x its median,
so the statistics a trained model keeps for inference are not those of a typical training batch;
compressed, 1.6x and 1.03x.

Plain (not depthwise-separable) convolutions: on a 2-core CPU they train about 1.7x faster
per step than a separable design of half the multiply-accumulates, because oneDNN runs dense
1-D convolutions far better than grouped ones.

Cost at 23,437.5 Hz and 1-s windows: about 33 M multiply-accumulates, under 1/50 of exact
ALSNet (1.78 G). Variants in the registry: ``munet-local`` (no context blocks: MUAP scale
only) and ``munet-small`` (0.75x channels).
"""

from __future__ import annotations

import torch
from torch import nn


def conv_block(c_in: int, c_out: int, kernel: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    """Convolution, batch norm, ReLU ("same" padding)."""
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, kernel, stride=stride, padding=dilation * (kernel - 1) // 2,
                  dilation=dilation, bias=False),
        nn.BatchNorm1d(c_out), nn.ReLU())


class ContextBlock(nn.Module):
    """Residual dilated convolution: firing-pattern context at constant cost."""

    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.conv = conv_block(channels, channels, kernel=3, dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block's input plus its convolution (a residual step)."""
        return x + self.conv(x)


class MUNet(nn.Module):
    """MUNet: a MUAP-scale encoder and dilated context blocks, pooled over time by mean, max and spread."""

    def __init__(self, n_outputs: int, n_times: int, fs_hz: float, width: float = 1.0,
                 context_blocks: int = 3, dropout: float = 0.3, compress_mv: float | None = None) -> None:
        super().__init__()
        self.n_outputs, self.n_times, self.fs_hz = n_outputs, n_times, fs_hz
        self.compress_mv = compress_mv  # None: the input as it comes (mV)
        c = [max(8, int(round(w * width))) for w in (16, 16, 28, 40, 56, 64)]
        self.encoder = nn.Sequential(
            conv_block(1, c[0], 15, stride=4),
            conv_block(c[0], c[1], 7, stride=2),
            conv_block(c[1], c[2], 7, stride=2),
            conv_block(c[2], c[3], 7, stride=2),
            conv_block(c[3], c[4], 7, stride=2),
            conv_block(c[4], c[5], 5, stride=2),
        )
        self.context = nn.Sequential(*(ContextBlock(c[5], 2 ** (i + 1)) for i in range(context_blocks)))
        self.head = nn.Sequential(
            nn.Linear(3 * c[5], 64), nn.ReLU(), nn.Dropout(dropout), nn.Linear(64, n_outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for ``(batch, 1, n_times)`` windows in µV."""
        if self.compress_mv is not None:
            x = torch.sign(x) * torch.log1p(x.abs() / self.compress_mv)
        features = self.context(self.encoder(x))
        pooled = torch.cat([features.mean(dim=2), features.amax(dim=2), features.std(dim=2)], dim=1)
        return self.head(pooled)
