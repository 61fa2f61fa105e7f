"""Teaching: a quiz over real recordings, scored against the truth and beside the model.

Records are drawn in a reproducible order (``numpy`` generator seeded by ``seed``); the student
answers each with one of the three classes; the score sheet gives, per record and per class,
the student's answer, the truth and the model's statement, and who agreed with the truth.
Qt-free: the viewer drives it, the report writes its sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emgviewer.csv_cells import safe_row
from emgviewer.records.n2001 import CLASS_LABELS

#: Keys 1, 2, 3 answer in this order.
ANSWERS = ("control", "myopathy", "ALS")


@dataclass
class QuizItem:
    """One record of a quiz: the truth, the student's answer, and the model's verdict once revealed."""

    path: Path
    name: str
    truth: str | None = None
    answer: str | None = None
    model: str | None = None  # the model's committed verdict class; None when uncertain or absent
    model_statement: str = "not classified"
    #: Why the item was not asked ("could not be opened"); such an item is not scored.
    skipped: str | None = None


def _stratified(truths: list[str | None], subjects: list[str | None], n: int, rng) -> list[int]:
    """Indices of ``n`` records, the classes taking turns (in a seeded order), each class's
    subjects taking turns within it; the result in a seeded order."""
    by_class: dict[str | None, dict[str | None, list[int]]] = {}
    for index in rng.permutation(len(truths)):
        by_class.setdefault(truths[index], {}).setdefault(subjects[index] or f"record {index}", []).append(int(index))
    queues = {}
    for truth, per_subject in by_class.items():
        turns, lists = [], [list(v) for v in per_subject.values()]
        while any(lists):  # one record of every subject, then a second of each, ...
            turns += [records.pop(0) for records in lists if records]
        queues[truth] = turns
    classes = sorted(queues, key=lambda c: (c is None, str(c)))
    classes = [classes[i] for i in rng.permutation(len(classes))]
    chosen: list[int] = []
    while len(chosen) < n:
        for truth in classes:
            if queues[truth] and len(chosen) < n:
                chosen.append(queues[truth].pop(0))
    return [chosen[i] for i in rng.permutation(len(chosen))]


@dataclass
class Quiz:
    """A seeded quiz over a folder's records: the items in order and where the student is."""

    items: list[QuizItem]
    seed: int
    position: int = 0
    started: bool = field(default=True)
    student: str = ""
    date: str = ""

    @classmethod
    def draw(cls, paths: list[Path], n: int, seed: int, truths: list[str | None] | None = None,
             subjects: list[str | None] | None = None, student: str = "") -> Quiz:
        """``n`` of ``paths`` (all when fewer) in an order fixed by ``seed``. With ``truths``
        (and ``subjects``) the draw is stratified: the classes take turns, so each is asked
        about as often as the others, and within a class one record per subject comes before
        any subject's second (seed 1 of 4 once gave two records of one ALS patient, two controls
        and no myopathy)."""
        if not paths:
            raise ValueError("no records to quiz on")
        rng = np.random.default_rng(seed)
        n = max(1, min(n, len(paths)))
        if truths is None:
            chosen = [int(i) for i in rng.permutation(len(paths))[:n]]
        else:
            chosen = _stratified(truths, subjects or [None] * len(paths), n, rng)
        items = [QuizItem(Path(paths[i]), Path(paths[i]).stem) for i in chosen]
        return cls(items, seed, student=student, date=dt.date.today().isoformat())

    @property
    def current(self) -> QuizItem | None:
        """The item being answered, or ``None`` when the quiz is done."""
        return self.items[self.position] if self.position < len(self.items) else None

    @property
    def done(self) -> bool:
        """Whether every item is answered (or skipped)."""
        return self.position >= len(self.items)

    def answer(self, label: str) -> None:
        """Record the student's answer to the current record and move on."""
        if label not in ANSWERS:
            raise ValueError(f"answer must be one of {ANSWERS}, got {label!r}")
        if self.done:
            raise ValueError("the quiz is over")
        self.items[self.position].answer = label
        self.position += 1

    def skip(self, reason: str) -> None:
        """Move past the current record unanswered and unscored (it could not be shown)."""
        if self.done:
            raise ValueError("the quiz is over")
        self.items[self.position].skipped = reason
        self.items[self.position].model_statement = reason
        self.position += 1

    def score(self) -> QuizScore:
        """The quiz's score so far."""
        return QuizScore(self.items, self.seed, self.student, self.date)


@dataclass(frozen=True)
class QuizScore:
    """How the student and the model did on a quiz, per record and per class."""

    items: list[QuizItem]
    seed: int
    student: str = ""
    date: str = ""

    def right(self, who: str) -> int:
        """How many items ``who`` ("answer" or "model") got right, of those with a known truth."""
        return sum(1 for item in self._known() if getattr(item, who) == item.truth)

    def _known(self) -> list[QuizItem]:
        return [item for item in self.items if item.truth is not None]

    def per_class(self) -> list[tuple[str, int, int, int]]:
        """(class, records, student right, model right) for each class present."""
        out = []
        for name in ANSWERS:
            mine = [item for item in self._known() if item.truth == name]
            if mine:
                out.append((name, len(mine), sum(i.answer == name for i in mine), sum(i.model == name for i in mine)))
        return out

    def summary(self) -> str:
        """One line: the student's score beside the model's."""
        n = len(self._known())
        who = self.student or "student"
        return (f"{who} {self.right('answer')}/{n} right, model {self.right('model')}/{n} "
                f"(seed {self.seed}, {len(self.items)} records{', ' + self.date if self.date else ''})")

    def csv_text(self) -> str:
        """The score sheet as CSV (one row per record), each cell safe for a spreadsheet."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["record", "truth", "student", "student_right", "model", "model_right", "student_name",
                         "date", "seed"])
        for item in self.items:
            writer.writerow(safe_row([item.name, item.truth or "", item.answer or "",
                                      "" if item.truth is None else int(item.answer == item.truth),
                                      item.model_statement, "" if item.truth is None else int(item.model == item.truth),
                                      self.student, self.date, self.seed]))
        return out.getvalue()


def quiz_truth(truth: str | None) -> str | None:
    """The answer a record's truth asks for: key 3 is "ALS / neurogenic", so a neuropathy (a
    PhysioNet diagnosis) is answered with it."""
    return "ALS" if truth == "neuropathy" else truth


def label(name: str | None) -> str:
    """A class as the quiz shows it; a dash for none."""
    return CLASS_LABELS.get(name, name) if name else "-"
