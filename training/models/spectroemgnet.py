"""SpectroEMG-Net (Rahman, Rahman, Shahnaz, "SpectroEMG-Net: a CNN with attention on the
spectrogram of raw EMG for neuromuscular disorder detection", arXiv 2309.10483).

From the paper: the features are the log spectrum and the delta log spectrum of the raw EMG,
classified by a CNN with an attention mechanism; 92 % three-class accuracy.

Our choices (the paper does not fix them all):
- **Front-end inside the model** (so the exported ONNX graph takes raw windows like every
  other model): a short-time Fourier transform written as a strided 1-D convolution with fixed
  Hann-windowed cosine and sine kernels, ``n_fft`` 512 (21.8 ms, 45.8 Hz bins at 23.4 kHz) and
  hop 256 (10.9 ms), giving 257 bins x 90 frames for a 1-s window; log power
  ``log(re^2 + im^2 + 1e-6)``; the delta is the frame-to-frame difference (first frame 0).
  Only Conv, Mul, Add, Log and Sub: exportable at opset 17 without STFT operators.
- **CNN**: three Conv2d blocks (16, 32, 64 channels, 3x3, BN, ReLU; 2x2 max-pooling after the
  first two) on the (log spectrum, delta) pair.
- **Attention**: temporal attention pooling. Frequencies are averaged, a 1x1 convolution
  scores each frame, a softmax over frames weights them, and the weighted sum feeds a linear
  head: the network learns which moments of the window (MUAP discharges) carry the evidence.
"""

from __future__ import annotations

import math

import torch
from torch import nn

N_FFT = 512
HOP = 256


class LogSpectrum(nn.Module):
    """(batch, 1, n_times) -> (batch, 2, n_fft/2 + 1, frames): log power and its time delta."""

    def __init__(self, n_fft: int = N_FFT, hop: int = HOP) -> None:
        super().__init__()
        self.hop = hop
        n = torch.arange(n_fft, dtype=torch.float64)
        k = torch.arange(n_fft // 2 + 1, dtype=torch.float64)[:, None]
        window = 0.5 - 0.5 * torch.cos(2 * math.pi * n / n_fft)  # periodic Hann
        angle = 2 * math.pi * k * n / n_fft
        kernels = torch.cat([torch.cos(angle) * window, -torch.sin(angle) * window])[:, None, :]
        self.register_buffer("kernels", kernels.float())
        self.bins = n_fft // 2 + 1

    def count_macs(self, inputs, output) -> int:
        """The front end's multiply-accumulates for one window (its convolution as an STFT)."""
        frames = output.shape[-1]
        return int(self.kernels.shape[0] * self.kernels.shape[-1] * frames)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The window's log-magnitude spectrogram."""
        spectrum = nn.functional.conv1d(x, self.kernels, stride=self.hop)
        real, imaginary = spectrum[:, : self.bins], spectrum[:, self.bins:]
        log_power = torch.log(real * real + imaginary * imaginary + 1e-6)
        delta = torch.cat([torch.zeros_like(log_power[:, :, :1]), log_power[:, :, 1:] - log_power[:, :, :-1]], dim=2)
        return torch.stack([log_power, delta], dim=1)


def _block(c_in: int, c_out: int, pool: bool) -> nn.Sequential:
    layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
    return nn.Sequential(*layers, nn.MaxPool2d(2)) if pool else nn.Sequential(*layers)


class SpectroEMGNet(nn.Module):
    """SpectroEMG-Net (Rahman et al., arXiv 2309.10483): a CNN over the window's spectrogram with
    attention over time."""

    def __init__(self, n_outputs: int, n_times: int = 23437, fs_hz: float = 23437.5) -> None:
        super().__init__()
        self.n_outputs, self.n_times, self.fs_hz = n_outputs, n_times, fs_hz
        self.front = LogSpectrum()
        self.cnn = nn.Sequential(_block(2, 16, True), _block(16, 32, True), _block(32, 64, False))
        self.score = nn.Conv1d(64, 1, 1)
        self.head = nn.Linear(64, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for ``(batch, 1, n_times)`` windows."""
        features = self.cnn(self.front(x)).mean(dim=2)  # (batch, 64, frames)
        weights = torch.softmax(self.score(features), dim=2)
        return self.head((features * weights).sum(dim=2))
