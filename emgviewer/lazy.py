"""Modules imported on first use, so starting the viewer does not wait for what its first frame
does not need (scipy.signal alone takes about 2 s to import on a 2-core machine).

A plain proxy that imports on the first attribute read, under a lock: ``importlib.util.LazyLoader``
is not safe when two threads touch the module first at once (the viewer's MUAP job and its
inspector did, and one of them saw a half-initialised scipy.signal).
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None
        self._lock = threading.Lock()

    def _load(self) -> ModuleType:
        with self._lock:
            if self._module is None:
                self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attribute: str):
        module = self._module or self._load()
        return getattr(module, attribute)


def lazy_module(name: str) -> LazyModule:
    """``name``, imported when one of its attributes is first read."""
    return LazyModule(name)


scipy_signal = lazy_module("scipy.signal")
scipy_stats = lazy_module("scipy.stats")
