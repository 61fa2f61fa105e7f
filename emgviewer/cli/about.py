"""``emgviewer about [--json]``: what this installation is and what it runs on.

What a lab's IT or a bug report needs in one place: the version, whether it is the desktop
bundle or a Python install and where it lives, the Qt and onnxruntime it carries, the providers
onnxruntime offers and the one a model session really gets, and whether sound can play.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path
from typing import Any

from emgviewer import __version__


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``about`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "about", help="version, where it runs from, Qt, onnxruntime providers, sound",
        description="Say what this installation is: version, desktop bundle or Python package and "
                    "where, the Qt and onnxruntime it uses, the execution providers onnxruntime offers "
                    "and the one a model gets, the shipped resources, and whether sound can play.")
    parser.add_argument("--json", action="store_true", help="print JSON instead of lines")
    parser.set_defaults(run=run)


def installation() -> dict[str, Any]:
    """The facts :func:`run` prints, as a dict (each part says its own problem instead of failing)."""
    import emgviewer
    from emgviewer.paths import resources_dir

    frozen = bool(getattr(sys, "frozen", False))
    home = Path(sys.executable).resolve().parent if frozen else Path(emgviewer.__file__).resolve().parent
    return {
        "version": __version__,
        "kind": "desktop bundle" if frozen else "Python package",
        "location": str(home),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "resources": str(resources_dir()),
        "qt": _qt(),
        "onnxruntime": _onnxruntime(),
        "sound": _sound(),
    }


def _qt() -> dict[str, Any]:
    try:
        import PySide6
        from PySide6 import QtCore
    except ImportError as err:
        return {"problem": f"PySide6 could not load ({err})"}
    return {"pyside6": PySide6.__version__, "qt": QtCore.qVersion()}


def _onnxruntime() -> dict[str, Any]:
    try:
        import onnxruntime
    except ImportError as err:  # a frozen app whose native module was left out says so here
        return {"problem": f"onnxruntime could not load ({err})"}
    from emgviewer.inference import ModelError, load_model
    from emgviewer.inference.zoo import default_model_path

    facts: dict[str, Any] = {"version": onnxruntime.__version__,
                             "available_providers": onnxruntime.get_available_providers()}
    model = default_model_path()
    if model is None:
        facts["model_runs_on"] = None
        return facts
    try:
        facts["model_runs_on"] = load_model(model, with_folds=False).provider
    except ModelError as err:
        facts["problem"] = str(err)
    return facts


def _sound() -> dict[str, Any]:
    try:
        from PySide6 import QtCore

        from emgviewer.ui.sound import audio_output
    except ImportError as err:
        return {"plays": False, "why_not": f"Qt could not load ({err})"}
    # QtMultimedia's notes on the audio libraries and backends it found are not this command's
    # answer: what it says is whether sound plays, and why not.
    QtCore.qInstallMessageHandler(lambda mode, context, message: None)
    _app = QtCore.QCoreApplication.instance() or QtCore.QCoreApplication([sys.argv[0]])  # QtMultimedia wants one
    output, why_not = audio_output()
    if output is None:
        return {"plays": False, "why_not": why_not}
    return {"plays": True, "device": output[1].description()}


def run(args: argparse.Namespace) -> int:
    """Print the installation's facts; 0."""
    facts = installation()
    if args.json:
        print(json.dumps(facts, indent=2))
        return 0
    qt, ort, sound = facts["qt"], facts["onnxruntime"], facts["sound"]
    lines = [
        f"emgviewer {facts['version']} ({facts['kind']})",
        f"runs from    {facts['location']}",
        f"python       {facts['python']} on {facts['platform']}",
        f"resources    {facts['resources']}",
        "qt           " + (qt.get("problem") or f"PySide6 {qt['pyside6']}, Qt {qt['qt']}"),
        "onnxruntime  " + (f"{ort['version']}; providers offered: {', '.join(ort['available_providers'])}; "
                           f"the default model runs on: {ort.get('model_runs_on') or 'no default model'}"
                           if "version" in ort else ort["problem"]),
        "sound        " + (f"plays on {sound['device']!r}" if sound["plays"] else f"silent: {sound['why_not']}"),
    ]
    if "version" in ort and ort.get("problem"):
        lines.append(f"             {ort['problem']}")
    print("\n".join(lines))
    return 0
