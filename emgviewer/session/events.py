"""A minimal event: callbacks connected to it run, in order, when it is emitted."""

from __future__ import annotations

from typing import Any, Callable


class Event:
    """Like a Qt signal, without Qt: ``connect`` a callback, ``emit`` calls each with the
    arguments. Callbacks run on the emitting thread; the session emits on the UI thread only."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        """Call ``callback`` with the arguments of every later :meth:`emit`."""
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., Any]) -> None:
        """Stop calling ``callback``."""
        self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        """Call every connected callback, in the order they were connected."""
        for callback in list(self._callbacks):
            callback(*args)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._callbacks)} connected)"
