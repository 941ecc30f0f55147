"""Weight initializers (Keras 3's `keras.initializers`, plus Keras 2's aliases).

An initializer is called as `init(shape, dtype=None)` and returns a **numpy array**.
Values are drawn on the host with numpy's PCG64 generator, so a given seed gives the
same initial weights on every engine.

Seeds follow Keras 3: an initializer built with an integer `seed` returns the same
values every time it is called. One built with `seed=None` draws from a module-global
generator, which `set_global_seed` (called by `layerkit.utils.set_random_seed`) reseeds.
"""

from layerkit.initializers.base import (Initializer, compute_fans,  # noqa: F401
                                        set_global_seed)
from layerkit.initializers.constant import Constant, Identity, Ones, Zeros
from layerkit.initializers.random import (GlorotNormal, GlorotUniform, HeNormal,  # noqa: F401
                                          HeUniform, LecunNormal, LecunUniform, Orthogonal,
                                          RandomInitializer, RandomNormal, RandomUniform,
                                          TruncatedNormal, VarianceScaling)
from layerkit.initializers.registry import Registry, _registered_custom_object  # noqa: F401

_CLASSES = (Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, LecunUniform, LecunNormal,
            HeUniform, HeNormal, Orthogonal)

_ALIASES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "identity": Identity, "random_normal": RandomNormal, "normal": RandomNormal,
    "random_uniform": RandomUniform, "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal, "orthogonal": Orthogonal,
    # Keras 2 spellings of class names.
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
}
_LOOKUP = dict(_ALIASES)
_LOOKUP.update({c.__name__: c for c in _CLASSES})

# Lower-case functional aliases, as Keras exports them.
zeros = zero = Zeros
ones = one = Ones
constant = Constant
identity = Identity
random_normal = normal = RandomNormal
random_uniform = uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
he_uniform = HeUniform
he_normal = HeNormal
orthogonal = Orthogonal

_REGISTRY = Registry("initializer", "keras.initializers", _LOOKUP, Initializer,
                     get_hint="Pass a name such as 'glorot_uniform', a config dict, an "
                              "Initializer instance or a callable (shape, dtype) -> array.")


def serialize(initializer):
    """A JSON-ready dict `{"module", "class_name", "config", "registered_name"}`."""
    return _REGISTRY.serialize(initializer)


def deserialize(config, custom_objects=None):
    """Builds an initializer from `serialize`'s dict (Keras 2 or 3 form) or a name."""
    return _REGISTRY.deserialize(config, custom_objects)


def get(identifier):
    """An initializer from None, a name, a config dict, an instance or a callable."""
    return _REGISTRY.get(identifier)
