"""Giving memory back to the system after a big job.

A folder job reads hundreds of 1-MB signals one after another. glibc's malloc raises its mmap
threshold after such frees, so later blocks come from the heap and stay resident after Python
has freed them: the viewer's RSS stayed about 2.4 MB a record higher after a folder report.
``malloc_trim`` returns those free pages (90 of 145 MB on 60 N2001 records,
benchmarks/bench_folder_memory.py). Elsewhere than glibc this only collects garbage.
"""

from __future__ import annotations

import gc
import sys


def release_memory() -> None:
    """Hand freed memory back to the system after a large job (a folder's classification), where
    the C library allows."""
    gc.collect()
    if sys.platform.startswith("linux"):
        import ctypes.util  # here: 15 ms of imports the viewer's launch does not need

        try:
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass


def freeze_long_lived() -> None:
    """Exempt every object alive now from later full garbage collections (``gc.freeze``).

    Called after a lazy import: a module's objects (scipy.signal's about 40 k, onnxruntime's,
    and before them the app's own modules and widgets) live as long as the process, yet each
    full collection rescanned them all: 45-90 ms of frozen UI on 2 cores, several times while a
    30-minute record loads (benchmarks/bench_long_record.py). Frozen objects are still freed
    when their last reference goes; only a reference cycle among them outlives its use."""
    gc.freeze()
