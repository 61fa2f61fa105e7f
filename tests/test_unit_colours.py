"""Motor-unit colours never read as a class: far from every shipped model's class colours, from
the slate of windows outside the domain and the grey of invalid windows, and from each other."""

from __future__ import annotations

import itertools

import numpy as np

from emgviewer.display.colours import INVALID_FILL_RGB, INVALID_HATCH_RGB, OUTSIDE_DOMAIN, UNIT_COLOURS, unit_colour
from emgviewer.inference import load_model
from emgviewer.inference.zoo import available_models


def cielab(rgb: tuple[int, int, int]) -> np.ndarray:
    """sRGB (0-255, D65) to CIELAB, from the standard's formulas."""
    c = np.asarray(rgb, dtype=float) / 255
    linear = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))


def test_cielab_matches_known_values():
    assert np.allclose(cielab((255, 255, 255)), [100, 0, 0], atol=0.05)
    assert np.allclose(cielab((255, 0, 0)), [53.24, 80.09, 67.20], atol=0.1)  # sRGB red's published Lab


def test_unit_colours_stay_far_from_every_colour_that_means_something_else():
    meaning = {OUTSIDE_DOMAIN: "outside the domain", "#%02x%02x%02x" % INVALID_FILL_RGB: "invalid",
               "#%02x%02x%02x" % INVALID_HATCH_RGB: "invalid hatch"}
    for path in available_models():
        for info in load_model(path, force_cpu=True, with_folds=False).card.classes:
            meaning[info.colour] = f"{path.name}: {info.label}"
    for unit, (other, what) in itertools.product(UNIT_COLOURS, meaning.items()):
        distance = np.linalg.norm(cielab(rgb(unit)) - cielab(rgb(other)))
        assert distance >= 40, f"unit colour {unit} is {distance:.0f} from {other} ({what})"


def test_unit_colours_differ_from_each_other_and_cycle():
    for a, b in itertools.combinations(UNIT_COLOURS, 2):
        assert np.linalg.norm(cielab(rgb(a)) - cielab(rgb(b))) >= 25, (a, b)
    assert [unit_colour(i) for i in range(len(UNIT_COLOURS) + 1)] == [*UNIT_COLOURS, UNIT_COLOURS[0]]
