"""Shared thread pools for image work (resampling and file decoding).

Two pools, so that a decoding task never waits on a resampling task of the
same pool. Tasks never submit work to a pool themselves, so no task can wait
on itself. numpy, scipy.ndimage and Pillow release the GIL in their loops, so
threads use every core.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_pools = {}


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def _pool(name, workers):
    with _lock:
        pool = _pools.get(name)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"layerkit-{name}")
            _pools[name] = pool
        return pool


def compute_pool():
    return _pool("compute", max(1, min(8, cpu_count())))


def io_pool():
    return _pool("io", max(2, min(16, 2 * cpu_count())))


def run_all(jobs, pool=None):
    """Runs `[(fn, args), ...]`; in the pool when there is more than one job and
    more than one core. Returns the results in order; re-raises the first error."""
    if len(jobs) <= 1 or (pool is None and cpu_count() <= 1):
        return [fn(*args) for fn, args in jobs]
    pool = pool or compute_pool()
    futures = [pool.submit(fn, *args) for fn, args in jobs]
    return [f.result() for f in futures]
