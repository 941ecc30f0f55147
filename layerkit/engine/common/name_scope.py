"""Name scopes: the prefix of a Variable's `path`, as in Keras 3.

A Variable's path is the chain of scopes open when it is created, joined by "/", then
its name: a Dense layer "d1" built inside Sequential "seq" makes `seq/d1/kernel`; built
on its own it makes `d1/kernel`. A layer opens its scope around its build and its first
call; a scope remembers the path where its layer first opened one (`override_parent`),
so a layer whose variables were made at top level keeps that path wherever it is used
later. One stack per thread.
"""
import threading

_LOCAL = threading.local()


def _stack():
    stack = getattr(_LOCAL, "stack", None)
    if stack is None:
        stack = _LOCAL.stack = []
    return stack


class name_scope:
    """Opens `name` under the current path (or under `override_parent` when given).

    Entering the same caller's scope again while it is the innermost one is a no-op, so
    a layer's build, its add_weight calls and its first call share one level.
    """

    def __init__(self, name, caller=None, override_parent=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError(f"name_scope: the name must be a string without '/'; "
                             f"received {name!r}.")
        self.name = name
        self.caller = caller
        self.override_parent = override_parent
        self._pushed = False

    def __enter__(self):
        stack = _stack()
        if stack and self.caller is not None and stack[-1].caller is self.caller \
                and stack[-1].name == self.name:
            return self
        stack.append(self)
        self._pushed = True
        return self

    def __exit__(self, *exc):
        if self._pushed:
            _stack().pop()
            self._pushed = False
        return False


def current_path():
    """The path of the open scopes, e.g. "sequential/d1"; "" outside any scope."""
    parts = []
    for scope in _stack():
        if scope.override_parent is not None:
            parts = [p for p in scope.override_parent.split("/") if p]
        parts.append(scope.name)
    return "/".join(parts)


def current_caller():
    """The object whose scope is innermost (a layer), or None."""
    stack = _stack()
    return stack[-1].caller if stack else None
