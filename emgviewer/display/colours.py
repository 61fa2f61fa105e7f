"""Colours shared by the viewer and the reports: class colours come from the model card;
these are the others."""

from __future__ import annotations

import numpy as np

#: Invalid windows in the ribbon (viewer and PDF): light grey cross-hatched with dark grey.
INVALID_FILL_RGB = (225, 225, 225)
INVALID_HATCH_RGB = (120, 120, 120)
#: Windows of a record outside the model's domain (no verdict): slate, dotted in the viewer, in
#: place of every class colour, so no colour reads as a diagnosis; the class letter stays.
OUTSIDE_DOMAIN = "#5E6E8A"
#: A class colour's pale tint behind a confidence bar (alpha out of 255).
TINT_ALPHA = 45
BACKGROUND = "#ffffff"
TRACE = "#1a1a1a"
GRID = (0, 0, 0, 40)


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """"#rrggbb" as an (r, g, b) of 0-255."""
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def class_rgb(colours: list[str]) -> np.ndarray:
    """The class colours as an (n, 3) uint8 array, for painting many bars at once."""
    return np.array([hex_to_rgb(c) for c in colours], dtype=np.uint8)


#: Motor units (MUAP analysis), U1 first, in the trace, the panel, its table and the PDF. Kept
#: apart from every colour that means something else on the same screen: the shipped class
#: colours (a blue unit on an ALS record read as "myopathy"), the slate of windows outside the
#: domain and the grey of invalid ones. Wine, olive, pink, black, violet and magenta (from Paul
#: Tol's, Okabe-Ito's and ColorBrewer's sets): each at least 40 CIELAB units from those.
UNIT_COLOURS = ("#882255", "#999933", "#CC79A7", "#000000", "#6A3D9A", "#E7298A")


def unit_colour(index: int) -> str:
    """Colour of the unit at ``index`` (0 for U1); colours repeat after six units (the label says which)."""
    return UNIT_COLOURS[index % len(UNIT_COLOURS)]
