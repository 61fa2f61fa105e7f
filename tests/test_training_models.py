"""The model registry: every registered model has a case here, states its cost, exports."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from training.models import REGISTRY, build, count_macs, count_parameters  # noqa: E402

N_TIMES, FS = 23437, 23437.5
ALSNET_MACS = 1.78e9
# name -> (parameters, multiply-accumulates per 1-s window), as computed by the registry.
EXPECTED = {
    "munet": (96_843, 32.85e6),
    "munet-local": (59_595, 26.06e6),
    "munet-small": (57_091, 18.74e6),
}


def test_every_registered_model_has_a_case():
    assert set(REGISTRY) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shapes_parameters_and_cost(name):
    model = build(name, n_outputs=3, n_times=N_TIMES, fs_hz=FS).eval()
    with torch.no_grad():
        assert model(torch.zeros(2, 1, N_TIMES)).shape == (2, 3)
    parameters, macs = EXPECTED[name]
    assert count_parameters(model) == parameters
    assert count_macs(model, N_TIMES) == pytest.approx(macs, rel=0.01)
    assert count_macs(model, N_TIMES) <= ALSNET_MACS / 50  # the brief's budget


def test_mac_counter_on_a_hand_computed_layer():
    layer = torch.nn.Sequential(torch.nn.Conv1d(1, 4, 5, stride=2), torch.nn.Flatten(),
                                torch.nn.Linear(4 * 48, 3))
    # Conv: 4 outputs x 48 positions x (1 x 5) = 960; linear: 192 x 3 = 576.
    assert count_macs(layer, 100) == 960 + 576
