"""`LambdaCallback`: a callback built from plain functions."""
from layerkit.callbacks.callback import ALL_HOOKS, Callback

__all__ = ["LambdaCallback"]


class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on-the-fly.

    Each keyword is a hook name and its function, called with the hook's
    arguments: `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`,
    `on_batch_begin(batch, logs)`, `on_batch_end(batch, logs)`,
    `on_train_begin(logs)`, `on_train_end(logs)`, and the same for the
    `on_train_batch_*`, `on_test_*`, `on_test_batch_*`, `on_predict_*` and
    `on_predict_batch_*` hooks.

    Example:
    ```python
    batch_print_callback = LambdaCallback(
        on_batch_begin=lambda batch, logs: print(batch))
    ```
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        unknown = sorted(name for name in kwargs if name not in ALL_HOOKS)
        if unknown:
            raise TypeError(
                f"LambdaCallback got unexpected keyword argument(s) {unknown}. "
                f"Each keyword must be a callback hook name, one of {list(ALL_HOOKS)}.")
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_batch_begin=on_batch_begin, on_batch_end=on_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end)
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(
                    f"LambdaCallback argument `{name}` must be callable, "
                    f"got {type(function).__name__}: {function!r}.")
            setattr(self, name, function)
