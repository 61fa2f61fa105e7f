"""The class ribbon's content, window by window: what the viewer's ribbon item and the PDF's
vector ribbon both draw, so they cannot disagree.

Windows overlap (1-s windows, 0.4-s hop: each instant lies in up to three windows). Drawing
them on top of each other would hide all but the last, and colouring each hop segment by a
vote would hide disagreement between windows. Instead window *i* goes to lane
``i mod ceil(window/hop)``: windows in one lane never overlap, so each window's exact span,
class and confidence stay visible, and disagreement shows as lanes of different colours.

- valid: the class colour and letter; confidence is the bar's height (:func:`bar_share`),
  never a fade toward grey;
- uncertain (top probability below the card's threshold): the class colour in stripes;
- invalid (NaN, flat, clipped, one-sample spikes): grey cross-hatched, never a class colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from emgviewer.display.colours import OUTSIDE_DOMAIN

#: A bar's height as a share of its lane: a third at chance, the whole lane at certainty.
MIN_BAR_SHARE = 0.35


def bar_share(strength: float) -> float:
    """A bar's height in its lane for a window's strength (0 at chance, 1 at certainty)."""
    return MIN_BAR_SHARE + (1 - MIN_BAR_SHARE) * float(strength)


def lane_count(window_s: float, hop_s: float) -> int:
    """How many lanes keep overlapping windows apart: a window's length over the hop, rounded up."""
    return max(1, math.ceil(window_s / hop_s - 1e-9))


#: More lanes than this (hop under a sixth of the window) are unreadable as bars of a few
#: pixels: the ribbon collapses to one strip where each window shows over its own hop.
MAX_LANES = 6


@dataclass(frozen=True)
class RibbonWindows:
    """What the viewer's ribbon draws, window by window, at any zoom (no image, no fixed
    resolution): exact spans, lanes, the winning class (-1: invalid), its strength (0 at
    chance, 1 at certainty) and whether it is uncertain."""

    starts_s: np.ndarray
    stops_s: np.ndarray
    lane: np.ndarray
    lanes: int
    collapsed: bool
    hop_s: float
    winner: np.ndarray
    strength: np.ndarray
    uncertain: np.ndarray
    colours: tuple[str, ...]
    letters: tuple[str, ...]  # a non-colour cue per class: N, M, A
    #: The record is outside the model's domain: every window is drawn apart, in one colour.
    outside: bool = False

    def drawn_stops_s(self) -> np.ndarray:
        """Where each bar ends: its window's end or, collapsed, where the next window starts
        (the last one runs to its own end)."""
        if not self.collapsed or self.starts_s.size == 0:
            return self.stops_s
        return np.minimum(self.stops_s, np.append(self.starts_s[1:], self.stops_s[-1]))

    def at(self, time_s: float, lane: int) -> int | None:
        """The window drawn at ``time_s`` in ``lane``, if any."""
        inside = np.flatnonzero((self.starts_s <= time_s) & (time_s < self.drawn_stops_s()) & (self.lane == lane))
        return int(inside[-1]) if inside.size else None


def ribbon_windows(classification, collapse: bool | None = None) -> RibbonWindows:
    """The ribbon of a classification; a record outside the model's domain whose verdict was
    not asked for is drawn apart (:data:`colours.OUTSIDE_DOMAIN`)."""
    return windows_from(classification.starts_s, classification.stops_s, classification.probabilities,
                        classification.valid, classification.model.card, classification.hop_s, collapse,
                        classification.drawn_apart)


#: ``RibbonWindows.winner`` of a window not classified yet (a partial result): not drawn.
PENDING = -2


def windows_from(starts_s: np.ndarray, stops_s: np.ndarray, probabilities: np.ndarray, valid: np.ndarray,
                 card, hop_s: float, collapse: bool | None = None, outside: bool = False) -> RibbonWindows:
    """The ribbon of windows classified so far: valid windows whose probabilities are still NaN
    are pending; uncertain is judged against the card's threshold, as the classifier does."""
    n = starts_s.size
    window_s = float(np.max(stops_s - starts_s)) if n else hop_s
    lanes = lane_count(window_s, hop_s)
    collapsed = lanes > MAX_LANES if collapse is None else collapse
    known = np.isfinite(probabilities).all(axis=1) if n else np.zeros(0, dtype=bool)
    filled = np.where(known[:, None], probabilities, 0.0) if n else probabilities
    top = filled.max(axis=1) if n else np.zeros(0)
    winner = np.where(~valid, -1, np.where(known, np.argmax(filled, axis=1) if n else 0, PENDING))
    chance = 1.0 / len(card.classes)
    return RibbonWindows(
        starts_s=starts_s, stops_s=stops_s,
        lane=np.zeros(n, dtype=int) if collapsed else np.arange(n) % lanes,
        lanes=1 if collapsed else lanes, collapsed=collapsed, hop_s=hop_s, winner=winner.astype(int),
        strength=np.clip((top - chance) / (1 - chance), 0.0, 1.0),
        uncertain=known & valid & (top < card.uncertainty_threshold),
        colours=tuple(OUTSIDE_DOMAIN if outside else c.colour for c in card.classes),
        letters=tuple(ribbon_letter(c.label) for c in card.classes), outside=outside)


def ribbon_letter(label: str) -> str:
    """A class's non-colour cue in the ribbon: its label's initial (N, M, A)."""
    return label.strip()[:1].upper() or "?"
