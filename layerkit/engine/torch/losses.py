"""Loss kernels an engine may fuse: binary crossentropy on probabilities."""
import torch
import torch.nn.functional as F

_FUSED_DTYPES = (torch.float32, torch.float64)


def binary_crossentropy_probabilities(target, output, epsilon):
    """-(t log p + (1 - t) log(1 - p)) with p clipped to [epsilon, 1 - epsilon], as
    Keras computes it. Eagerly that formula is nine kernels forward and a dozen
    backward on a (batch, 1) tensor; torch's own binary_cross_entropy is one each
    (its log clamp at -100 never acts on clipped p). Other shapes, dtypes or a target
    that needs a gradient take the formula."""
    output = torch.clamp(output, epsilon, 1.0 - epsilon)
    if output.shape == target.shape and output.dtype in _FUSED_DTYPES and \
            target.dtype == output.dtype and not target.requires_grad:
        return F.binary_cross_entropy(output, target, reduction="none")
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))
