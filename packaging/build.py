"""Build the desktop bundle: ``python packaging/build.py [--out DIR] [--no-archive]``.

One folder that runs without Python on the target machine (PyInstaller, ``emgviewer.spec``),
with the default model, the demo records, the icon, a freedesktop ``.desktop`` entry and an
``install-desktop-entry.sh`` that puts the entry in the user's menu. On Linux also a tarball of
the folder. Prints the folder's size; the last line is one JSON object.

PyInstaller's work files go under ``build/bundle/work`` in this checkout; nothing is cached
outside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
from emgviewer.desktop_entry import desktop_entry, mime_xml  # noqa: E402

#: Beside the program: a double-clickable way to run ``emgviewer install-desktop``.
INSTALL_SCRIPT = """#!/bin/sh
# Put EMG Viewer in this user's menu, and make it the program that opens .hea, .bin and .edf
# files. The entry points at this folder: run this again after moving it.
exec "$(dirname "$0")/emgviewer" install-desktop "$@"
"""


def folder_size(folder: Path) -> int:
    """Bytes of every file under ``folder`` (their lengths, links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def strip_interpreter(folder: Path) -> None:
    """Drop the debugging symbols of the bundled Python (about 18 MB where it was built with them).

    Only the interpreter and its own extension modules: the wheels' libraries stay as shipped
    (some are patched by auditwheel, and stripping those has broken them)."""
    strip = shutil.which("strip")
    if strip is None or sys.platform != "linux":
        return
    internal = folder / "_internal"
    targets = [*internal.glob("libpython3*.so*"), *internal.glob("python3*/lib-dynload/*.so")]
    if targets:
        subprocess.run([strip, "--strip-unneeded", *map(str, targets)], check=True)


def add_desktop_files(folder: Path) -> None:
    """The icon, the ``.desktop`` entry, the MIME types and their installer, beside the program."""
    shutil.copy2(ROOT / "resources" / "icons" / "emgviewer.png", folder / "emgviewer.png")
    # For a system-wide install (IT copies the folder to /opt/emgviewer and this entry, with Exec
    # made absolute, to /usr/share/applications); one user runs install-desktop-entry.sh.
    (folder / "emgviewer.desktop").write_text(desktop_entry(["emgviewer"]))
    (folder / "emgviewer-mime.xml").write_text(mime_xml())
    installer = folder / "install-desktop-entry.sh"
    installer.write_text(INSTALL_SCRIPT)
    installer.chmod(0o755)


def make_tarball(folder: Path, archive: Path) -> None:
    """``folder`` as a .tar.gz with one top-level folder, written atomically."""
    partial = archive.with_name(archive.name + ".tmp")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=folder.name)
    os.replace(partial, archive)


def main(argv: list[str] | None = None) -> int:
    """Build; 0 when the folder (and archive) were written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the bundle goes (default: dist/)")
    parser.add_argument("--no-archive", action="store_true", help="the folder only, no tarball")
    args = parser.parse_args(argv)
    from emgviewer import __version__

    out = args.out.resolve()
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(out), "--workpath", str(ROOT / "build" / "bundle" / "work"),
                    str(HERE / "emgviewer.spec")], check=True)
    folder = out / "emgviewer"
    strip_interpreter(folder)
    if sys.platform.startswith("linux"):
        add_desktop_files(folder)
    size = folder_size(folder)
    summary = {"folder": str(folder), "bytes": size, "build_s": round(time.monotonic() - started, 1)}
    if sys.platform.startswith("linux") and not args.no_archive:
        archive = out / f"emgviewer-{__version__}-linux-{os.uname().machine}.tar.gz"
        make_tarball(folder, archive)
        summary["archive"] = str(archive)
        summary["archive_bytes"] = archive.stat().st_size
    print(f"bundle: {folder} ({size / 1e6:.0f} MB) built in {summary['build_s']} s")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
