"""Colours shared by the viewer and the reports: class colours come from the model card;
these are the others."""

from __future__ import annotations

import numpy as np

INVALID_RGB = (150, 150, 150)
HATCH_RGB = (235, 235, 235)
BACKGROUND = "#ffffff"
TRACE = "#1a1a1a"
GRID = (0, 0, 0, 40)


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def class_rgb(colours: list[str]) -> np.ndarray:
    return np.array([hex_to_rgb(c) for c in colours], dtype=np.uint8)
