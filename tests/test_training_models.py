"""The model registry: every registered model has a fidelity case here, states its cost, and
exports to ONNX with parity."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from training.models import REGISTRY, build, count_macs, count_parameters  # noqa: E402
from training.models.alsnet import ALSNet, keras_parameter_count  # noqa: E402
from training.models.spectroemgnet import LogSpectrum  # noqa: E402

ALSNET_MACS = 1.78e9
# name -> (parameters with 3 outputs, multiply-accumulates per window), as the registry computes.
EXPECTED = {
    "munet": (96_843, 32.85e6),
    "munet-local": (59_595, 26.06e6),
    "munet-small": (57_091, 18.74e6),
    "munet-log": (96_843, 32.85e6),
    "alsnet": (85_379, 1781.2e6),
    "thesis-cnn": (176_259, 3696.3e6),
    "resemgnet": (98_707, 96.7e6),
    "spectroemgnet": (23_812, 82.84e6),
    "nemgnet": (42_145_987, 1220.6e6),
}


def _n_times(name: str) -> int:
    spec = REGISTRY[name]
    return int(np.floor(spec.window_s * spec.fs_hz + 1e-6))


def test_every_registered_model_has_a_case():
    assert set(REGISTRY) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shapes_parameters_and_cost(name):
    n_times = _n_times(name)
    model = build(name, n_outputs=3, n_times=n_times, fs_hz=REGISTRY[name].fs_hz).eval()
    with torch.no_grad():
        assert model(torch.zeros(2, 1, n_times)).shape == (2, 3)
    parameters, macs = EXPECTED[name]
    assert count_parameters(model) == parameters
    assert count_macs(model, n_times) == pytest.approx(macs, rel=0.01)


@pytest.mark.parametrize("name", ["munet", "munet-local", "munet-small", "munet-log"])
def test_our_models_cost_under_a_fiftieth_of_alsnet(name):
    assert count_macs(build(name, 3, 23437, 23437.5), 23437) <= ALSNET_MACS / 50


def test_alsnet_is_the_published_network():
    model = ALSNet(n_outputs=2)
    assert keras_parameter_count(model) == 85_825  # as Keras reports the official model
    batch_norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert all(m.momentum == 0.01 and m.eps == 1e-3 for m in batch_norms)
    # Receptive field of the three valid dilated convolutions: 1 + 10*1 + 8*2 + 6*3 = 45 samples.
    x = torch.randn(1, 1, 200, requires_grad=True)
    model.eval()
    model.features(x)[0, :, 50].sum().backward()
    touched = torch.nonzero(x.grad[0, 0]).flatten()
    assert int(touched.max() - touched.min()) + 1 == 45
    # Two classes: the single sigmoid unit as the pair (0, z), so softmax is the sigmoid.
    with torch.no_grad():
        logits = model(torch.randn(4, 1, 23437))
    assert torch.all(logits[:, 0] == 0)
    assert ALSNet(n_outputs=3).head[-1].out_features == 3


def test_spectral_front_end_on_a_known_sine():
    fs, frequency = 23437.5, 1500.0
    t = torch.arange(23437) / fs
    sine = torch.sin(2 * torch.pi * frequency * t)[None, None, :]
    spectrum = LogSpectrum()(sine)
    assert spectrum.shape == (1, 2, 257, 90)
    peak_bin = int(spectrum[0, 0].mean(dim=1).argmax())
    assert peak_bin == round(frequency * 512 / fs)  # 33
    # A steady sine: the delta log spectrum is ~0 after the first frame.
    assert spectrum[0, 1, peak_bin, 1:].abs().max() < 1e-3


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_model_exports_with_parity(name, tmp_path):
    import onnxruntime as ort

    from emgviewer.inference import load_model
    from training.export import build_card, export_onnx

    spec = REGISTRY[name]
    n_times = _n_times(name)
    model = build(name, n_outputs=3, n_times=n_times, fs_hz=spec.fs_hz).eval()
    path = tmp_path / f"{name}.onnx"
    card = build_card(name=name, version="0.test", architecture=name, citation=spec.citation,
                      class_names=("control", "myopathy", "ALS"), fs_hz=spec.fs_hz, window_s=spec.window_s,
                      hop_s=spec.hop_s, n_times=n_times, temperature=1.0, uncertainty_threshold=0.6,
                      training={}, evaluation={})
    windows = np.random.default_rng(0).normal(0, 300, (2, n_times)).astype(np.float32)
    assert export_onnx(model, card, path, windows) <= 1e-4  # the exporter the training commands use
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape[0] == "batch"
    assert load_model(path, force_cpu=True).card.input.n_times == n_times  # the app reads its card


def test_mac_counter_on_a_hand_computed_layer():
    layer = torch.nn.Sequential(torch.nn.Conv1d(1, 4, 5, stride=2), torch.nn.Flatten(),
                                torch.nn.Linear(4 * 48, 3))
    # Conv: 4 outputs x 48 positions x (1 x 5) = 960; linear: 192 x 3 = 576.
    assert count_macs(layer, 100) == 960 + 576


def test_munet_log_feeds_its_encoder_log_compressed_amplitude():
    model = build("munet-log", n_outputs=3, n_times=2000, fs_hz=23437.5).eval()
    seen = []
    model.encoder[0][0].register_forward_hook(lambda module, inputs, output: seen.append(inputs[0]))
    x = np.array([-5.0, -0.05, 0.0, 0.01, 0.05, 0.5, 5.0], dtype=np.float32)  # mV
    signal = np.zeros((1, 1, 2000), dtype=np.float32)
    signal[0, 0, :7] = x
    with torch.no_grad():
        model(torch.from_numpy(signal))
    expected = np.sign(x) * np.log(1 + np.abs(x) / 0.05)  # 50 µV: linear below, logarithmic above
    np.testing.assert_allclose(seen[0][0, 0, :7].numpy(), expected, rtol=1e-6)
    assert expected[-1] == pytest.approx(np.log(101)) and expected[4] == pytest.approx(np.log(2))
