"""Model card round trip and every way a model file can be unusable."""

from __future__ import annotations

import json

import numpy as np
import pytest
from onnx_models import card_dict, expected_probabilities, write_model

from emgviewer.inference import CARD_KEY, ModelCard, ModelError, load_model


def test_card_round_trip(tmp_path):
    card = card_dict(training={"subjects": ["A01", "C01"], "protocol": "LOSO"},
                     evaluation={"window_balanced_accuracy": 0.9})
    model = load_model(write_model(tmp_path / "m.onnx", card))
    assert model.card.to_dict() == card
    assert ModelCard.from_json(model.card.to_json()) == model.card
    assert model.card.class_names == ("control", "myopathy", "ALS")
    assert model.card.input.n_times == 1000
    # The provider the session really runs on (CUDA on a GPU machine), and its label.
    assert model.provider == model.session.get_providers()[0]
    assert model.provider_label == {"CUDAExecutionProvider": "CUDA", "CPUExecutionProvider": "CPU"}[model.provider]
    assert load_model(write_model(tmp_path / "cpu.onnx", card), force_cpu=True).provider_label == "CPU"


def test_session_output_matches_an_independent_computation(tmp_path):
    model = load_model(write_model(tmp_path / "m.onnx", card_dict(calibration={"temperature": 2.0})))
    windows = np.random.default_rng(1).normal(0, 400, (7, 1000)).astype(np.float32)
    np.testing.assert_allclose(model.predict_proba(windows), expected_probabilities(windows, 2.0), atol=1e-6)


def test_probability_output_is_temperature_scaled_too(tmp_path):
    card = card_dict(output={"kind": "probabilities"}, calibration={"temperature": 1.5})
    model = load_model(write_model(tmp_path / "m.onnx", card, softmax_output=True))
    windows = np.random.default_rng(2).normal(0, 400, (4, 1000)).astype(np.float32)
    np.testing.assert_allclose(model.predict_proba(windows), expected_probabilities(windows, 1.5), atol=1e-5)


def test_fixed_and_zscore_scaling(tmp_path):
    card = card_dict(input={**card_dict()["input"], "scaling": {"kind": "fixed", "factor": 0.5}})
    model = load_model(write_model(tmp_path / "m.onnx", card))
    windows = np.random.default_rng(3).normal(0, 400, (3, 1000)).astype(np.float32)
    np.testing.assert_allclose(model.predict_proba(windows), expected_probabilities(windows * 0.5), atol=1e-6)
    card = card_dict(input={**card_dict()["input"], "scaling": {"kind": "per_window_zscore"}})
    model = load_model(write_model(tmp_path / "z.onnx", card))
    z = (windows - windows.mean(1, keepdims=True)) / windows.std(1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(windows), expected_probabilities(z), atol=1e-5)


def _error(path) -> str:
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert err.value.path == path
    return str(err.value)


def test_missing_file(tmp_path):
    assert _error(tmp_path / "none.onnx") == f"{tmp_path / 'none.onnx'}: model file not found"


def test_not_onnx(tmp_path, emgdb_dir):
    path = tmp_path / "record.onnx"
    path.write_bytes((emgdb_dir / "emg_healthy.dat").read_bytes())
    assert _error(path).startswith(f"{path}: not a loadable ONNX model (")


def test_missing_card(tmp_path):
    path = write_model(tmp_path / "m.onnx", None)
    assert _error(path) == f"{path}: no model card (metadata key '{CARD_KEY}' is missing)"


def test_card_not_json(tmp_path):
    path = write_model(tmp_path / "m.onnx", "{not json")
    assert _error(path).startswith(f"{path}: invalid model card: card is not valid JSON")


@pytest.mark.parametrize("change, message", [
    (dict(classes=[]), "classes must list at least two classes"),
    (dict(schema_version=9), "unsupported schema_version 9 (this app reads 1)"),
    (dict(output={"kind": "scores"}), "output.kind 'scores' is not one of logits, probabilities"),
    (dict(calibration={"temperature": 0}), "calibration.temperature must be positive, got 0.0"),
    (dict(uncertainty_threshold=1.5), "uncertainty_threshold must be in [0, 1], got 1.5"),
    (dict(name=""), "name must be a non-empty string"),
])
def test_invalid_card(tmp_path, change, message):
    path = write_model(tmp_path / "m.onnx", card_dict(**change), n_times=1000)
    assert _error(path) == f"{path}: invalid model card: {message}"


def test_bad_colour(tmp_path):
    card = card_dict()
    card["classes"] = [dict(c) for c in card["classes"]]
    card["classes"][1]["colour"] = "blue"
    path = write_model(tmp_path / "m.onnx", card)
    assert _error(path) == f"{path}: invalid model card: classes[1].colour must be '#rrggbb', got 'blue'"


def test_unknown_preprocessing(tmp_path):
    card = card_dict()
    card["input"] = {**card["input"], "preprocessing": "wavelet"}
    path = write_model(tmp_path / "m.onnx", card)
    assert _error(path) == f"{path}: invalid model card: input.preprocessing 'wavelet' is not one of raw"


def test_card_window_contradicts_its_own_shape(tmp_path):
    card = card_dict()
    card["input"] = {**card["input"], "shape": ["batch", 1, 999]}
    path = write_model(tmp_path / "m.onnx", card, n_times=999)
    assert _error(path) == (f"{path}: invalid model card: input.shape ends in 999 samples but "
                            "window_s 0.25 s at 4000.0 Hz is 1000 samples")


def test_graph_input_contradicts_the_card(tmp_path):
    path = write_model(tmp_path / "m.onnx", card_dict(), n_times=2000)
    assert _error(path) == (f"{path}: graph input shape ['batch', 1, 2000] contradicts the card's "
                            "['batch', 1, 1000] at axis 2")


def test_graph_output_has_the_wrong_number_of_classes(tmp_path):
    card = card_dict()
    card["classes"] = card["classes"][:2]
    path = write_model(tmp_path / "m.onnx", card)
    assert _error(path) == f"{path}: graph output shape ['batch', 3] does not give 2 class scores per window"


def test_card_json_is_readable_by_other_tools(tmp_path):
    import onnx

    path = write_model(tmp_path / "m.onnx", card_dict())
    props = {p.key: p.value for p in onnx.load(path).metadata_props}
    assert json.loads(props[CARD_KEY])["name"] == "amplitude-test"


def test_cpu_session_is_bounded_and_does_not_spin(tmp_path, monkeypatch):
    path = write_model(tmp_path / "m.onnx", card_dict())
    model = load_model(path, threads=2)
    options = model.session.get_session_options()
    assert options.intra_op_num_threads == 2 and options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    monkeypatch.setenv("EMGVIEWER_FORCE_CPU", "1")
    assert load_model(path).session.get_providers() == ["CPUExecutionProvider"]
