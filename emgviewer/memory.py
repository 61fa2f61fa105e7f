"""Giving memory back to the system after a big job.

A folder job reads hundreds of 1-MB signals one after another. glibc's malloc raises its mmap
threshold after such frees, so later blocks come from the heap and stay resident after Python
has freed them: the viewer's RSS stayed about 2.4 MB a record higher after a folder report.
``malloc_trim`` returns those free pages (90 of 145 MB on 60 N2001 records,
benchmarks/bench_folder_memory.py). Elsewhere than glibc this only collects garbage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys


def release_memory() -> None:
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass
