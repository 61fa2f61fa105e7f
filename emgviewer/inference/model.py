"""Loading an ONNX model with its card, and running it on batches of windows.

CUDA is used when ``onnxruntime-gpu`` is installed and the provider really loads: onnxruntime
falls back to the CPU silently, so the provider in use is read back from the session.
On the CPU, threads are bounded and do not spin, so a running classification leaves the UI
responsive on a 2-core machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emgviewer.inference.card import CARD_KEY, ModelCard
from emgviewer.inference.errors import CardError, ModelError
from emgviewer.inference.folds import FoldModels, fold_models_beside
from emgviewer.lazy import lazy_module

ort = lazy_module("onnxruntime")  # about 0.3 s to import: only once a model is loaded

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
#: Set to 1 to force the CPU everywhere (same as --cpu / the UI setting).
FORCE_CPU_ENV = "EMGVIEWER_FORCE_CPU"


def default_thread_count() -> int:
    """Leave one core for the UI where there are several."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to run: its file, card, onnxruntime session, and its fold models if any ship beside it."""

    path: Path
    card: ModelCard
    session: ort.InferenceSession
    input_name: str
    provider: str  # the provider actually running the graph
    #: Its leave-one-subject-out fold models, when ``<stem>.folds/`` ships beside it
    #: (:mod:`emgviewer.inference.folds`): ``classify`` reads a known person with theirs.
    folds: FoldModels | None = None

    @property
    def provider_label(self) -> str:
        """"CUDA" or "CPU": where the graph really runs (onnxruntime falls back silently)."""
        return "CUDA" if self.provider == CUDA else "CPU"

    def predict_proba(self, windows_uv: np.ndarray) -> np.ndarray:
        """Temperature-scaled class probabilities for ``(n, n_times)`` windows in µV.

        Raises :class:`ModelError` when the graph returns anything but finite scores, one row
        of ``n_classes`` per window: argmax of a NaN row is class 0, so a broken model would
        otherwise call every window "control"."""
        batch = self.prepare(windows_uv)
        output = np.asarray(self.session.run(None, {self.input_name: batch})[0], dtype=np.float64)
        n_classes = len(self.card.classes)
        if output.shape != (batch.shape[0], n_classes):
            raise ModelError(self.path, f"graph returned scores of shape {list(output.shape)} for "
                                        f"{batch.shape[0]} window(s); the card names {n_classes} classes")
        bad = ~np.isfinite(output).all(axis=1)
        if bad.any():
            raise ModelError(self.path, f"graph returned non-finite scores (NaN or infinity) for "
                                        f"{int(bad.sum())} of the {bad.size} window(s) of one batch, and "
                                        "classification stopped there: the model is broken")
        return to_probabilities(output, self.card)

    def predict_log_proba(self, windows_uv: np.ndarray) -> np.ndarray:
        """The log of :meth:`predict_proba`, computed from the scores (float64): it keeps its
        resolution where a probability rounds to 1."""
        batch = self.prepare(windows_uv)
        output = np.asarray(self.session.run(None, {self.input_name: batch})[0], dtype=np.float64)
        if output.shape != (batch.shape[0], len(self.card.classes)) or not np.isfinite(output).all():
            self.predict_proba(windows_uv)  # says what is wrong with the graph's scores
        return to_log_probabilities(output, self.card)

    def prepare(self, windows_uv: np.ndarray) -> np.ndarray:
        """Scale windows as the card says and shape them as the graph's input."""
        x = np.asarray(windows_uv, dtype=np.float32)
        scaling = self.card.input.scaling
        if scaling.kind == "fixed":
            x = x * np.float32(scaling.factor)
        elif scaling.kind == "per_window_zscore":
            mean = x.mean(axis=1, keepdims=True)
            std = x.std(axis=1, keepdims=True)
            x = (x - mean) / np.maximum(std, np.float32(1e-6))
        return np.ascontiguousarray(x.reshape((x.shape[0], *self.card.input.shape[1:])))


def to_probabilities(output: np.ndarray, card: ModelCard) -> np.ndarray:
    """Softmax of logits / T, or of log(p) / T for a model that outputs probabilities."""
    return np.exp(to_log_probabilities(output, card)).astype(np.float32)


def to_log_probabilities(output: np.ndarray, card: ModelCard) -> np.ndarray:
    """Log-softmax of logits / T (of log(p) / T for a model that outputs probabilities), float64."""
    logits = output if card.output_kind == "logits" else np.log(np.clip(output, 1e-12, None))
    scaled = logits / card.temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    return scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))


def load_model(path: str | Path, force_cpu: bool = False, threads: int | None = None,
               with_folds: bool = True) -> LoadedModel:
    """Load an ``.onnx`` file, validate its card and graph, and open a session; note the fold
    models beside it (loaded when a record needs one) unless ``with_folds`` is False.

    Raises :class:`ModelError` naming the file and the problem.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(path, "model file not found")
    force_cpu = force_cpu or os.environ.get(FORCE_CPU_ENV, "") not in ("", "0")
    session = _open_session(path, force_cpu, threads or default_thread_count())
    card = _read_card(path, session)
    input_name = _check_graph(path, session, card)
    folds = fold_models_beside(path, force_cpu) if with_folds else None
    return LoadedModel(path, card, session, input_name, session.get_providers()[0], folds)


def _open_session(path: Path, force_cpu: bool, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: the fallback is reported by us
    providers = [CPU]
    if not force_cpu and CUDA in ort.get_available_providers():
        providers = [CUDA, CPU]
    try:
        # From bytes, not from the path: the session then has no folder to resolve external
        # data against, so a model can never make onnxruntime read a file beside or outside
        # it (../../secret.bin, a symlink). Our models are single self-contained files.
        model_bytes = path.read_bytes()
    except OSError as err:
        raise ModelError(path, f"cannot read the model file ({err.strerror})") from None
    try:
        return ort.InferenceSession(model_bytes, sess_options=options, providers=providers)
    except Exception as err:  # onnxruntime raises InvalidProtobuf, Fail, ... with long texts
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if "external" in first_line.lower() or "model_path" in first_line:
            raise ModelError(path, "the model keeps its weights in external data files; emgviewer "
                                   "loads only self-contained .onnx files") from None
        raise ModelError(path, f"not a loadable ONNX model ({first_line[:300]})") from None


def _read_card(path: Path, session: ort.InferenceSession) -> ModelCard:
    metadata = session.get_modelmeta().custom_metadata_map
    if CARD_KEY not in metadata:
        raise ModelError(path, f"no model card (metadata key {CARD_KEY!r} is missing)")
    try:
        return ModelCard.from_json(metadata[CARD_KEY])
    except CardError as err:
        raise ModelError(path, f"invalid model card: {err}") from None


def _check_graph(path: Path, session: ort.InferenceSession, card: ModelCard) -> str:
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1 or len(outputs) < 1:
        raise ModelError(path, f"graph must have one input and an output, has {len(inputs)} "
                               f"input(s) and {len(outputs)} output(s)")
    graph_shape = list(inputs[0].shape)
    expected = list(card.input.shape)
    if len(graph_shape) != len(expected) or isinstance(graph_shape[0], int):
        raise ModelError(path, f"graph input shape {graph_shape} contradicts the card's "
                               f"{expected} (a dynamic batch axis first)")
    for axis, (graph_dim, card_dim) in enumerate(zip(graph_shape[1:], expected[1:]), start=1):
        if isinstance(graph_dim, int) and graph_dim != card_dim:
            raise ModelError(path, f"graph input shape {graph_shape} contradicts the card's "
                                   f"{expected} at axis {axis}")
    output_shape = list(outputs[0].shape)
    n_classes = len(card.classes)
    if len(output_shape) != 2 or (isinstance(output_shape[1], int) and output_shape[1] != n_classes):
        raise ModelError(path, f"graph output shape {output_shape} does not give {n_classes} "
                               f"class scores per window")
    return inputs[0].name
