"""Keras 2 optimizer keywords, kept working with Keras 2 behaviour.

- `lr=` is the learning rate (it wins over `learning_rate`, as in tf.keras 2).
- `decay=` is time-based decay applied every step: lr / (1 + decay * iterations).
- `epsilon=None` means the configured `layerkit.config.epsilon()`.
- Nadam's `schedule_decay=` scales the exponent of its momentum schedule.
Any other unknown keyword is a TypeError that names it.
"""
from layerkit import config

LEGACY_KEYWORDS = ("lr", "decay")

# Keys that Keras/tf.keras write into saved optimizer configs and that carry no
# behaviour here; `from_config` drops them.
CONFIG_ONLY_KEYS = ("is_legacy_optimizer", "jit_compile")


def pop_legacy_keywords(owner, kwargs, extra=()):
    """Removes the Keras 2 keywords from `kwargs` and returns them as a dict.

    `owner` is the class name used in the error; `extra` names further keywords
    the optimizer accepts. Anything left over raises TypeError.
    """
    found = {}
    for key in LEGACY_KEYWORDS + tuple(extra):
        if key in kwargs:
            found[key] = kwargs.pop(key)
    if kwargs:
        names = ", ".join(repr(k) for k in sorted(kwargs))
        raise TypeError(
            f"{owner}() got unexpected keyword argument(s) {names}. Besides its own "
            f"arguments an optimizer accepts learning_rate, weight_decay, clipnorm, "
            f"clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, "
            f"loss_scale_factor, gradient_accumulation_steps, name and the Keras 2 "
            f"keywords {', '.join(LEGACY_KEYWORDS + tuple(extra))}.")
    return found


def resolve_epsilon(epsilon):
    """Keras 2's `epsilon=None` default: the configured fuzz factor."""
    return config.epsilon() if epsilon is None else float(epsilon)


def check_decay(decay):
    if decay is None:
        return None
    decay = float(decay)
    if decay < 0:
        raise ValueError(f"`decay` must be >= 0, received decay={decay}.")
    return decay
