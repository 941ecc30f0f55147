"""A trace of some training steps for TensorBoard's profile plugin, with JAX's own
profiler (it writes `plugins/profile/<run>/*.xplane.pb` under the folder)."""
import jax


def start_trace(log_dir):
    jax.profiler.start_trace(log_dir)


def stop_trace():
    # Steps are dispatched asynchronously: wait for them so the trace holds their work.
    jax.effects_barrier()
    jax.profiler.stop_trace()
