"""Names of the EMGLAB N2001 collection: ``N2001<group><subject><muscle><number>``.

``N2001A01BB02`` is group A (ALS), subject A01, muscle BB (biceps brachii), record 2. The
ground truth of an N2001 record comes from this name, never from a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: N2001 group letter -> class name used throughout (training labels, model cards, truth).
GROUP_CLASSES = {"A": "ALS", "C": "control", "M": "myopathy"}
#: How each class reads to a person: the third class covers neurogenic findings in general.
CLASS_LABELS = {"ALS": "ALS / neurogenic", "control": "normal (control)", "myopathy": "myopathy",
                # A header's diagnosis only (PhysioNet): judged as neurogenic where a model says so.
                "neuropathy": "neuropathy (neurogenic)"}

_NAME = re.compile(r"^N2001(?P<group>[ACM])(?P<subject>\d{2})(?P<muscle>[A-Z]{2})(?P<number>\d+)$")


@dataclass(frozen=True)
class N2001Id:
    """The parts of an N2001 record name."""

    group: str  # "A", "C" or "M"
    subject_id: str  # e.g. "A01": unique across the collection
    muscle_code: str  # e.g. "BB"
    number: int

    @property
    def group_class(self) -> str:
        """The class the group letter stands for (A: ALS, C: control, M: myopathy)."""
        return GROUP_CLASSES[self.group]


def parse_n2001_name(name: str) -> N2001Id | None:
    """Parse an N2001 record name; ``None`` when ``name`` is not one."""
    match = _NAME.match(name)
    if match is None:
        return None
    group = match["group"]
    return N2001Id(
        group=group,
        subject_id=group + match["subject"],
        muscle_code=match["muscle"],
        number=int(match["number"]),
    )
