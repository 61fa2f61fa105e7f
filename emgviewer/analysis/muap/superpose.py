"""Potentials placed at positions and summed into one signal."""

from __future__ import annotations

import numpy as np


def superpose(length: int, starts: np.ndarray, potentials: np.ndarray) -> np.ndarray:
    """A signal of ``length`` samples holding ``potentials`` (one row each, or one row for
    all) added from ``starts``. Built with ``np.bincount``, not ``np.add.at``: numpy 2.4's
    ``add.at`` with broadcast values returns garbage or crashes."""
    width = potentials.shape[-1]
    idx = np.asarray(starts, dtype=np.int64)[:, None] + np.arange(width)[None, :]
    values = np.broadcast_to(potentials, idx.shape)
    return np.bincount(idx.ravel(), weights=values.ravel(), minlength=length)[:length]
