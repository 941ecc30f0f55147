"""Probabilistic metrics: the crossentropies, KL divergence and Poisson, averaged."""
from layerkit.losses import functions as F
from layerkit.metrics.reduction_metrics import _BuiltinWrapper


class BinaryCrossentropy(_BuiltinWrapper):
    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(F.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(_BuiltinWrapper):
    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(F.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_BuiltinWrapper):
    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 axis=-1):
        super().__init__(F.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, axis=axis)


class KLDivergence(_BuiltinWrapper):
    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(F.kl_divergence, name=name, dtype=dtype)


class Poisson(_BuiltinWrapper):
    def __init__(self, name="poisson", dtype=None):
        super().__init__(F.poisson, name=name, dtype=dtype)
