"""Dataset browser: group -> subject -> record, with truth and verdict side by side, agreement
marked, people the model was trained on marked "seen", and their out-of-fold verdicts."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.inference.card import ModelCard
from emgviewer.inference.caveats import (
    AGREES_COLOUR,
    DIFFERS,
    DIFFERS_COLOUR,
    MARKS,
    SEEN_NOTE,
    RecordAssessment,
    Statement,
    SubjectAssessment,
    assess_subject,
    class_label,
    model_cautions,
    summarise_agreement,
)
from emgviewer.records import FolderIndex

PATH_ROLE = QtCore.Qt.ItemDataRole.UserRole
COLUMNS = ["record", "truth", "verdict", "seen", "out-of-fold"]
TRUTH, VERDICT, SEEN, OOF = 1, 2, 3, 4
#: The longest text each column usually holds: the width it opens at.
COLUMN_SAMPLES = ["N2001A01BB01", "ALS / neurogenic", "✓ ALS / neurogenic 0.92", "seen", "✓ ALS / neurogenic 0.92"]


class DatasetBrowser(QtWidgets.QWidget):
    """The dataset browser: a folder's records by group and subject, with truth, verdict and agreement per record."""

    recordActivated = QtCore.Signal(Path)
    classifyAllRequested = QtCore.Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.summary = QtWidgets.QLabel("Open a folder (File → Open folder…)")
        self.summary.setWordWrap(True)
        self.classify_all = QtWidgets.QPushButton("Classify all")
        self.classify_all.setEnabled(False)
        self.classify_all.clicked.connect(self.classifyAllRequested)
        top.addWidget(self.summary, 1)
        top.addWidget(self.classify_all)
        layout.addLayout(top)
        self.agreement = QtWidgets.QLabel("")
        self.agreement.setWordWrap(True)
        self.agreement.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.agreement)
        self.progress = QtWidgets.QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        # Nested N2001 names differ at their end (…A01BB02): cut from the middle, never "N…".
        self.tree.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)
        self.tree.headerItem().setToolTip(SEEN, f"seen in training: {SEEN_NOTE}")
        self.tree.headerItem().setToolTip(OOF, "the verdict of the fold model that never saw this subject "
                                               "(from the model card): the honest figure for seen records")
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        layout.addWidget(self.tree, 1)
        self.index: FolderIndex | None = None
        self.record_items: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self.subject_items: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self.assessments: dict[str, RecordAssessment] = {}
        self.subject_assessments: dict[str, SubjectAssessment] = {}
        self.card: ModelCard | None = None

    def set_index(self, index: FolderIndex) -> None:
        """Show ``index``'s records (any verdicts of the last folder are forgotten)."""
        self.index = index
        self.tree.clear()
        self.record_items.clear()
        self.subject_items.clear()
        self.forget_verdicts()
        for group, subjects in index.groups.items():
            group_item = QtWidgets.QTreeWidgetItem([group])
            self.tree.addTopLevelItem(group_item)
            for subject, entries in subjects.items():
                subject_item = QtWidgets.QTreeWidgetItem([subject, class_label(entries[0].truth)])
                group_item.addChild(subject_item)
                self.subject_items[subject] = subject_item
                for entry in entries:
                    item = QtWidgets.QTreeWidgetItem([entry.name, class_label(entry.truth)])
                    item.setData(0, PATH_ROLE, str(entry.path))
                    subject_item.addChild(item)
                    self.record_items[entry.name] = item
            group_item.setExpanded(True)
        problems = f", {len(index.problems)} unreadable" if index.problems else ""
        self.summary.setText(f"{len(index.records)} records{problems}")
        self.classify_all.setEnabled(True)
        self.fit_columns()

    def forget_verdicts(self) -> None:
        """Verdicts of another model must not stay on screen beside this one's."""
        self.assessments.clear()
        self.subject_assessments.clear()
        self.agreement.setText("")
        for item in [*self.record_items.values(), *self.subject_items.values()]:
            for column in (VERDICT, SEEN, OOF):
                item.setText(column, "")
                item.setToolTip(column, "")

    def set_record_assessment(self, assessment: RecordAssessment, card: ModelCard) -> None:
        """Fill a record's row with its verdict, agreement and seen mark, as every surface says them."""
        item = self.record_items.get(assessment.record)
        if item is None:
            return
        self.card = card
        self.assessments[assessment.record] = assessment
        _show(item, assessment.statement, assessment.agreement, assessment.truth, assessment.seen,
              assessment.out_of_fold, assessment.out_of_fold_agreement)
        self._update_subject(item.parent())
        self._update_agreement()

    def _update_subject(self, subject_item: QtWidgets.QTreeWidgetItem | None) -> None:
        if subject_item is None or self.card is None:
            return
        names = [subject_item.child(i).text(0) for i in range(subject_item.childCount())]
        if not all(n in self.assessments for n in names):
            return  # the subject verdict waits for all its records
        subject = assess_subject(subject_item.text(0), self.card, [self.assessments[n] for n in names])
        self.subject_assessments[subject.subject] = subject
        _show(subject_item, subject.statement, subject.agreement, subject.truth, subject.seen,
              subject.out_of_fold, subject.out_of_fold_agreement)

    def _update_agreement(self) -> None:
        # An agreement count of a model at chance is luck: its cautions come first.
        cautions = [f"Read with care: {caution}." for caution in model_cautions(self.card)] if self.card else []
        lines = (cautions + summarise_agreement(list(self.assessments.values())).lines("records")
                 + summarise_agreement(list(self.subject_assessments.values())).lines("subjects"))
        self.agreement.setText("\n".join(lines))

    def fit_columns(self) -> None:
        """Columns as wide as their text, and at least as wide as what they will hold (a verdict
        not yet there included), so "seen" and the verdict never hide behind "…"."""
        metrics = self.tree.fontMetrics()
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)
            floor = metrics.horizontalAdvance(COLUMN_SAMPLES[column]) + 16
            if column == 0:
                floor += 3 * self.tree.indentation()  # group, subject, record: nested twice
            if self.tree.columnWidth(column) < floor:
                self.tree.setColumnWidth(column, floor)

    def preferred_width(self) -> int:
        """The width that shows every column whole: the dock opens at it."""
        columns = sum(self.tree.columnWidth(c) for c in range(len(COLUMNS)))
        margins = self.layout().contentsMargins()
        return columns + margins.left() + margins.right() + self.tree.frameWidth() * 2 + \
            self.tree.verticalScrollBar().sizeHint().width() + 24

    def show_current(self, name: str) -> None:
        """The record the viewer shows: its subject opened, its row selected and on screen (after
        a quiz or a record opened otherwise, the browser never highlights another one)."""
        item = self.record_items.get(name)
        if item is None:
            self.tree.clearSelection()
            return
        parent = item.parent()
        while parent is not None:
            parent.setExpanded(True)
            parent = parent.parent()
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)

    def mismatches(self) -> list[str]:
        """The records whose verdict disagrees with the truth."""
        return [name for name, a in self.assessments.items() if a.agreement == DIFFERS]

    def _activated(self, item: QtWidgets.QTreeWidgetItem, _column: int = 0) -> None:
        path = item.data(0, PATH_ROLE)
        if path:
            self.recordActivated.emit(Path(path))


def _show(item: QtWidgets.QTreeWidgetItem, statement: Statement, agreement: str | None, truth: str | None,
          seen: bool, oof: Statement | None, oof_agreement: str | None) -> None:
    mark = MARKS.get(agreement or "", "")
    item.setText(VERDICT, f"{mark} {statement.short}".strip())
    colour = {"agrees": AGREES_COLOUR, "differs": DIFFERS_COLOUR}.get(agreement or "", statement.colour)
    item.setForeground(VERDICT, QtGui.QColor(colour))
    tip = statement.detail
    if agreement:
        tip += "; agrees with the truth" if agreement == "agrees" else f"; the truth is {class_label(truth)}"
    item.setToolTip(VERDICT, tip)
    item.setText(SEEN, "seen" if seen else "")
    item.setToolTip(SEEN, f"seen in training: {SEEN_NOTE}" if seen else "not among the model's training subjects")
    item.setText(OOF, f"{MARKS.get(oof_agreement or '', '')} {oof.short}".strip() if oof else "")
    item.setToolTip(OOF, oof.detail if oof else "")
