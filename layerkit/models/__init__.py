"""`layerkit.models`: Model, Sequential and the functional API."""
from layerkit.models.model import Model
from layerkit.models.functional import Functional
from layerkit.models.sequential import Sequential

__all__ = ["Model", "Functional", "Sequential"]
