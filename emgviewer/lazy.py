"""Modules imported on first use, so starting the viewer does not wait for what its first frame
does not need (scipy.signal alone takes about 2 s to import on a 2-core machine).

A plain proxy that imports on the first attribute read, under a lock: ``importlib.util.LazyLoader``
is not safe when two threads touch the module first at once (the viewer's MUAP job and its
inspector did, and one of them saw a half-initialised scipy.signal).

After each import the objects alive are frozen out of full garbage collections
(:func:`emgviewer.memory.freeze_long_lived`): a module is never collected, and rescanning one
the size of scipy.signal stalled the viewer's event loop.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType

from emgviewer.memory import freeze_long_lived


class LazyModule:
    """A module imported on first use of one of its attributes (a launch does not wait for it)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None
        self._lock = threading.Lock()

    def _load(self) -> ModuleType:
        with self._lock:
            if self._module is None:
                self._module = importlib.import_module(self._name)
                freeze_long_lived()
        return self._module

    def __getattr__(self, attribute: str):
        module = self._module or self._load()
        return getattr(module, attribute)


def lazy_module(name: str) -> LazyModule:
    """``name``, imported when one of its attributes is first read."""
    return LazyModule(name)


scipy_signal = lazy_module("scipy.signal")
scipy_cluster_hierarchy = lazy_module("scipy.cluster.hierarchy")  # about 0.5 s
threadpoolctl = lazy_module("threadpoolctl")

#: What the analyses import on first use: the MUAP analysis (all three), the inspector's
#: spectrum and the display filter (scipy.signal).
ANALYSIS_MODULES = (scipy_signal, scipy_cluster_hierarchy, threadpoolctl)


def import_analysis_modules() -> None:
    """Import :data:`ANALYSIS_MODULES` now (1-2 s on 2 cores).

    The viewer does this in the background once its first frame is up. Loading scipy's compiled
    modules holds the interpreter lock for up to about 150 ms at a time: a stall of the event
    loop better taken once at launch than while a long record loads and is classified."""
    for module in ANALYSIS_MODULES:
        module._load()
