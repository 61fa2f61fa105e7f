"""Tiny real training runs: a handful of real N2001 records, a few steps, seconds."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from emgviewer.inference import classify, load_model  # noqa: E402
from emgviewer.records import read_record  # noqa: E402
from training.cli import main as training_main  # noqa: E402
from training.data import load_windows  # noqa: E402
from training.export import export_onnx, parity  # noqa: E402
from training.splits import loso_splits  # noqa: E402
from training.train import TrainConfig, predict_logits, train_model  # noqa: E402

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def tiny(n2001_dir):
    return load_windows(n2001_dir, max_records=12)


def test_windows_labels_and_subjects(tiny, n2001_dir):
    assert len(tiny.record_names) == 12 and len(set(tiny.record_subjects)) == 12
    assert tiny.window_samples == 23437 and tiny.fs_hz == 23437.5
    first = tiny.gather(np.array([0]))[0]
    record = read_record(n2001_dir / f"{tiny.record_names[0]}.hea")
    assert np.array_equal(first, record.signal_uv[:23437])  # the app's own reader and windows
    assert {tiny.class_names[label] for label in tiny.record_labels} == {"ALS", "control", "myopathy"}


def test_loss_falls_on_a_fixed_batch(tiny):
    config = TrainConfig(epochs=1, steps_per_epoch=1, batch_size=8, augment=False)
    torch.manual_seed(0)
    result = train_model(tiny, np.arange(len(tiny)), np.array([], dtype=np.int64), config)
    model = result.model.train()
    batch = torch.from_numpy(tiny.gather(np.arange(0, len(tiny), 20)) * np.float32(1e-3)).unsqueeze(1)
    labels = torch.from_numpy(tiny.labels[np.arange(0, len(tiny), 20)])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(15):
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(batch), labels)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_fold_training_respects_subjects_and_exports_with_parity(tiny, tmp_path, n2001_dir):
    split = loso_splits(tiny.subject_classes())[0]
    train_idx, val_idx = tiny.select_subjects(split.train), tiny.select_subjects(split.validation)
    assert not set(tiny.subjects[train_idx]) & set(tiny.subjects[val_idx])
    result = train_model(tiny, train_idx, val_idx, TrainConfig(epochs=2, steps_per_epoch=2, batch_size=8))
    assert len(result.history) == 2 and 1 <= result.best_epoch <= 2
    logits = predict_logits(result.model, tiny, val_idx)
    assert logits.shape == (val_idx.size, 3) and np.isfinite(logits).all()

    from training.pipeline import architecture_text, model_card

    meta = {"task": "3class", "classes": list(tiny.class_names), "fs_hz": tiny.fs_hz, "window_s": 1.0,
            "hop_s": 0.4, "n_times": tiny.window_samples, "config": {}}
    names = [n for n, s in zip(tiny.record_names, tiny.record_subjects) if s in split.train]
    trained = load_windows(n2001_dir, names=names)
    card = model_card("munet", architecture_text("munet", result.model, tiny.window_samples), meta, 1.3, None,
                 trained, n2001_dir)
    path = tmp_path / "tiny.onnx"
    windows = tiny.gather(np.arange(16))
    assert export_onnx(result.model, card, path, windows) <= 1e-4
    # The app loads it and gets the torch model's probabilities (temperature 1.3 applied).
    model = load_model(path)
    assert model.card.temperature == 1.3 and model.card.training["subjects"] == sorted(split.train)
    # Provenance from what ran: these records, no evaluation, a development version.
    assert model.card.training["n_records"] == len(names) == len(split.train)
    assert model.card.training["data"].startswith(f"EMGLAB N2001 biceps brachii: {len(names)} records of ")
    assert model.card.provenance.protocol_kind == "none" and "no subject-independent" in model.card.training["protocol"]
    assert model.card.version.startswith("0.dev") and model.card.provenance.distribution.n_records == len(names)
    with torch.no_grad():
        torch_logits = result.model(torch.from_numpy(windows * np.float32(1e-3)).unsqueeze(1)).numpy()
    expected = torch.softmax(torch.from_numpy(torch_logits) / 1.3, dim=1).numpy()
    np.testing.assert_allclose(model.predict_proba(windows), expected, atol=1e-5)
    assert parity(result.model, path.read_bytes(), windows) <= 1e-4


def test_cli_train_export_and_classify(n2001_dir, tmp_path):
    common = ["--data", str(n2001_dir), "--max-records", "9", "--epochs", "1", "--steps-per-epoch", "2",
              "--batch-size", "8"]
    assert training_main(["train", *common, "--out", str(tmp_path)]) == 0
    state = torch.load(tmp_path / "munet.pt", weights_only=True)
    assert isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values())
    meta = json.loads((tmp_path / "munet.json").read_text())
    assert not set(meta["validation_subjects"]) & set(meta["training_subjects"])
    onnx_path = tmp_path / "m.onnx"
    assert training_main(["export", "--checkpoint", str(tmp_path / "munet.pt"), "--data", str(n2001_dir),
                          "--out", str(onnx_path)]) == 0
    card = load_model(onnx_path).card
    assert card.training["subjects"] == meta["training_subjects"]
    assert card.training["n_records"] == len(meta["training_records"]) < 9  # not the folder's 423
    result = classify(read_record(n2001_dir / "N2001C02BB51.hea"), load_model(onnx_path))
    assert result.n_windows == 26 and result.verdict.label in ("control", "myopathy", "ALS")


def test_cli_evaluate_writes_reports(n2001_dir, tmp_path, capsys):
    args = ["evaluate", "--data", str(n2001_dir), "--max-records", "9", "--epochs", "1",
            "--steps-per-epoch", "1", "--batch-size", "8", "--folds", "3", "--out", str(tmp_path)]
    assert training_main(args) == 0
    report = json.loads((tmp_path / "munet_3class_3.json").read_text())
    assert len(report["folds"]) == 3 and report["records"]["n_records"] == 9
    assert (tmp_path / "munet_3class_3_confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| window | balanced accuracy |" in (tmp_path / "munet_3class_3.md").read_text()
    assert "| window | balanced accuracy |" in capsys.readouterr().out


def test_out_of_fold_verdicts_reach_the_card(n2001_dir, tmp_path, capsys):
    """evaluate keeps each record's held-out verdict; 'card' puts them, the protocol and the
    training distribution into an exported model without touching its graph."""
    from emgviewer.records import index_folder
    from training.data import _spread

    subset = tmp_path / "subset"
    subset.mkdir()
    entries = _spread([e for e in index_folder(n2001_dir).records], 9)
    for entry in entries:
        for suffix in (".hea", ".bin"):
            (subset / f"{entry.name}{suffix}").write_bytes((n2001_dir / f"{entry.name}{suffix}").read_bytes())
    common = ["--data", str(subset), "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "8"]
    assert training_main(["evaluate", *common, "--folds", "3", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "munet_3class_3.json").read_text())
    oof = {row["record"]: row for row in report["out_of_fold_records"]}
    assert sorted(oof) == sorted(e.name for e in entries)
    assert all(row["truth"] == {"A": "ALS", "C": "control", "M": "myopathy"}[name[5]] for name, row in oof.items())
    assert sum(row["verdict"] == row["truth"] for row in oof.values()) == report["records"]["records_correct"]
    assert training_main(["train", *common, "--out", str(tmp_path)]) == 0
    exported = tmp_path / "m.onnx"
    assert training_main(["export", "--checkpoint", str(tmp_path / "munet.pt"), "--data", str(subset),
                          "--evaluation", str(tmp_path / "munet_3class_3.json"), "--out", str(exported)]) == 0
    carded = tmp_path / "carded.onnx"
    assert training_main(["card", "--onnx", str(exported), "--data", str(subset), "--evaluation",
                          str(tmp_path / "munet_3class_3.json"), "--version", "9.9.9", "--out", str(carded)]) == 0
    # reproduce reuses an evaluation only if it is a LOSO run of this very recipe.
    reuse = ["reproduce", *common, "--evaluation", str(tmp_path / "munet_3class_3.json"),
             "--reports", str(tmp_path / "r"), "--out", str(tmp_path / "never.onnx")]
    capsys.readouterr()
    assert training_main(reuse) == 1 and not (tmp_path / "never.onnx").exists()
    assert capsys.readouterr().err.endswith("munet_3class_3.json: is not a leave-one-subject-out evaluation\n")
    assert training_main([*reuse[:-2], "--epochs", "2", "--out", str(tmp_path / "never.onnx")]) == 1
    assert "was run with another configuration" in capsys.readouterr().err
    # An existing model is never replaced without --force.
    before = exported.read_bytes()
    assert training_main(["export", "--checkpoint", str(tmp_path / "munet.pt"), "--data", str(subset),
                          "--out", str(exported)]) == 1
    assert exported.read_bytes() == before
    card = load_model(carded).card
    assert card.version == "9.9.9" and card.provenance.protocol_kind == "grouped k-fold"
    assert card.provenance.subjects == {e.n2001.subject_id for e in entries}
    assert set(card.provenance.out_of_fold) == set(oof)
    name = entries[0].name
    assert card.provenance.out_of_fold[name].label == oof[name]["verdict"]
    assert card.training["n_records"] == 9 and card.evaluation["records"] == f"{report['records']['records_correct']}/9"
    record = read_record(subset / f"{name}.hea")
    np.testing.assert_array_equal(classify(record, load_model(carded)).probabilities,
                                  classify(record, load_model(exported)).probabilities)  # same graph
