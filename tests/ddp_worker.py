"""A training rank for tests/test_training_distributed.py, started by torch.multiprocessing
(importable by name, as spawned processes need)."""

from __future__ import annotations

from pathlib import Path

import torch


def batchnorm_free(n_outputs: int, n_times: int, fs_hz: float) -> torch.nn.Module:
    """A small net without BatchNorm: with it, two ranks must match one process exactly."""
    return torch.nn.Sequential(torch.nn.Conv1d(1, 4, 64, stride=32), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool1d(8),
                               torch.nn.Flatten(), torch.nn.Linear(32, n_outputs))


def train_rank(rank: int, world: int, folder: Path, out: Path) -> None:
    import torch.distributed as dist

    import training.train as train
    from training import distributed
    from training.data import load_windows
    from training.splits import loso_splits

    seen: list[int] = []  # the batch size of each training forward pass on this rank

    def build(name, n_outputs, n_times, fs_hz):
        net = batchnorm_free(n_outputs, n_times, fs_hz)
        net.register_forward_pre_hook(lambda module, args: seen.append(args[0].shape[0]) if module.training else None)
        return net

    train.build = build
    if world > 1:
        dist.init_process_group("gloo", init_method=f"file://{out}/rendezvous", rank=rank, world_size=world)
    data = load_windows(folder, window_s=1.0, hop_s=0.5)
    split = loso_splits(data.subject_classes(), 0)[0]
    config = train.TrainConfig(model="munet-small", epochs=2, steps_per_epoch=3, batch_size=24, threads=1)
    result = train.train_model(data, data.select_subjects(split.train), data.select_subjects(split.validation), config)
    torch.save({"weights": result.model.state_dict(), "history": result.history, "seen": seen},
               out / f"world{world}_rank{rank}.pt")
    if distributed.leave():
        distributed.exit_rank(0)
