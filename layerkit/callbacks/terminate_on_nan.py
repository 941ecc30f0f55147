"""`TerminateOnNaN`: stops `fit` at the first batch whose loss is NaN or infinite."""
import math

from layerkit.callbacks.callback import Callback, python_value

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Terminates training when a NaN or Inf loss is met.

    Args:
        raise_error: False (default) stops gracefully through
            `model.stop_training` (every callback's `on_train_end` still runs);
            True raises a RuntimeError at once (Keras 3.10+).

    It reads every batch's loss, so each batch's logs are brought to the host.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        if not isinstance(raise_error, bool):
            raise ValueError(f"TerminateOnNaN: `raise_error` must be True or False, "
                             f"received {raise_error!r}.")
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(python_value(loss))
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. "
                                   f"Loss value: {loss}. Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
