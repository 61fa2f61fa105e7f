"""What hovering a window in a ribbon says: its span, its class probabilities, and whether it is
uncertain or why it is invalid. Shared by the first model's ribbon and a compared model's."""

from __future__ import annotations


def window_tooltip(result, index: int, heading: str = "") -> str:
    """``result``: a Classification; ``heading``: a first line (a compared model's name)."""
    span = f"window {index + 1}: {result.starts_s[index]:.2f}–{result.stops_s[index]:.2f} s"
    head = f"{heading}\n{span}" if heading else span
    if not result.valid[index]:
        return f"{head}\ninvalid: {result.reason(index)}"
    card = result.model.card
    lines = [f"{c.label}: {p:.2f}" for c, p in zip(card.classes, result.probabilities[index])]
    note = "\nuncertain" if result.uncertain[index] else ""
    return f"{head}\n" + "\n".join(lines) + note
