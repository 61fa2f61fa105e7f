"""ONNX inference: model card, classifier, verdicts, saliency (Qt-free).

>>> model = load_model("resources/models/default.onnx")           # doctest: +SKIP
>>> result = classify(read_record("N2001A01BB02.hea"), model)      # doctest: +SKIP
>>> result.verdict.label, result.verdict.confidence                # doctest: +SKIP
"""

from emgviewer.inference.card import CARD_KEY, ClassInfo, InputContract, ModelCard, Scaling
from emgviewer.inference.classify import (
    CancelToken,
    Classification,
    classify,
)
from emgviewer.inference.errors import CardError, ClassificationCancelled, ModelError
from emgviewer.inference.model import LoadedModel, load_model
from emgviewer.inference.saliency import occlusion_saliency
from emgviewer.inference.zoo import default_model_path

__all__ = [
    "CARD_KEY",
    "CancelToken",
    "CardError",
    "ClassInfo",
    "Classification",
    "ClassificationCancelled",
    "InputContract",
    "LoadedModel",
    "ModelCard",
    "ModelError",
    "Scaling",
    "classify",
    "default_model_path",
    "load_model",
    "occlusion_saliency",
]
