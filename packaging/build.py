"""Build the desktop bundle: ``python packaging/build.py [--out DIR] [--no-archive]``.

One folder that runs without Python on the target machine (PyInstaller, ``emgviewer.spec``),
with the default model and the demo records, and one archive of it (a tarball on Linux, a zip
on Windows and macOS). On Linux the folder also holds the icon, a freedesktop ``.desktop``
entry and ``install-desktop-entry.sh``, which puts the entry in the user's menu. Prints the
folder's size; the last line is one JSON object.

PyInstaller's work files go under ``build/bundle/work`` in this checkout; nothing is cached
outside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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


#: System libraries the Linux bundle carries so that the target needs none installed: Qt's xcb
#: platform (its message names only the first) and sound. PyInstaller copies them from the
#: build machine, so a build machine without them makes a bundle without them.
CARRIED_LIBRARIES = {"libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
                     "libxcb-keysyms.so.1": "libxcb-keysyms1", "libpulse.so.0": "libpulse0"}


def missing_libraries(folder: Path) -> list[str]:
    """The Debian packages of :data:`CARRIED_LIBRARIES` whose library the built folder lacks."""
    carried = {p.name for p in (folder / "_internal").rglob("*.so*")}
    return [package for library, package in CARRIED_LIBRARIES.items() if library not in carried]


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


def make_archive(folder: Path, out: Path, version: str) -> Path:
    """``folder`` as one archive with one top-level folder, written atomically: a .tar.gz on
    Linux (keeps the executable bits), a .zip elsewhere (what Windows and macOS open)."""
    machine = platform.machine().lower() or "unknown"
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    stem = f"emgviewer-{version}-{system}-{machine}"
    if sys.platform.startswith("linux"):
        archive = out / f"{stem}.tar.gz"
        partial = archive.with_name(archive.name + ".tmp")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
    else:
        archive = out / f"{stem}.zip"
        partial = Path(shutil.make_archive(str(out / f"{stem}.partial"), "zip", out, folder.name))
    os.replace(partial, archive)
    return archive


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
        missing = missing_libraries(folder)
        if missing:
            print(f"warning: the bundle lacks system libraries the build machine did not have; targets will need "
                  f"them installed (apt-get install {' '.join(missing)}), or rebuild where they are",
                  file=sys.stderr)
    size = folder_size(folder)
    summary = {"folder": str(folder), "bytes": size, "build_s": round(time.monotonic() - started, 1)}
    if not args.no_archive:
        archive = make_archive(folder, out, __version__)
        summary["archive"] = str(archive)
        summary["archive_bytes"] = archive.stat().st_size
    print(f"bundle: {folder} ({size / 1e6:.0f} MB) built in {summary['build_s']} s")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
