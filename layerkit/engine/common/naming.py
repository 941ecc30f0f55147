"""Unique automatic names: dense, dense_1, dense_2 ... per prefix."""
import re
import threading

_COUNTS = {}
_LOCK = threading.Lock()


def to_snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name.replace("__", "_")


def uniquify(prefix):
    with _LOCK:
        n = _COUNTS.get(prefix, 0)
        _COUNTS[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def reset_uids():
    with _LOCK:
        _COUNTS.clear()
