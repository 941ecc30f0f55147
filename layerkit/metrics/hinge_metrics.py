"""Hinge metrics: the hinge losses averaged over samples."""
from layerkit.losses import functions as F
from layerkit.metrics.reduction_metrics import _BuiltinWrapper


class Hinge(_BuiltinWrapper):
    def __init__(self, name="hinge", dtype=None):
        super().__init__(F.hinge, name=name, dtype=dtype)


class SquaredHinge(_BuiltinWrapper):
    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(F.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(_BuiltinWrapper):
    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(F.categorical_hinge, name=name, dtype=dtype)
