"""The ``emgviewer`` command run as a user runs it: the installed script, else ``python -m``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def emgviewer_cli(*args, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    script = shutil.which("emgviewer", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "emgviewer"]
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kwargs)
