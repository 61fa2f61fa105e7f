"""The PDF's ribbon draws what the viewer's does, from the same RibbonWindows: exact spans in
lanes, class colour and letter, confidence as bar height, stripes for uncertain windows and
cross-hatching for invalid ones; pending windows are not drawn."""

from __future__ import annotations

import numpy as np
import pytest
from onnx_models import card_dict
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from emgviewer.display.colours import INVALID_FILL_RGB, INVALID_HATCH_RGB
from emgviewer.display.overlay import bar_share, windows_from
from emgviewer.inference.card import parse_card
from emgviewer.report.figures import draw_ribbon

WIDTH, HEIGHT = 400.0, 30.0  # 1 s = 100 points; three lanes of 10 points


@pytest.fixture
def drawn():
    card = parse_card(card_dict(window_s=1.0, hop_s=0.4))
    starts = np.array([0.0, 0.4, 0.8, 1.2, 2.0])
    probabilities = np.array([[0.9, 0.05, 0.05],  # confident normal
                              [0.3, 0.5, 0.2],    # uncertain myopathy (below 0.6)
                              [np.nan] * 3,       # invalid
                              [np.nan] * 3,       # pending: valid, not classified yet
                              [0.1, 0.1, 0.8]])   # ALS
    valid = np.array([True, True, False, True, True])
    windows = windows_from(starts, starts + 1.0, probabilities, valid, card, 0.4)
    drawing = Drawing(WIDTH + 20, HEIGHT + 20)
    draw_ribbon(drawing, windows, 10.0, 5.0, WIDTH, HEIGHT, 4.0)
    return card, windows, drawing.contents


def _rects_at(shapes, x: float):
    return [s for s in shapes if isinstance(s, Rect) and abs(s.x - x) < 1e-6]


def _same(colour, rgb) -> bool:
    return np.allclose([colour.red, colour.green, colour.blue], np.asarray(rgb) / 255, atol=1e-3)


def test_confident_window_is_a_class_coloured_bar_as_tall_as_its_confidence(drawn):
    card, windows, shapes = drawn
    rects = _rects_at(shapes, 10.0)
    green = colors.HexColor(card.classes[0].colour)
    rgb = (green.red * 255, green.green * 255, green.blue * 255)
    bar = [r for r in rects if r.fillColor.alpha == 1 and _same(r.fillColor, rgb)]
    tint = [r for r in rects if r.fillColor.alpha < 0.5]
    assert len(bar) == 1 and len(tint) == 1
    assert bar[0].height == pytest.approx(tint[0].height * bar_share(windows.strength[0]))
    assert bar[0].y == pytest.approx(tint[0].y)  # bars rise from the lane's bottom
    # exact span: 1 s = 100 points wide, less the small gap between neighbours
    assert 99.0 <= bar[0].width < 100.0
    assert tint[0].y + tint[0].height <= 5.0 + HEIGHT  # lane 0 on top
    assert tint[0].y >= 5.0 + HEIGHT - 10.0


def test_each_window_sits_in_its_lane(drawn):
    _card, _windows, shapes = drawn
    tops: dict[int, float] = {}
    for r in (s for s in shapes if isinstance(s, Rect)):
        tops[round(r.x)] = max(tops.get(round(r.x), 0.0), r.y + r.height)
    assert tops[10] > tops[50] > tops[90]  # windows 0, 1, 2: lanes 0, 1, 2 from the top
    assert tops[210] == pytest.approx(tops[50])  # window 4 is in lane 1 again (4 mod 3)


def test_uncertain_is_striped_in_its_class_colour_and_invalid_is_cross_hatched(drawn):
    card, _windows, shapes = drawn
    lines = [s for s in shapes if isinstance(s, Line)]
    blue = colors.HexColor(card.classes[1].colour)
    stripes = [s for s in lines if 50 <= min(s.x1, s.x2) and max(s.x1, s.x2) <= 150 and s.strokeColor == blue]
    assert len(stripes) > 20 and all(s.y2 > s.y1 for s in stripes)  # one direction only
    hatch = [s for s in lines if 90 <= min(s.x1, s.x2) and max(s.x1, s.x2) <= 190
             and _same(s.strokeColor, INVALID_HATCH_RGB)]
    assert {s.y2 > s.y1 for s in hatch} == {True, False}  # both directions
    assert any(_same(r.fillColor, INVALID_FILL_RGB) for r in _rects_at(shapes, 90.0))
    assert not any(s.strokeColor == blue for s in lines if min(s.x1, s.x2) > 150)


def test_pending_windows_are_not_drawn_and_letters_name_the_classes(drawn):
    _card, _windows, shapes = drawn
    assert _rects_at(shapes, 130.0) == []
    letters = sorted(s.text for s in shapes if isinstance(s, String))
    assert letters == ["A", "M", "N"]
