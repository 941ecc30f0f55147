"""Keras 2's small helpers of `keras.utils.generic_utils` / `io_utils` that Keras 3
dropped: to_list, unpack_singleton, has_arg, ask_to_proceed_with_overwrite."""
import inspect


def to_list(x, allow_tuple=False):
    """`x` as a list: a list stays, a tuple becomes one if allow_tuple, anything else
    is wrapped."""
    if isinstance(x, list):
        return x
    if allow_tuple and isinstance(x, tuple):
        return list(x)
    return [x]


def unpack_singleton(x):
    """The only element of a one-element list or tuple, else `x` itself."""
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return x[0]
    return x


def has_arg(fn, name, accept_all=False):
    """Whether `fn` takes an argument `name` (or any keyword, with accept_all)."""
    params = inspect.signature(fn).parameters
    if accept_all and any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return True
    return name in params and params[name].kind in (params[name].POSITIONAL_OR_KEYWORD,
                                                    params[name].KEYWORD_ONLY)


def ask_to_proceed_with_overwrite(filepath):
    """Asks on the terminal whether to overwrite `filepath`; True for yes."""
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    return answer == "y"
