"""Writing files atomically: a temporary file in the same folder, then a rename (or a link).

A crash, a kill or a full disk never leaves a half-written file and never destroys the
previous one. Without ``overwrite`` the new file is linked into place, which fails if a file
of that name appeared meanwhile (another run, another program): nothing is ever clobbered
silently. A file that replaces another keeps the old one's permissions; a new file gets the
user's umask (reports carry age, sex and diagnosis: a private umask must stay private).
Temporary files left by a killed writer are removed by the next write to the same target.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import threading
from pathlib import Path

_UMASK_LOCK = threading.Lock()


def atomic_write_bytes(path: str | Path, data: bytes, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` atomically. ``overwrite=False`` raises :class:`FileExistsError`
    if ``path`` exists when the data is ready, and leaves it untouched. Only a regular file is
    ever replaced: a device, a FIFO or a socket at ``path`` raises ``OSError`` (EINVAL) with the
    reason, and stays as it is."""
    path = Path(path)
    problem = _not_a_regular_file(path)
    if problem:
        raise OSError(errno.EINVAL, problem, str(path))
    remove_stale_temporaries(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        os.fchmod(handle, _mode_for(path))
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: str | Path, text: str, overwrite: bool = True) -> None:
    """``text`` as UTF-8, written as :func:`atomic_write_bytes` writes."""
    atomic_write_bytes(path, text.encode("utf-8"), overwrite)


def output_problem(path: Path, overwrite: bool, suffix: str | None = None) -> str | None:
    """Why ``path`` cannot be written, said before any work is done; ``None`` when it can."""
    if str(path) in ("", "."):
        return "no output file named"
    if suffix is not None and path.suffix.lower() != suffix:
        return f"must end in {suffix}"
    if path.is_dir():
        return "is a folder; name a file to write"
    special = _not_a_regular_file(path)
    if special:
        return special
    parent = path.parent
    if not parent.exists():
        return f"folder {parent} does not exist"
    if not parent.is_dir():
        return f"{parent} is not a folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"folder {parent} is not writable"
    if path.exists() and not overwrite:
        return "exists; pass --force to overwrite it"
    return None


def _not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` must not be replaced by a file (it is a device, FIFO or socket), or ``None``."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # nothing there (or not reachable): writing says what is wrong
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None  # a folder is refused by the rename itself, with its own message
    return "is a device, FIFO or socket, not a file; name a regular file to write"


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete ``.NAME.PID.*.tmp`` files beside ``path`` whose writing process is gone."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\..*\.tmp$")
    removed = []
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return removed
    for candidate in siblings:
        match = pattern.match(candidate.name)
        if match and not _alive(int(match[1]) if len(match[1]) <= 10 else None):
            try:
                candidate.unlink()
                removed.append(candidate)
            except OSError:
                pass
    return removed


def _alive(pid: int | None) -> bool:
    """Whether process ``pid`` runs; ``None`` or a number no process can have (over the
    kernel's limit, or too large for ``kill``) is never alive, so its temporary is stale."""
    if pid is None or pid <= 0 or pid > 2**22:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)  # keep the replaced file's permissions
    except OSError:
        with _UMASK_LOCK:  # the only portable way to read the umask is to set it
            umask = os.umask(0o077)
            os.umask(umask)
        return 0o666 & ~umask


def _link_new(temporary: str, path: Path) -> None:
    try:
        os.link(temporary, path)
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links: the best we can do is check, then rename.
        if path.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(path)) from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)
