"""ONNX inference: model card, classifier, window/record/subject verdicts (Qt-free).

Built on :mod:`emgviewer.records` and :mod:`emgviewer.analysis`; see the inference issue.
"""
