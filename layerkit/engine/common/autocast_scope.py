"""The autocast scope: inside it, reading a float Variable gives its value cast to the
scope's dtype (Keras 3's AutocastScope). A layer with a mixed policy (float32
variables, float16/bfloat16 computation) opens one around its call, so its kernels
see 16-bit weights while the Variables and the optimizer stay in float32; the cast
is an ordinary engine op, so gradients flow back to the float32 values.

Like the stateless scope, the stack is per thread and `ACTIVE` (one entry per scope
open in any thread) lets `Variable.value` skip the thread-local lookup in the
common case of no mixed layer at all.
"""
import threading

_FLOATS = ("float16", "bfloat16", "float32", "float64")


class _Stack(threading.local):
    def __init__(self):
        self.stack = []


_SCOPES = _Stack()
ACTIVE = []


class AutocastScope:
    """Casts float Variables read inside it to `dtype`; `dtype=None` turns casting off
    (a layer that keeps its weights' dtype, inside a mixed one)."""

    def __init__(self, dtype):
        if dtype is not None and dtype not in _FLOATS:
            raise ValueError("AutocastScope: the target dtype must be a float dtype such as "
                             f"'float16'; received {dtype!r}.")
        self.dtype = dtype

    def maybe_cast(self, value, variable_dtype):
        if self.dtype is None or variable_dtype == self.dtype or variable_dtype not in _FLOATS:
            return value
        from layerkit.engine import cast
        return cast(value, self.dtype)

    def __enter__(self):
        _SCOPES.stack.append(self)
        ACTIVE.append(None)
        return self

    def __exit__(self, *exc):
        ACTIVE.pop()
        _SCOPES.stack.pop()
        return False


def get_autocast_scope():
    if not ACTIVE:
        return None
    stack = _SCOPES.stack
    return stack[-1] if stack else None
