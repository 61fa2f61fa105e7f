"""``emgviewer models`` and ``--model NAME``: a shipped model is chosen by name, listed with the
numbers its own card carries, and a wrong name is told which names exist."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import emgviewer_cli as _emgviewer

from emgviewer.cli.models import describe, table
from emgviewer.inference import load_model
from emgviewer.inference.zoo import available_models, resolve_model, shipped_names
from emgviewer.paths import demo_record_paths


def test_the_table_lists_every_shipped_model_with_its_cards_numbers():
    result = _emgviewer("models")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "model", "version", "windows", "bal.", "acc.", "records", "subjects"]
    for path, line in zip(available_models(), lines[1:]):
        card = load_model(path, force_cpu=True).card
        assert line.split() == [path.stem, *card.name.split(), card.version,
                                f"{card.evaluation['window_balanced_accuracy']:.1%}",
                                card.evaluation["records"], card.evaluation["subjects"]]
    assert "people the model never saw (leave-one-subject-out over 19 N2001 subjects)" in result.stdout
    document = json.loads(_emgviewer("models", "--json").stdout)
    names = ["default", "munet-local", "resemgnet-learned", "resemgnet"]
    assert [m["name"] for m in document["models"]] == shipped_names() == names
    assert [m["default"] for m in document["models"]] == [True, False, False, False]


def test_a_shipped_model_is_chosen_by_name_and_a_wrong_name_is_told_the_right_ones():
    record = demo_record_paths()[0]
    result = _emgviewer("classify", record, "--model", "munet-local", "--cpu")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("model: munet-local (3class) 1.0.1 [munet-local.onnx]")
    wrong = _emgviewer("classify", record, "--model", "munet-locl", "--cpu")
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert wrong.stderr == ("emgviewer: error: munet-locl: model file not found; nor is it a shipped model "
                            "(default, munet-local, resemgnet-learned, resemgnet: emgviewer models)\n")


def test_a_file_wins_over_a_shipped_name_and_paths_are_never_renamed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_model(Path("munet-local.onnx")) == available_models()[1]
    Path("munet-local.onnx").write_bytes(b"mine")  # the user's own file of that name
    assert resolve_model(Path("munet-local.onnx")) == Path("munet-local.onnx")
    assert resolve_model(Path("models/munet-local")) == Path("models/munet-local")  # a path, not a name
    # MUNet moved to default.onnx in 0.3.0: its former name still finds it.
    assert resolve_model(Path("munet")) == resolve_model(Path("munet.onnx")) == available_models()[0]


def test_a_shipped_model_that_cannot_be_opened_is_named_in_the_table(tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    entry = describe(broken)
    assert entry["name"] == "broken" and "broken.onnx" in entry["problem"]
    assert f"broken  cannot be opened: {entry['problem']}" in table([entry])
