"""Distributed data parallel under ``torchrun``, for a cohort that outgrows one machine.

``torchrun --nproc_per_node N -m training train|evaluate ...`` runs the commands unchanged: each
rank joins the process group (gloo on the CPU, NCCL on GPUs), draws the same global batch as a
single process would, trains on its share of it, and DDP averages the gradients, so every rank
ends with the same weights. Only rank 0 writes files.

On the CPU, BatchNorm statistics are computed per rank (PyTorch's SyncBatchNorm is GPU-only),
so a CPU run is close to, not identical with, a single process; on GPUs BatchNorm is synced.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

import torch
import torch.distributed as dist
from torch import nn


def join_from_environment() -> bool:
    """Join the process group torchrun describes (``WORLD_SIZE`` > 1); otherwise do nothing.
    Whether this call joined it (not when there is no group, or one was already there)."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or (dist.is_available() and dist.is_initialized()):
        return False
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend)
    return True


def leave() -> bool:
    """Leave the group once every rank is done (rank 0 may still be writing): a rank that
    tears down early makes gloo abort the others. Whether there was a group to leave.

    A DDP wrapper sits in a reference cycle and holds the group; one that training dropped is
    collected here, while the group is whole, in case no collection has run since."""
    if not (dist.is_available() and dist.is_initialized()):
        return False
    gc.collect()
    dist.barrier()
    dist.destroy_process_group()
    return True


def exit_rank(code: int) -> NoReturn:
    """End a rank that has left its group, without the interpreter's teardown.

    A gloo group still referenced at teardown (through an object that outlived
    ``destroy_process_group``) is destroyed while the interpreter is going away, and the rank
    then aborts ("terminate called without an active exception", SIGABRT) after all its work:
    CI saw it twice in about 30 runs, reproduced here with a DDP wrapper kept alive. Everything
    a rank writes is closed by now; only the standard streams need flushing."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def rank_and_size() -> tuple[int, int]:
    """The rank of this process and the number of processes (0 and 1 outside torchrun)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def is_main() -> bool:
    """Whether this process writes files and prints results (rank 0, or no group)."""
    return rank_and_size()[0] == 0


def wrap(model: nn.Module, device: torch.device) -> nn.Module:
    """The model as DDP when there are several ranks (BatchNorm synced on GPUs), else itself."""
    if rank_and_size()[1] == 1:
        return model
    if device.type == "cuda":
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        return nn.parallel.DistributedDataParallel(model, device_ids=[device.index])
    return nn.parallel.DistributedDataParallel(model)


def shard(global_batch_size: int) -> slice:
    """The rows of a global batch (drawn identically on every rank) that this rank trains on."""
    rank, size = rank_and_size()
    if global_batch_size % size:
        raise ValueError(f"--batch-size {global_batch_size} must be a multiple of the {size} ranks, "
                         "so that every rank trains on an equal share of each batch")
    return slice(rank, None, size)


def average_buffers(model: nn.Module) -> None:
    """BatchNorm running statistics averaged over the ranks: each rank updated them on its own
    share, and ranks that validate with different statistics would stop at different epochs."""
    size = rank_and_size()[1]
    if size == 1:
        return
    with torch.no_grad():
        for buffer in model.buffers():
            if buffer.is_floating_point():
                dist.all_reduce(buffer)
                buffer /= size


def mean_over_ranks(value: float) -> float:
    """``value`` averaged over the ranks (the loss of the whole global batch)."""
    size = rank_and_size()[1]
    if size == 1:
        return value
    tensor = torch.tensor([value], dtype=torch.float64)
    dist.all_reduce(tensor)
    return float(tensor.item() / size)


def weights_agree(model: nn.Module) -> bool:
    """Whether every rank holds exactly these parameters and buffers (checked, not assumed)."""
    if rank_and_size()[1] == 1:
        return True
    flat = torch.cat([t.detach().double().reshape(-1).cpu() for t in model.state_dict().values()
                      if t.is_floating_point()])
    low, high = flat.clone(), flat.clone()
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    return bool(torch.equal(low, high))
