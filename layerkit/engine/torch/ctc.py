"""CTC loss on PyTorch: torch.nn.functional.ctc_loss (the same quantity JAX's
engine computes with its alpha recursion)."""
import torch

from layerkit.engine.torch.core import convert_to_tensor


def _t(x):
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Per-sequence negative log-likelihood. `output` (batch, time, classes) holds
    logits (log-softmaxed here); `target` (batch, max_label) int labels; the blank
    class is `mask_index`."""
    output = _t(output)
    dtype = output.dtype if output.is_floating_point() else torch.float32
    work = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
    logprobs = torch.log_softmax(output.to(work), dim=-1).transpose(0, 1)
    loss = torch.nn.functional.ctc_loss(
        logprobs, _t(target).long(), _t(output_length).long(), _t(target_length).long(),
        blank=mask_index, reduction="none", zero_infinity=False)
    return loss.to(dtype)
