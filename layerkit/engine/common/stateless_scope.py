"""A stateless scope maps Variables to stand-in values while a step is traced.

Inside a scope, reading `variable.value` returns the mapped value and
`variable.assign(v)` records `v` in the scope instead of touching the
Variable. That lets one layer's code run eagerly and under `jit`/`grad`.

The stack of open scopes is per thread (threading.local): a thread tracing a
step never changes what another thread reads from the same Variables.
`Variable.value` runs on every weight read of an eager step, and a thread-local
lookup costs ~60 ns more than reading a module list; so it first checks
`OPEN`, one entry per scope open in any thread, and looks up its own thread's
stack only when that is not empty (never, in an eager torch step).
"""
import threading


class _ScopeStack(threading.local):
    def __init__(self):
        self.stack = []


SCOPES = _ScopeStack()
OPEN = []


class StatelessScope:
    def __init__(self, state_mapping=None, collect_losses=False):
        self._values = {}
        self.losses = [] if collect_losses else None
        for variable, value in state_mapping or ():
            self._values[id(variable)] = value

    def add_loss(self, loss):
        if self.losses is not None:
            self.losses.append(loss)

    def get_current_value(self, variable):
        return self._values.get(id(variable))

    def add_update(self, variable, value):
        self._values[id(variable)] = value

    def __enter__(self):
        SCOPES.stack.append(self)
        OPEN.append(None)
        return self

    def __exit__(self, *exc):
        OPEN.pop()
        SCOPES.stack.pop()
        return False


def get_stateless_scope():
    if not OPEN:
        return None
    stack = SCOPES.stack
    return stack[-1] if stack else None


def in_stateless_scope():
    return bool(SCOPES.stack)
