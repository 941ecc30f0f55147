"""Loss kernels an engine may fuse: binary crossentropy on probabilities."""
import jax.numpy as jnp


def binary_crossentropy_probabilities(target, output, epsilon):
    """-(t log p + (1 - t) log(1 - p)) with p clipped to [epsilon, 1 - epsilon], as
    Keras computes it; XLA fuses the elementwise ops inside the compiled step."""
    output = jnp.clip(output, epsilon, 1.0 - epsilon)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))
