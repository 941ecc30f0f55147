"""The Loss base class and the wrapper that turns a loss function into one."""
from layerkit import config
from layerkit import ops
from layerkit.engine.common import naming
from layerkit.engine.common.masking import get_keras_mask
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.losses.loss_utils import (as_tensor, reduce_weighted_values,
                                        squeeze_or_expand_to_same_rank, standardize_reduction)


class Loss:
    """Base class of every loss: subclasses implement `call(y_true, y_pred)`
    returning per-sample values; `__call__` weights and reduces them.

    reduction: 'sum_over_batch_size' (default; Keras 2's 'auto' means the same),
    'sum', 'mean', 'mean_with_sample_weight', or 'none'/None for no reduction.
    """

    # Whether __call__ casts y_true to y_pred's dtype (class indices are left as ints).
    _cast_y_true = True

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = standardize_dtype(dtype) if dtype is not None else None

    @property
    def dtype(self):
        return self._dtype or config.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        # The model output's Keras mask (Masking, mask_zero ...) leaves masked entries
        # out of the loss, as in Keras 3.
        output_mask = get_keras_mask(y_pred)
        y_pred = as_tensor(y_pred, self.dtype)
        y_true = as_tensor(y_true, y_pred.dtype if self._cast_y_true else None)
        losses = self.call(y_true, y_pred)
        mask = self._loss_mask(y_true, y_pred)
        if output_mask is not None:
            mask = output_mask if mask is None else ops.logical_and(output_mask, mask)
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def _loss_mask(self, y_true, y_pred):
        """Entries of the per-sample loss that count (None: all of them)."""
        return None

    def get_config(self):
        config_ = {"name": self.name, "reduction": self.reduction}
        if self._dtype is not None:
            config_["dtype"] = self._dtype
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} reduction={self.reduction}>"


class LossFunctionWrapper(Loss):
    """A Loss that calls `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if isinstance(fn, str):
            from layerkit.losses.functions import LOSS_FUNCTIONS
            if fn not in LOSS_FUNCTIONS:
                raise ValueError(f"Unknown loss function {fn!r} for LossFunctionWrapper. "
                                 f"Valid names: {sorted(LOSS_FUNCTIONS)}.")
            fn = LOSS_FUNCTIONS[fn]
        if not callable(fn):
            raise ValueError(f"LossFunctionWrapper needs a callable `fn`, received {fn!r}.")
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config_ = super().get_config()
        config_["fn"] = getattr(self.fn, "__name__", str(self.fn))
        config_.update(self._fn_kwargs)
        return config_

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        if "fn" in config_ and isinstance(config_["fn"], (str, dict)):
            from layerkit.losses.registry import deserialize
            config_["fn"] = deserialize(config_["fn"])
        return cls(**config_)

    def __repr__(self):
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, " \
               f"kwargs={self._fn_kwargs})>"
