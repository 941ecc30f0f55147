"""The PyTorch engine."""
# Before the first tensor: freed host memory is reused, not faulted in again each step.
from layerkit.engine.torch import host_memory  # noqa: F401
