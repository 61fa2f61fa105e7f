"""``python -m training train`` unchanged under torchrun: two CPU ranks (gloo) on simulated
records end with identical weights, close to what one process trains."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

#: MUNet-small, one process vs two CPU ranks, same seed and global batch of 24: each rank
#: computes BatchNorm statistics over its 12 windows (SyncBatchNorm is GPU-only), and that
#: alone moves the epoch losses (measured 0.06-0.09 here). Without BatchNorm the two agree to
#: float rounding (the exact test below).
LOSS_TOLERANCE = 0.2


def _train(folder: Path, out: Path, *launcher: str, extra: tuple[str, ...] = ()) -> tuple[dict, dict]:
    argv = [*launcher, "-m", "training", "train", *extra, "--data", str(folder), "--model", "munet-small",
            "--window-s", "1.0", "--hop-s", "0.5", "--epochs", "2", "--steps-per-epoch", "3", "--batch-size", "24",
            "--threads", "1", "--device", "cpu", "--out", str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    return torch.load(out / "munet-small.pt", weights_only=True), json.loads((out / "munet-small.json").read_text())


def test_two_cpu_ranks_hold_identical_weights_close_to_one_process(synthetic_n2001, tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    assert torchrun is not None, "torchrun comes with torch"
    ddp_weights, ddp = _train(synthetic_n2001, tmp_path / "ddp", torchrun, "--standalone", "--nproc_per_node", "2")
    one_weights, one = _train(synthetic_n2001, tmp_path / "one", sys.executable)
    assert (ddp["ranks"], ddp["weights_identical_across_ranks"]) == (2, True)
    assert (one["ranks"], one["weights_identical_across_ranks"]) == (1, True)
    assert not (tmp_path / "ddp" / "munet-small.pt.rank1").exists()  # rank 0 alone writes
    ddp_losses = [e["train_loss"] for e in ddp["history"]]
    one_losses = [e["train_loss"] for e in one["history"]]
    np.testing.assert_allclose(ddp_losses, one_losses, atol=LOSS_TOLERANCE)
    assert set(ddp_weights) == set(one_weights)


@pytest.mark.parametrize(("flags", "setting"), [(("--ema", "0.9"), ("ema", 0.9)),
                                               (("--precise-bn",), ("precise_bn", True))])
def test_two_cpu_ranks_measure_identical_batchnorm_statistics(synthetic_n2001, tmp_path, flags, setting):
    """--ema and --precise-bn: each rank measures BatchNorm statistics on the same batches, of the
    whole draw (not its share), so the ranks end with the same buffers without exchanging them."""
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    _, ddp = _train(synthetic_n2001, tmp_path / "ddp", torchrun, "--standalone", "--nproc_per_node", "2",
                    extra=flags)
    key, value = setting
    assert (ddp["ranks"], ddp["weights_identical_across_ranks"], ddp["config"][key]) == (2, True, value)


def test_without_batchnorm_two_ranks_train_exactly_what_one_process_does(synthetic_n2001, tmp_path):
    import torch.multiprocessing as mp
    from ddp_worker import train_rank

    # Both runs in their own processes: the worker swaps in its model builder there.
    mp.spawn(train_rank, args=(1, synthetic_n2001, tmp_path), nprocs=1)
    mp.spawn(train_rank, args=(2, synthetic_n2001, tmp_path), nprocs=2)
    one, first, second = (torch.load(tmp_path / name, weights_only=True)
                          for name in ("world1_rank0.pt", "world2_rank0.pt", "world2_rank1.pt"))
    assert one["seen"] == [24] * 6 and first["seen"] == second["seen"] == [12] * 6  # each rank half a batch
    assert all(torch.equal(first["weights"][k], second["weights"][k]) for k in first["weights"])
    for key, value in one["weights"].items():
        torch.testing.assert_close(first["weights"][key], value, rtol=0, atol=1e-6)
    np.testing.assert_allclose([e["train_loss"] for e in first["history"]],
                               [e["train_loss"] for e in one["history"]], rtol=0, atol=1e-6)


def test_leaving_frees_dropped_ddp_wrappers_while_the_group_is_whole(tmp_path, monkeypatch):
    """A DDP wrapper holds the group; one freed during interpreter shutdown, after the group was
    destroyed, makes gloo abort a rank that finished its work: leave() frees it first."""
    import gc
    import weakref

    import torch.distributed as dist

    from training import distributed

    destroy = dist.destroy_process_group
    dist.init_process_group("gloo", init_method=f"file://{tmp_path}/rendezvous", rank=0, world_size=1)
    gc.disable()  # as when no collection happens to run between training and exit
    try:
        wrapper = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 2))
        wrapper(torch.randn(4, 3)).sum().backward()
        dropped = weakref.ref(wrapper)
        del wrapper
        assert dropped() is not None  # DDP's own reference cycle keeps it alive
        alive_at_destroy = []
        monkeypatch.setattr(dist, "destroy_process_group",
                            lambda *a, **k: (alive_at_destroy.append(dropped() is not None), destroy(*a, **k)))
        assert distributed.leave() is True
        assert alive_at_destroy == [False]
        assert not dist.is_initialized()
    finally:
        gc.enable()
        if dist.is_initialized():
            destroy()


def test_a_rank_ends_without_teardown_but_with_its_output_and_exit_status(tmp_path):
    """exit_rank skips the interpreter's teardown (where a lingering gloo group aborts a rank)
    but loses neither buffered output nor the command's exit status; without a group, leave()
    has nothing to do and main() returns normally."""
    from training import distributed

    assert distributed.leave() is False
    script = ("import sys; from training.distributed import exit_rank; "
              "print('written', end=''); sys.stderr.write('said'); exit_rank(3)")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert (run.returncode, run.stdout, run.stderr) == (3, "written", "said")


def test_main_leaves_and_ends_only_a_rank_it_joined(synthetic_n2001, tmp_path):
    """Called in a process that made its own group, main() trains in it and returns: it neither
    destroys the caller's group nor ends the caller's process."""
    import torch.distributed as dist

    from training.cli import main

    dist.init_process_group("gloo", init_method=f"file://{tmp_path}/rendezvous", rank=0, world_size=1)
    try:
        code = main(["train", "--data", str(synthetic_n2001), "--model", "munet-small", "--window-s", "1.0",
                     "--hop-s", "0.5", "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "8",
                     "--threads", "1", "--device", "cpu", "--out", str(tmp_path / "out")])
        assert code == 0 and dist.is_initialized()
        assert json.loads((tmp_path / "out" / "munet-small.json").read_text())["ranks"] == 1
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
