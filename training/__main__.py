"""``python -m training``: the training package's entry point (it needs torch, and says so)."""

import sys

try:
    import torch  # noqa: F401  (every training command needs it)
except ModuleNotFoundError:
    sys.exit("python -m training needs PyTorch, which is not installed: pip install torch==2.13.0 "
             "(the CPU wheel), then pip install '.[train]'")

from training.cli import main  # noqa: E402

sys.exit(main())
