"""Dataset browser: group -> subject -> record, with truth, verdicts and mismatches."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from emgviewer.analysis.verdicts import Verdict, subject_verdict
from emgviewer.records import FolderIndex
from emgviewer.records.n2001 import CLASS_LABELS

PATH_ROLE = QtCore.Qt.ItemDataRole.UserRole
MISMATCH = QtGui.QColor("#C62828")
MATCH = QtGui.QColor("#2E7D32")


class DatasetBrowser(QtWidgets.QWidget):
    recordActivated = QtCore.Signal(Path)
    classifyAllRequested = QtCore.Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.summary = QtWidgets.QLabel("Open a folder (File → Open folder…)")
        self.classify_all = QtWidgets.QPushButton("Classify all")
        self.classify_all.setEnabled(False)
        self.classify_all.clicked.connect(self.classifyAllRequested)
        top.addWidget(self.summary, 1)
        top.addWidget(self.classify_all)
        layout.addLayout(top)
        self.progress = QtWidgets.QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setHeaderLabels(["record", "truth", "verdict", "confidence"])
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        layout.addWidget(self.tree, 1)
        self.index: FolderIndex | None = None
        self.record_items: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self.subject_items: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self.verdicts: dict[str, Verdict] = {}
        self.class_names: tuple[str, ...] = ()

    def set_index(self, index: FolderIndex) -> None:
        self.index = index
        self.tree.clear()
        self.record_items.clear()
        self.subject_items.clear()
        self.verdicts.clear()
        for group, subjects in index.groups.items():
            group_item = QtWidgets.QTreeWidgetItem([group])
            self.tree.addTopLevelItem(group_item)
            for subject, entries in subjects.items():
                subject_item = QtWidgets.QTreeWidgetItem([subject, _label(entries[0].truth)])
                group_item.addChild(subject_item)
                self.subject_items[subject] = subject_item
                for entry in entries:
                    item = QtWidgets.QTreeWidgetItem([entry.name, _label(entry.truth)])
                    item.setData(0, PATH_ROLE, str(entry.path))
                    subject_item.addChild(item)
                    self.record_items[entry.name] = item
            group_item.setExpanded(True)
        problems = f", {len(index.problems)} unreadable" if index.problems else ""
        self.summary.setText(f"{len(index.records)} records{problems}")
        self.classify_all.setEnabled(True)
        self.tree.resizeColumnToContents(0)

    def set_record_verdict(self, name: str, verdict: Verdict, truth: str | None, class_names: tuple[str, ...]) -> None:
        item = self.record_items.get(name)
        if item is None:
            return
        self.class_names = class_names
        self.verdicts[name] = verdict
        _show_verdict(item, verdict, truth)
        self._update_subject(item.parent())

    def _update_subject(self, subject_item: QtWidgets.QTreeWidgetItem | None) -> None:
        if subject_item is None or not self.class_names:
            return
        names = [subject_item.child(i).text(0) for i in range(subject_item.childCount())]
        if not all(n in self.verdicts for n in names):
            return  # the subject verdict waits for all its records
        verdict = subject_verdict([self.verdicts[n] for n in names], self.class_names)
        truth = _truth_of(subject_item)
        _show_verdict(subject_item, verdict, truth)

    def mismatches(self) -> list[str]:
        return [name for name, item in self.record_items.items() if item.foreground(2).color() == MISMATCH]

    def _activated(self, item: QtWidgets.QTreeWidgetItem, _column: int = 0) -> None:
        path = item.data(0, PATH_ROLE)
        if path:
            self.recordActivated.emit(Path(path))


def _label(truth: str | None) -> str:
    return CLASS_LABELS.get(truth, truth) if truth else "—"


def _truth_of(item: QtWidgets.QTreeWidgetItem) -> str | None:
    text = item.text(1)
    for name, label in CLASS_LABELS.items():
        if text == label:
            return name
    return None


def _show_verdict(item: QtWidgets.QTreeWidgetItem, verdict: Verdict, truth: str | None) -> None:
    if verdict.label is None:
        item.setText(2, "no verdict")
        item.setToolTip(2, verdict.reason or "")
        item.setText(3, "")
        return
    item.setText(2, _label(verdict.label))
    item.setText(3, f"{verdict.confidence:.2f}")
    if truth is not None:
        agrees = truth == verdict.label
        item.setForeground(2, MATCH if agrees else MISMATCH)
        item.setText(2, ("✓ " if agrees else "✗ ") + _label(verdict.label))
        item.setToolTip(2, "agrees with the truth" if agrees else f"truth is {_label(truth)}")
