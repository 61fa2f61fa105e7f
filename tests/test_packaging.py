"""What a fresh install must provide: package data, the console script, the declared deps."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata, resources
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_resources_ship_as_package_data():
    demo = resources.files("emgviewer.resources") / "demo"
    names = sorted(entry.name for entry in demo.iterdir())
    assert names == [f"demo_{p}.{s}" for p in ("myopathic", "neurogenic", "normal") for s in ("bin", "hea")]


def test_console_script_is_declared():
    scripts = {e.name: e.value for e in metadata.entry_points(group="console_scripts")}
    assert scripts["emgviewer"] == "emgviewer.cli:main"


def test_pyside6_excludes_the_version_that_aborts_with_pyqtgraph():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pyside = next(d for d in project["dependencies"] if d.startswith("PySide6"))
    assert "!=6.12.0" in pyside
    assert any(d.startswith("torch>=2.3") for d in project["optional-dependencies"]["train"])


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    match = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S)
    assert match, "README.md has no marked test command"
    ci = (REPO / ".ci" / "run").read_text()
    assert "test-command" in ci  # .ci/run extracts and runs that very block


def test_every_python_package_in_the_tree_is_listed_for_the_wheel():
    """The packages are listed by hand (resources/ ships as emgviewer.resources); a new
    sub-package left off the list works in an editable install and is missing from a wheel."""
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(REPO).parts) for init in (REPO / "emgviewer").rglob("__init__.py")}
    assert found <= listed, f"missing from [tool.setuptools] packages: {sorted(found - listed)}"
    # training/ runs from the checkout: no bare "training" package in an app user's site-packages.
    assert not any(name == "training" or name.startswith("training.") for name in listed)


def test_the_version_is_the_packages_own():
    import emgviewer

    assert metadata.version("emgviewer") == emgviewer.__version__
    assert "version" in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dynamic"]


def test_the_suite_collects_without_torch(tmp_path):
    """`pytest` as the README says, where torch is not installed: the training tests skip with a
    reason, nothing fails to collect (CI always has torch, so only this test sees it)."""
    import os
    import subprocess
    import sys

    blocker = tmp_path / "torch.py"
    blocker.write_text("raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    repo = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-rs", "-p", "no:cacheprovider",
                          str(repo / "tests")], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    last = run.stdout.strip().splitlines()[-1]
    assert "tests collected" in last and "error" not in last, last
    assert "test_training_external.py:12: the training commands need PyTorch" in run.stdout


def test_the_changelog_names_this_version_as_its_newest_release():
    """A release moves the version and the changelog together (Keep a Changelog's form)."""
    import re

    import emgviewer

    releases = re.findall(r"^## (\d+\.\d+\.\d+)", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), flags=re.M)
    assert releases and releases[0] == emgviewer.__version__
