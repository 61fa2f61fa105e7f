"""The desktop's menu entry and file associations (freedesktop.org, Linux desktops).

``emgviewer install-desktop`` writes them for the running program, the desktop bundle's or a
Python install's: a ``.desktop`` entry with the icon, and the MIME types of the record files, so
that a file manager opens ``.hea``, ``.bin`` and ``.edf`` files with ``emgviewer PATH``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from emgviewer.atomic import atomic_write_bytes, atomic_write_text
from emgviewer.paths import app_icon_path

APP_ID = "emgviewer"

#: The record types a file manager opens with emgviewer: (MIME type, comment, glob patterns).
#: ``.hea`` and ``.bin`` have no registered types, so these are declared here. EDF has a
#: shared-mime-info type on most desktops; declaring it again is harmless and covers the rest.
FILE_TYPES = (
    ("application/x-wfdb-header", "WFDB record header (EMG)", ("*.hea",)),
    ("application/x-wfdb-signal", "WFDB/N2001 signal file (EMG)", ("*.bin",)),
    ("application/x-edf", "European Data Format recording", ("*.edf",)),
)


def program_command() -> list[str]:
    """How a desktop starts this very program: the bundle's executable, the installed
    ``emgviewer`` script beside this Python, or ``python -m emgviewer``."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    script = shutil.which("emgviewer", path=str(Path(sys.executable).parent))
    return [str(Path(script).resolve())] if script else [str(Path(sys.executable).resolve()), "-m", "emgviewer"]


def desktop_entry(command: list[str], icon: str = APP_ID) -> str:
    """The ``.desktop`` entry that runs ``command`` with one file (``%f``: a process per file)."""
    mime = "".join(f"{kind};" for kind, _, _ in FILE_TYPES)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.4\n"
        "Name=EMG Viewer\n"
        "GenericName=Needle-EMG viewer\n"
        "Comment=View needle-EMG recordings with each window classified (research and teaching tool)\n"
        f"Exec={' '.join(exec_argument(part) for part in command)} %f\n"
        f"Icon={icon}\n"
        "Terminal=false\n"
        "Categories=Science;MedicalSoftware;\n"
        f"MimeType={mime}\n"
        "Keywords=EMG;electromyography;needle;MUAP;N2001;WFDB;EDF;\n"
        f"StartupWMClass={APP_ID}\n"
    )


def exec_argument(argument: str) -> str:
    """One ``Exec`` argument as the Desktop Entry spec wants it: quoted when it holds a reserved
    character, with double quote, backtick, dollar and backslash escaped inside the quotes, and
    every backslash then doubled once more (the key's value is itself an escaped string)."""
    reserved = ' \t\n"\'\\><~|&;$*?#()`'
    if argument and not any(c in argument for c in reserved) and "%" not in argument:
        return argument
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in argument.replace("%", "%%"))
    return '"' + quoted.replace("\\", "\\\\") + '"'


def mime_xml() -> str:
    """shared-mime-info declarations of :data:`FILE_TYPES`."""
    types = []
    for kind, comment, globs in FILE_TYPES:
        # Weight 40, below the default 50: a .bin that another program declares stays its own.
        patterns = "".join(f'    <glob pattern="{g}" weight="40"/>\n' for g in globs)
        types.append(f'  <mime-type type="{kind}">\n    <comment>{comment}</comment>\n{patterns}  </mime-type>\n')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">\n'
            + "".join(types) + "</mime-info>\n")


def installed_paths(data_dir: Path) -> dict[str, Path]:
    """Where :func:`install` writes, under an XDG data folder (``~/.local/share``)."""
    return {"entry": data_dir / "applications" / f"{APP_ID}.desktop",
            "icon": data_dir / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png",
            "mime": data_dir / "mime" / "packages" / f"{APP_ID}.xml"}


def install(data_dir: Path, command: list[str] | None = None) -> list[str]:
    """Write the entry, icon and MIME types under ``data_dir`` (each atomically), then refresh
    the desktop's caches where their tools exist; the notes of what was refreshed or not."""
    paths = installed_paths(data_dir)
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(paths["icon"], app_icon_path().read_bytes())
    atomic_write_text(paths["mime"], mime_xml())
    atomic_write_text(paths["entry"], desktop_entry(command or program_command()))
    return [_refresh(["update-mime-database", str(data_dir / "mime")]),
            _refresh(["update-desktop-database", str(data_dir / "applications")])]


def uninstall(data_dir: Path) -> list[Path]:
    """Remove what :func:`install` wrote, and refresh the MIME cache built from it; the files removed."""
    removed = []
    for path in installed_paths(data_dir).values():
        if path.is_file():
            path.unlink()
            removed.append(path)
    if removed and (data_dir / "mime" / "packages").is_dir():
        _refresh(["update-mime-database", str(data_dir / "mime")])
    return removed


def _refresh(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return f"{command[0]} not found: the desktop reads the new files at its next login"
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return f"{command[0]} failed: {(done.stderr or done.stdout).strip()[:200]}"
    return f"{command[0]}: done"
