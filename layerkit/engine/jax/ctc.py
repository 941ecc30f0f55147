"""CTC loss on JAX: the forward (alpha) recursion of Graves et al. (2006) in log
space, one lax.scan over time. PyTorch has it built in (F.ctc_loss); this is the
same quantity, so both engines agree with Keras to float32 rounding."""
import jax
import jax.numpy as jnp

from layerkit.engine.jax.core import convert_to_tensor

# log(0) stand-in: finite, so impossible paths give no NaN in the gradient.
_NEG = -1e30


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Per-sequence negative log-likelihood. `output` (batch, time, classes) holds
    logits (log-softmaxed here); `target` (batch, max_label) int labels; the blank
    class is `mask_index`."""
    output = convert_to_tensor(output)
    if not jnp.issubdtype(output.dtype, jnp.floating):
        output = output.astype("float32")
    target = convert_to_tensor(target).astype("int32")
    target_length = convert_to_tensor(target_length).astype("int32")
    output_length = convert_to_tensor(output_length).astype("int32")
    batch, steps, _ = output.shape
    labels = target.shape[1]
    logprobs = jax.nn.log_softmax(output.astype(jnp.promote_types(output.dtype, "float32")))

    # The extended label sequence: blank, l1, blank, l2, ..., blank (2N + 1 states).
    ext = jnp.full((batch, 2 * labels + 1), mask_index, "int32").at[:, 1::2].set(target)
    # A skip from s-2 to s is allowed onto a label that differs from the one before it.
    skip = jnp.zeros(ext.shape, bool).at[:, 2:].set(
        (ext[:, 2:] != mask_index) & (ext[:, 2:] != ext[:, :-2]))
    emit = jnp.take_along_axis(logprobs, jnp.broadcast_to(ext[:, None, :], (batch, steps,
                                                                             ext.shape[1])),
                               axis=2)   # (batch, time, states)
    neg = jnp.full((batch, 1), _NEG, logprobs.dtype)

    alpha0 = jnp.full(ext.shape, _NEG, logprobs.dtype)
    alpha0 = alpha0.at[:, :2].set(emit[:, 0, :2])

    def step(alpha, inputs):
        emit_t, t = inputs
        one = jnp.concatenate([neg, alpha[:, :-1]], axis=1)
        two = jnp.where(skip, jnp.concatenate([neg, neg, alpha[:, :-2]], axis=1), _NEG)
        new = jnp.logaddexp(jnp.logaddexp(alpha, one), two) + emit_t
        # Past a sequence's own length its alphas stay as they were.
        return jnp.where((t < output_length)[:, None], new, alpha), None

    alpha, _ = jax.lax.scan(step, alpha0, (jnp.swapaxes(emit, 0, 1)[1:],
                                           jnp.arange(1, steps)))
    last = jnp.take_along_axis(alpha, (2 * target_length)[:, None], axis=1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(2 * target_length - 1, 0)[:, None],
                                 axis=1)[:, 0]
    before = jnp.where(target_length > 0, before, _NEG)
    return -jnp.logaddexp(last, before)
