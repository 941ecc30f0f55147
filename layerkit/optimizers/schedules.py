"""Learning-rate schedules (`layerkit.optimizers.schedules`, Keras's names).

A schedule maps the optimizer's step counter to a learning rate with `layerkit.ops`
only, so the same call runs eagerly and traced under `jit`, and never reads a
value back to the host (no Python branching on the step).
"""
import math

from layerkit import ops


def _float_tensor(x):
    return ops.convert_to_tensor(x, dtype="float32")


def _as_step(step, dtype):
    return ops.cast(step, dtype)


class LearningRateSchedule:
    """Base class: subclasses implement `__call__(step)` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must implement __call__(step).")

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must implement get_config() "
            "to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class _DecayOverSteps(LearningRateSchedule):
    """Shared by the schedules driven by step / decay_steps (floored if staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        if decay_steps <= 0:
            raise ValueError(f"{type(self).__name__}: `decay_steps` must be > 0, received "
                             f"{decay_steps}.")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name or type(self).__name__

    def _progress(self, step):
        lr0 = _float_tensor(self.initial_learning_rate)
        p = _as_step(step, lr0.dtype) / ops.cast(self.decay_steps, lr0.dtype)
        if self.staircase:
            p = ops.floor(p)
        return lr0, p, ops.cast(self.decay_rate, lr0.dtype)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_DecayOverSteps):
    """initial_learning_rate * decay_rate ** (step / decay_steps), the exponent
    floored when `staircase`."""

    def __call__(self, step):
        lr0, p, rate = self._progress(step)
        return lr0 * ops.power(rate, p)


class InverseTimeDecay(_DecayOverSteps):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps), the ratio
    floored when `staircase`."""

    def __call__(self, step):
        lr0, p, rate = self._progress(step)
        return lr0 / (1.0 + rate * p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while
    boundaries[i-1] < step <= boundaries[i], values[-1] after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay: `values` must have one more element than "
                f"`boundaries`; received {len(boundaries)} boundaries {boundaries} and "
                f"{len(values)} values {values}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = ops.convert_to_tensor(step)
        values = [_float_tensor(v) for v in self.values]
        result = values[-1]
        # Walk from the last interval to the first: the first boundary that the
        # step does not exceed picks the value.
        for boundary, value in zip(reversed(self.boundaries), reversed(values[:-1])):
            result = ops.where(ops.less_equal(step, boundary), value, result)
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end; with `cycle` the
    horizon grows to the next multiple of decay_steps instead of stopping."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"PolynomialDecay: `decay_steps` must be > 0, received {decay_steps}.")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        lr0 = _float_tensor(self.initial_learning_rate)
        dtype = lr0.dtype
        end = ops.cast(self.end_learning_rate, dtype)
        step = _as_step(step, dtype)
        decay_steps = ops.cast(self.decay_steps, dtype)
        if self.cycle:
            multiplier = ops.where(ops.equal(step, 0.0), ops.ones_like(step),
                                   ops.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = ops.minimum(step, decay_steps)
        p = step / decay_steps
        return (lr0 - end) * ops.power(1.0 - p, ops.cast(self.power, dtype)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from `initial_learning_rate` (or, after a linear warmup of
    `warmup_steps` to `warmup_target`, from `warmup_target`) down to
    alpha * that rate over `decay_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        if decay_steps <= 0:
            raise ValueError(f"CosineDecay: `decay_steps` must be > 0, received {decay_steps}.")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_steps, start_lr, dtype):
        fraction = step / decay_steps
        cosine = 0.5 * (1.0 + ops.cos(ops.cast(math.pi, dtype) * fraction))
        return start_lr * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        lr0 = _float_tensor(self.initial_learning_rate)
        dtype = lr0.dtype
        decay_steps = ops.cast(self.decay_steps, dtype)
        step = _as_step(step, dtype)
        if self.warmup_target is None:
            return self._decay(ops.minimum(step, decay_steps), decay_steps, lr0, dtype)
        target = ops.cast(self.warmup_target, dtype)
        warmup_steps = ops.cast(self.warmup_steps, dtype)
        step = ops.minimum(step, decay_steps + warmup_steps)
        # Both branches are computed and one is selected: no host read of the step.
        # (With warmup_steps == 0 the warmup branch is never selected.)
        safe_warmup = ops.maximum(warmup_steps, 1.0)
        warm = (target - lr0) * (step / safe_warmup) + lr0
        decayed = self._decay(step - warmup_steps, decay_steps, target, dtype)
        return ops.where(ops.less(step, warmup_steps), warm, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): each period is `t_mul` times longer
    than the last and restarts at `m_mul` times the previous peak."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError("CosineDecayRestarts: `first_decay_steps` must be > 0, received "
                             f"{first_decay_steps}.")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        lr0 = _float_tensor(self.initial_learning_rate)
        dtype = lr0.dtype
        t_mul = ops.cast(self._t_mul, dtype)
        fraction = _as_step(step, dtype) / ops.cast(self.first_decay_steps, dtype)
        if self._t_mul == 1.0:
            restart = ops.floor(fraction)
            fraction = fraction - restart
        else:
            restart = ops.floor(ops.log(1.0 - fraction * (1.0 - t_mul)) / ops.log(t_mul))
            done = (1.0 - ops.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - done) / ops.power(t_mul, restart)
        m_fac = ops.power(ops.cast(self._m_mul, dtype), restart)
        cosine = 0.5 * m_fac * (1.0 + ops.cos(ops.cast(math.pi, dtype) * fraction))
        return lr0 * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay,
    CosineDecayRestarts)}


def serialize(schedule):
    """A JSON-ready dict for a schedule, in Keras 3's layout."""
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(f"serialize expects a LearningRateSchedule, received {schedule!r}.")
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A schedule from `serialize`'s dict (Keras 2's {'class_name', 'config'} too)."""
    if isinstance(config, LearningRateSchedule):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not deserialize a learning-rate schedule from {config!r}: "
                         "expected a dict with 'class_name' and 'config'.")
    name = config["class_name"]
    registered = config.get("registered_name")
    cls = None
    for key in (registered, name):
        if key and custom_objects and key in custom_objects:
            cls = custom_objects[key]
            break
    if cls is None:
        cls = _SCHEDULES.get(name)
    if cls is None:
        raise ValueError(f"Unknown learning-rate schedule {name!r}. Known schedules: "
                         f"{sorted(_SCHEDULES)}; pass custom ones in `custom_objects`.")
    return cls.from_config(dict(config.get("config", {})))
