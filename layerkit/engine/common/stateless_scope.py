"""A stateless scope maps Variables to stand-in values while a step is traced.

Inside a scope, reading `variable.value` returns the mapped value and
`variable.assign(v)` records `v` in the scope instead of touching the
Variable. That lets one layer's code run eagerly and under `jit`/`grad`.
"""

# One stack per process: scopes are entered by the training loop while it
# traces a step, never concurrently from several threads.
_SCOPES = []


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
        _SCOPES.append(self)
        return self

    def __exit__(self, *exc):
        _SCOPES.pop()
        return False


def get_stateless_scope():
    return _SCOPES[-1] if _SCOPES else None


def in_stateless_scope():
    return bool(_SCOPES)
