"""Every key of the viewer comes from the one table (emgviewer.ui.shortcuts.KEYS): each is bound
once, none is bound outside it, and the ``?`` help lists them all."""

from __future__ import annotations

from collections import Counter

import pytest

pytest.importorskip("pytestqt")
from PySide6 import QtGui  # noqa: E402

from emgviewer.ui.shortcuts import KEYS, shortcut_help_text  # noqa: E402


def _text(sequence: str) -> str:
    return QtGui.QKeySequence(sequence).toString()


def test_every_key_comes_from_the_table_and_is_bound_once(window):
    bound = Counter(s.toString() for action in window.findChildren(QtGui.QAction) for s in action.shortcuts())
    table = Counter(_text(s) for keys in KEYS.values() for s in keys.split("|"))
    assert bound == table  # the same keys, each as often as in the table
    assert max(table.values()) == 1  # and no key in the table twice


def test_the_help_lists_every_key(window):
    listed = {line.split("\t")[0] for line in shortcut_help_text(window.actions()).splitlines()}
    for keys in KEYS.values():
        assert " or ".join(_text(s) for s in keys.split("|")) in listed  # alternatives too ("+ or =")


def test_the_user_guide_lists_every_key():
    """docs/user-guide.md's keys table names each key of the table, as the code spells it."""
    from pathlib import Path

    guide = (Path(__file__).parent.parent / "docs" / "user-guide.md").read_text(encoding="utf-8")
    table = guide[guide.index("## Keys"):guide.index("## The command line")]
    missing = [key for keys in KEYS.values() for key in keys.split("|") if f"`{key}`" not in table]
    assert missing == []
