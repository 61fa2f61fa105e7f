"""The desktop entry and file types that `emgviewer install-desktop` writes, and what the
bundle's spec must list by hand (fast: no bundle is built here; tests/test_bundle.py builds one)."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emgviewer.desktop_entry import desktop_entry, exec_argument, install, installed_paths, mime_xml, uninstall
from emgviewer.paths import app_icon_path

REPO = Path(__file__).resolve().parent.parent


def unquote_exec(value: str) -> list[str]:
    r"""The Exec key read back as the Desktop Entry spec says a launcher reads it: the string
    escapes first (``\\`` -> ``\``), then double-quoted arguments with ``\"``, ``\` ``,
    ``\$``, ``\\`` escapes, then ``%%`` -> ``%``. Written apart from the code under test."""
    value = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(m[1], "\\" + m[1]), value)
    arguments, i = [], 0
    while i < len(value):
        if value[i] == " ":
            i += 1
            continue
        if value[i] == '"':
            i += 1
            part = []
            while value[i] != '"':
                if value[i] == "\\":
                    i += 1
                part.append(value[i])
                i += 1
            i += 1
        else:
            part = []
            while i < len(value) and value[i] != " ":
                part.append(value[i])
                i += 1
        arguments.append("".join(part).replace("%%", "%"))
    return arguments


def entry_keys(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(text)
    return dict(parser["Desktop Entry"])


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1), min_size=1, max_size=3))
def test_any_program_path_survives_the_exec_quoting(command):
    exec_value = entry_keys(desktop_entry(command))["Exec"]
    assert exec_value.endswith(" %f")
    assert unquote_exec(exec_value.removesuffix(" %f")) == command


def test_a_path_with_spaces_and_quotes_is_quoted_as_the_spec_shows():
    assert exec_argument("/opt/emgviewer/emgviewer") == "/opt/emgviewer/emgviewer"
    assert exec_argument('/home/a b/"x"/$y') == '"/home/a b/\\\\"x\\\\"/\\\\$y"'


def test_the_entry_offers_the_record_types_it_declares():
    keys = entry_keys(desktop_entry(["/opt/emgviewer/emgviewer"]))
    assert keys["Type"] == "Application" and keys["Icon"] == "emgviewer" and keys["Terminal"] == "false"
    offered = set(filter(None, keys["MimeType"].split(";")))
    root = ET.fromstring(mime_xml())
    namespace = "{http://www.freedesktop.org/standards/shared-mime-info}"
    declared = {t.get("type"): {g.get("pattern") for g in t.iter(f"{namespace}glob")} for t in root}
    assert offered == set(declared)
    assert set().union(*declared.values()) == {"*.hea", "*.bin", "*.edf"}


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_the_entry_is_valid_for_desktop_file_validate(tmp_path):
    path = tmp_path / "emgviewer.desktop"
    path.write_text(desktop_entry(["/opt/EMG Viewer/emgviewer"]))
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_install_writes_entry_icon_and_types_and_uninstall_removes_them(tmp_path):
    command = [sys.executable, "-m", "emgviewer"]
    notes = install(tmp_path, command)
    paths = installed_paths(tmp_path)
    assert unquote_exec(entry_keys(paths["entry"].read_text())["Exec"].removesuffix(" %f")) == command
    assert paths["icon"].read_bytes() == app_icon_path().read_bytes()
    assert paths["mime"].read_text() == mime_xml()
    assert len(notes) == 2
    assert sorted(uninstall(tmp_path)) == sorted(paths.values())
    assert not any(p.exists() for p in paths.values())
    assert uninstall(tmp_path) == []


def test_the_icon_is_a_256_pixel_png():
    data = app_icon_path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == int.from_bytes(data[20:24], "big") == 256


def test_every_module_imported_by_name_is_listed_for_the_bundle():
    """PyInstaller cannot see ``lazy_module("x")``: the spec's list must name each one, or the
    frozen app fails the first time it opens an EDF file or loads a model."""
    sys.path.insert(0, str(REPO / "packaging"))
    try:
        from bundle_contents import LAZY_IMPORTS
    finally:
        sys.path.remove(str(REPO / "packaging"))
    named = set()
    for source in (REPO / "emgviewer").rglob("*.py"):
        named |= set(re.findall(r'lazy_module\("([\w.]+)"\)', source.read_text()))
    assert named and named <= set(LAZY_IMPORTS), sorted(named - set(LAZY_IMPORTS))


def test_install_desktop_on_the_command_line_and_a_folder_it_cannot_write(tmp_path):
    from cli_runner import emgviewer_cli

    done = emgviewer_cli("install-desktop", "--data-dir", tmp_path / "share")
    assert done.returncode == 0, done.stderr
    entry = tmp_path / "share" / "applications" / "emgviewer.desktop"
    command = unquote_exec(entry_keys(entry.read_text())["Exec"].removesuffix(" %f"))
    assert f"it runs: {' '.join(command)} FILE" in done.stdout
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be\n")
    refused = emgviewer_cli("install-desktop", "--data-dir", blocked)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith(f"emgviewer: error: {blocked}/applications: cannot write the desktop entry (")
    assert "Traceback" not in refused.stderr
    assert blocked.read_text() == "a file where the folder should be\n"  # nothing of the user's touched


def test_about_says_what_this_installation_runs_on():
    import json

    from cli_runner import emgviewer_cli

    import emgviewer

    done = emgviewer_cli("about", "--json")
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert (facts["version"], facts["kind"]) == (emgviewer.__version__, "Python package")
    assert Path(facts["location"]) == Path(emgviewer.__file__).resolve().parent
    assert facts["onnxruntime"]["model_runs_on"] in facts["onnxruntime"]["available_providers"]
    assert isinstance(facts["sound"]["plays"], bool) and (facts["sound"]["plays"] or facts["sound"]["why_not"])
