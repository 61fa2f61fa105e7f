"""The training loop: plain PyTorch, class-balanced sampling, early stopping on validation
subjects, fixed seeds."""

from __future__ import annotations

import copy
import io
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn, update_bn
from tqdm.auto import tqdm

from emgviewer.atomic import atomic_write_bytes, atomic_write_text
from training import distributed
from training.data import WindowSet
from training.models import build

#: Network input = µV x INPUT_SCALE (mV). Written to the card as fixed scaling.
INPUT_SCALE = 1e-3


@dataclass
class TrainConfig:
    """One training recipe: model, budget, optimiser, sampling, augmentation, seed and device."""

    model: str = "munet"
    epochs: int = 8
    steps_per_epoch: int | None = 60  # None: one pass over the training windows
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    patience: int = 4  # early stopping, in epochs without a better validation loss
    plateau_factor: float = 0.3  # learning rate x this when the validation loss stalls
    plateau_patience: int = 2
    seed: int = 0
    augment: bool = True  # random shift (up to half a hop) and polarity flip
    gain_jitter: float = 0.0  # with augment: random gain in [1/(1+g), 1+g], log-uniform (needle distance)
    smote: bool = False  # SMOTE on training windows (the thesis's choice) instead of balanced sampling
    mixup: float = 0.0  # > 0: each window mixed with one of another subject, weight ~ Beta(mixup, mixup)
    # > 0: the model returned is an exponential moving average of the trained weights (this decay
    # per step), taken at the epoch where its own validation loss was lowest. Early stopping and
    # the learning rate still follow the trained weights, so the run is step for step the one
    # without it, and its trained model comes back too (``TrainResult.trained``).
    ema: float = 0.0
    # Training forward passes under bfloat16 autocast (1.5-2 times as fast on a CPU with AVX-512
    # BF16: ALSNet 3.2 against 6.3 s a step of 48 on 2 cores); weights, optimiser, validation,
    # test logits and the export stay float32, so every number reported is the float32 model's.
    bf16: bool = False
    # Measure every BatchNorm layer's statistics again at each epoch's end, over a fixed draw of
    # training batches, before validating (Wu & Johnson's "precise BN"); the weights and their
    # training are unchanged. Keras's momentum (0.99, ALSNet and the thesis CNN) keeps the running
    # variance's start value (1) for hundreds of steps: after one pass of ALSNet's, its first
    # layer's stored variance was 55 times its activations' own, and the model called every window
    # control in eval mode while the same weights, statistics measured, told ALS from control.
    precise_bn: bool = False
    threads: int | None = None
    device: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        """The recipe as JSON types (reports and cards carry it)."""
        return asdict(self)


#: Settings that say where a run ran, not what it learned: two runs that differ only in them
#: are the same recipe.
WHERE_IT_RAN = {"threads", "device"}


def same_recipe(first: dict, second: dict) -> bool:
    """Same training configuration; a key one report predates counts at its default value."""
    defaults = TrainConfig().to_dict()
    return all(first.get(k, defaults.get(k)) == second.get(k, defaults.get(k))
               for k in {*first, *second} - WHERE_IT_RAN)


@dataclass
class TrainResult:
    """A trained model, its kept epoch and its history (and, with EMA, the trained weights beside the average)."""

    model: nn.Module
    best_epoch: int
    history: list[dict[str, float]] = field(default_factory=list)
    # With ``ema``: the trained weights at their own best epoch, i.e. the run without the average.
    trained: nn.Module | None = None
    trained_best_epoch: int | None = None
    # ``model``'s logits on the validation windows, from its early-stopping pass, so a caller need
    # not run that pass again (a heavy model's fold spends minutes on it). None with ``ema``.
    validation_logits: np.ndarray | None = None


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device(choice: str) -> torch.device:
    """The torch device ``choice`` names (``auto``: CUDA when available)."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(choice)


def device_description(config: TrainConfig) -> str:
    """Where ``config`` trains, for reports: the GPU's name, or the CPU and its threads; with
    the number of ranks under torchrun."""
    device = pick_device(config.device)
    threads = config.threads or torch.get_num_threads()
    where = (torch.cuda.get_device_name(device) if device.type == "cuda"
             else f"CPU, {threads} thread{'' if threads == 1 else 's'}")
    ranks = distributed.rank_and_size()[1]
    return where if ranks == 1 else f"{where}, {ranks} ranks"


def train_model(data: WindowSet, train_idx: np.ndarray, val_idx: np.ndarray, config: TrainConfig,
                progress: Any = None) -> TrainResult:
    """Train on ``train_idx`` windows; early-stop on the loss over ``val_idx`` windows."""
    seed_everything(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    device = pick_device(config.device)
    net = build(config.model, n_outputs=len(data.class_names), n_times=data.window_samples,
                fs_hz=data.fs_hz).to(device)
    # Under torchrun every rank draws the same global batch and trains on its share of it.
    model, mine = distributed.wrap(net, device), distributed.shard(config.batch_size)
    groups = (net.parameter_groups(config.weight_decay) if hasattr(net, "parameter_groups")
              else [{"params": list(net.parameters()), "weight_decay": config.weight_decay}])
    optimiser = torch.optim.AdamW(groups, lr=config.learning_rate)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimiser, factor=config.plateau_factor,
                                                         patience=config.plateau_patience)
    rng = np.random.default_rng(config.seed)
    sampler = _balanced_sampler(data.labels[train_idx], rng)
    steps = config.steps_per_epoch or max(1, len(train_idx) // config.batch_size)
    smote = _Smote(data, train_idx, rng) if config.smote else None
    best_loss, best_state, best_epoch, history, waited = np.inf, None, 0, [], 0
    best_val_logits = None
    average = _Average(net, config, data, train_idx) if config.ema else None
    window_subjects = data.subjects if config.mixup else None
    for epoch in range(1, config.epochs + 1):
        model.train()
        losses = []
        for _ in tqdm(range(steps), desc=f"epoch {epoch}", unit="step", leave=False,
                      disable=progress is None or not distributed.is_main()):
            if smote is not None:
                batch, labels = smote.batch(config.batch_size)
                augment(batch, rng, config)
            else:
                batch, labels, chosen = training_batch(data, train_idx, sampler, rng, config, config.batch_size)
            partner, weight = np.arange(len(batch)), np.ones(len(batch), dtype=np.float32)
            if config.mixup and smote is None:
                partner, weight = mix_across_subjects(window_subjects[chosen], config.mixup, rng)
                batch = weight[:, None] * batch + (1 - weight[:, None]) * batch[partner]
            x = torch.from_numpy(batch[mine] * np.float32(INPUT_SCALE)).unsqueeze(1).to(device)
            y = torch.from_numpy(np.asarray(labels)[mine]).to(device)
            optimiser.zero_grad()
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=config.bf16):
                logits = model(x)
            logits = logits.float()
            if config.mixup and smote is None:  # the loss mixes as the windows do
                y_other = torch.from_numpy(np.asarray(labels)[partner][mine]).to(device)
                w = torch.from_numpy(weight[mine]).to(device)
                loss = (w * nn.functional.cross_entropy(logits, y, reduction="none")
                        + (1 - w) * nn.functional.cross_entropy(logits, y_other, reduction="none")).mean()
            else:
                loss = nn.functional.cross_entropy(logits, y)
            loss.backward()
            optimiser.step()
            if average is not None:
                average.update()
            losses.append(distributed.mean_over_ranks(loss.item()))
        if config.precise_bn:  # every rank measures on the same draw, so the statistics agree unexchanged
            measure_batchnorm(net, statistics_batches(data, train_idx, config), device)
        else:
            distributed.average_buffers(net)
        val_logits = predict_logits(net, data, val_idx, device) if val_idx.size else None
        val_loss = (_balanced_loss(val_logits, data.labels[val_idx], len(data.class_names))
                    if val_logits is not None else float(np.mean(losses)))
        val_loss = distributed.mean_over_ranks(val_loss)  # every rank takes the same early-stopping turn
        plateau.step(val_loss)
        history.append({"epoch": epoch, "train_loss": float(np.mean(losses)), "val_loss": val_loss})
        if average is not None:
            history[-1]["ema_val_loss"] = average.end_epoch(epoch, val_idx, device)
        if progress is not None:
            progress.set_postfix(epoch=epoch, train=f"{np.mean(losses):.3f}", val=f"{val_loss:.3f}")
        if val_loss < best_loss - 1e-4:
            best_loss, best_state, best_epoch, waited = val_loss, copy.deepcopy(net.state_dict()), epoch, 0
            best_val_logits = val_logits
        else:
            waited += 1
            if waited >= config.patience:
                break
    net.load_state_dict(best_state)
    if average is None:
        return TrainResult(net.eval(), best_epoch, history, validation_logits=best_val_logits)
    return TrainResult(average.best_model(), average.best_epoch, history, net.eval(), best_epoch)


class _Average:
    """The exponential moving average of a model's weights (torch.optim.swa_utils), and its state
    at the epoch of its lowest validation loss; without validation windows (the final model), its
    state at the last epoch.

    The BatchNorm statistics are measured again for the averaged weights before each validation,
    on the same draw of training batches each time (drawn and augmented as the training draws
    them): an average of weights that point in different directions is shorter than each of them,
    so the trained weights' statistics (or their average) normalise every layer by too much and
    the logits shrink towards zero (seen: the averaged model then stopped at epoch 1 in 3 of 7
    folds). Measured on windows without the training's augmentation instead, they describe another
    input than the one trained on, and did worse (one fold of an 80-record subset, the average
    forgetting at once: validation loss 1.33 against 1.03 at the last epoch)."""

    def __init__(self, net: nn.Module, config: TrainConfig, data: WindowSet, train_idx: np.ndarray,
                 n_batches: int = 16, batch_size: int = 128) -> None:
        self.net, self.config, self.data, self.train_idx = net, config, data, train_idx
        self.n_batches, self.batch_size = n_batches, batch_size
        self.model = AveragedModel(net, multi_avg_fn=get_ema_multi_avg_fn(config.ema))
        self.best_loss, self.best_state, self.best_epoch = np.inf, None, 0

    def update(self) -> None:
        self.model.update_parameters(self.net)

    def end_epoch(self, epoch: int, val_idx: np.ndarray, device: torch.device) -> float | None:
        """Keep the average if it is the best so far; its validation loss (None without validation)."""
        self.measure_batchnorm(device)
        data = self.data
        loss = (_balanced_loss(predict_logits(self.model.module, data, val_idx, device), data.labels[val_idx],
                               len(data.class_names)) if val_idx.size else None)
        loss = distributed.mean_over_ranks(loss) if loss is not None else None
        if loss is None or loss < self.best_loss - 1e-4:
            self.best_loss = np.inf if loss is None else loss
            self.best_state, self.best_epoch = copy.deepcopy(self.model.module.state_dict()), epoch
        return loss

    def measure_batchnorm(self, device: torch.device) -> None:
        batches = statistics_batches(self.data, self.train_idx, self.config, self.n_batches, self.batch_size)
        measure_batchnorm(self.model.module, batches, device)

    def best_model(self) -> nn.Module:
        self.model.module.load_state_dict(self.best_state)
        return self.model.module.eval()


def statistics_batches(data: WindowSet, train_idx: np.ndarray, config: TrainConfig, n_batches: int = 16,
                       batch_size: int = 128):
    """The fixed draw of training batches that BatchNorm statistics are measured on, drawn and
    augmented as the training draws its own: a generator of its own, so the training's draws are
    the ones a run without the measurement makes; every rank draws the same batches."""
    rng = np.random.default_rng([config.seed, 1])
    sampler = _balanced_sampler(data.labels[train_idx], rng)
    for _ in range(n_batches):
        batch = training_batch(data, train_idx, sampler, rng, config, batch_size)[0]
        yield torch.from_numpy(batch * np.float32(INPUT_SCALE)).unsqueeze(1)


def measure_batchnorm(model: nn.Module, batches, device: torch.device) -> None:
    """Replace ``model``'s BatchNorm statistics by their plain average over ``batches`` (float32,
    no gradients), then leave it in eval mode. Dropout is on during the pass, as in torch's
    update_bn, so the random state is restored after it: the training goes on as if the pass had
    not happened."""
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else [], device_type=device.type):
        update_bn(batches, model, device)
    model.eval()


def training_batch(data: WindowSet, train_idx: np.ndarray, sampler: Any, rng: np.random.Generator,
                   config: TrainConfig, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``size`` training windows as the network learns from them: drawn by ``sampler``, shifted by up
    to a fifth of a window and augmented as ``config`` says; with their labels and indices."""
    chosen = train_idx[sampler(size)]
    max_shift = int(0.2 * data.window_samples)
    shift = rng.integers(-max_shift, max_shift + 1, chosen.size) if config.augment else None
    batch = data.gather(chosen, shift)
    augment(batch, rng, config)
    return batch, data.labels[chosen], chosen


def augment(batch: np.ndarray, rng: np.random.Generator, config: TrainConfig) -> None:
    """Random polarity and, with ``gain_jitter``, gain, in place (nothing without ``augment``)."""
    if config.augment:
        batch *= rng.choice(np.array([-1.0, 1.0], dtype=np.float32), (len(batch), 1))
        if config.gain_jitter:
            spread = np.log1p(config.gain_jitter)
            batch *= np.exp(rng.uniform(-spread, spread, (len(batch), 1))).astype(np.float32)


def mix_across_subjects(subjects: np.ndarray, alpha: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Mixup across people: for each window of a batch, a partner window of *another* subject and
    the weight of its own signal, drawn from Beta(alpha, alpha). A window whose subject fills the
    whole batch keeps itself (weight 1): mixing a person with themselves teaches nothing new."""
    n = subjects.size
    partner = rng.permutation(n)
    for row in np.flatnonzero(subjects[partner] == subjects):
        others = np.flatnonzero(subjects != subjects[row])
        partner[row] = rng.choice(others) if others.size else row
    weight = rng.beta(alpha, alpha, n).astype(np.float32)
    return partner, np.where(partner == np.arange(n), np.float32(1.0), weight)


@torch.no_grad()
def predict_logits(model: nn.Module, data: WindowSet, indices: np.ndarray, device: torch.device | None = None,
                   batch_size: int = 128, polarity: float = 1.0) -> np.ndarray:
    """The model's logits on ``indices``; ``polarity=-1`` feeds each window inverted (the needle's
    two electrodes swapped), for test-time augmentation."""
    device = device or next(model.parameters()).device
    model.eval()
    out = np.empty((indices.size, len(data.class_names)), dtype=np.float32)
    for first in range(0, indices.size, batch_size):
        chunk = indices[first: first + batch_size]
        x = torch.from_numpy(data.gather(chunk) * np.float32(polarity * INPUT_SCALE)).unsqueeze(1).to(device)
        out[first: first + chunk.size] = model(x).cpu().numpy()
    return out


def _balanced_sampler(labels: np.ndarray, rng: np.random.Generator):
    """Each class equally likely per draw, whatever its share of the windows."""
    counts = np.bincount(labels)
    weights = 1.0 / counts[labels]
    weights /= weights.sum()
    return lambda n: rng.choice(labels.size, n, p=weights)


def _balanced_loss(logits: np.ndarray, labels: np.ndarray, n_classes: int) -> float:
    """Cross-entropy averaged per class, then over classes, so the validation loss is not
    dominated by the most frequent class."""
    log_p = torch.log_softmax(torch.from_numpy(logits).double(), dim=1).numpy()
    per_window = -log_p[np.arange(labels.size), labels]
    return float(np.mean([per_window[labels == c].mean() for c in range(n_classes) if (labels == c).any()]))


class _Smote:
    """SMOTE on training windows: a synthetic window is a random point on the segment between
    a window and one of its k nearest same-class neighbours (neighbours found on a cheap
    envelope summary). Classes are drawn equally often, so minority classes are oversampled."""

    def __init__(self, data: WindowSet, train_idx: np.ndarray, rng: np.random.Generator, k: int = 5) -> None:
        self.data, self.rng = data, rng
        labels = data.labels[train_idx]
        self.by_class = [train_idx[labels == c] for c in range(len(data.class_names)) if (labels == c).any()]
        self.classes = [c for c in range(len(data.class_names)) if (labels == c).any()]
        self.neighbours = [self._knn(indices, k) for indices in self.by_class]

    def _knn(self, indices: np.ndarray, k: int) -> np.ndarray:
        features = np.stack([self._summary(w) for w in self._chunks(indices)]).astype(np.float64)
        # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b: an (n, n) matrix, where the difference of every pair
        # held (n, n, 64): 2.6 GB at once for 3,200 windows of one class.
        energy = np.einsum("ij,ij->i", features, features)
        distance = energy[:, None] + energy[None, :] - 2 * features @ features.T
        np.fill_diagonal(distance, np.inf)
        return np.argsort(distance, axis=1)[:, :k]

    def _chunks(self, indices: np.ndarray):
        for first in range(0, indices.size, 256):
            yield from self.data.gather(indices[first: first + 256])

    @staticmethod
    def _summary(window: np.ndarray) -> np.ndarray:
        envelope = np.abs(window).reshape(-1)[: (window.size // 64) * 64].reshape(64, -1).max(axis=1)
        return np.log1p(envelope)

    def batch(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        which = self.rng.integers(0, len(self.classes), size)
        out = np.empty((size, self.data.window_samples), dtype=np.float32)
        for row, c in enumerate(which):
            members, neighbours = self.by_class[c], self.neighbours[c]
            i = self.rng.integers(0, members.size)
            j = neighbours[i, self.rng.integers(0, neighbours.shape[1])] if neighbours.shape[1] else i
            a, b = self.data.gather(members[[i, j]])
            out[row] = a + self.rng.uniform() * (b - a)
        return out, np.asarray([self.classes[c] for c in which], dtype=np.int64)


def save_checkpoint(path: Path, model: nn.Module, meta: dict) -> None:
    """The weights (``path``) and what they were trained on (``.json`` beside it, the fields
    ``python -m training export`` reads), each written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    atomic_write_bytes(path, buffer.getvalue())
    atomic_write_text(path.with_suffix(".json"), json.dumps(meta, indent=2))
