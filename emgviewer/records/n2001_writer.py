"""Writing a signal in the N2001 layout: ``<name>.bin`` (int16, 20-byte offset, 10 spare samples)
and ``<name>.hea`` (``16+20`` format, gain 13.107/µV), atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emgviewer.atomic import atomic_write_bytes

N2001_FS_HZ = 23437.5
N2001_GAIN_PER_UV = 13.107  # ±2500 µV full scale in int16
_OFFSET_BYTES = 20
_SPARE_SAMPLES = 10


def digitise(signal_uv: np.ndarray, gain_per_uv: float = N2001_GAIN_PER_UV) -> np.ndarray:
    """int16 samples as the recorder would store them, saturating at full scale."""
    return np.clip(np.round(np.asarray(signal_uv, dtype=np.float64) * gain_per_uv),
                   -32768, 32767).astype("<i2")


def write_n2001(
    folder: str | Path,
    name: str,
    signal_uv: np.ndarray,
    fs_hz: float = N2001_FS_HZ,
    comments: tuple[str, ...] = (),
    overwrite: bool = False,
) -> Path:
    """Write ``<folder>/<name>.bin`` and ``.hea``; returns the header's path.

    Both files go to temporary names first and are renamed into place, data file first, so a
    header never points at a half-written data file. Existing files are kept unless
    ``overwrite``.
    """
    folder = Path(folder)
    header_path, data_path = folder / f"{name}.hea", folder / f"{name}.bin"
    if not overwrite:
        for path in (header_path, data_path):
            if path.exists():
                raise FileExistsError(f"{path}: exists; pass overwrite=True to replace it")
    digital = digitise(signal_uv)
    payload = (b"\x00" * _OFFSET_BYTES + digital.tobytes()
               + np.zeros(_SPARE_SAMPLES, dtype="<i2").tobytes())
    lines = [f"{name} 1 {fs_hz:g} {digital.size}",
             f"{name}.bin 16+{_OFFSET_BYTES} {N2001_GAIN_PER_UV:.4f}/uV"]
    lines += [f"#{comment}" for comment in comments]
    atomic_write_bytes(data_path, payload)
    atomic_write_bytes(header_path, ("\n".join(lines) + "\n").encode("ascii"))
    return header_path
