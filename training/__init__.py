"""Training package (PyTorch): subject-independent training, evaluation and ONNX export of the
models the viewer runs. Reads recordings through :mod:`emgviewer.records` and windows through
:mod:`emgviewer.analysis`, so training and the app share one implementation."""
