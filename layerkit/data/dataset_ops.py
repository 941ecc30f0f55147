"""The iteration logic behind `Dataset` transformations, as plain generators.

Each function takes upstream iterators (or factories that make a fresh one) and
yields elements. Threads are used only where asked for (parallel map, prefetch)
and are stopped when the consumer stops iterating.
"""

import collections
import itertools
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from layerkit.data import structure

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2

_RANDOM_CHUNK = 1024


def call_with_element(fn, element):
    """Calls a user function the tf.data way: a plain tuple is unpacked into args."""
    if type(element) is tuple:  # noqa: E721 - namedtuples are passed whole, as in tf.data
        return fn(*element)
    return fn(element)


def _normalize_output(value):
    return tuple(value) if isinstance(value, list) else value


def map_iter(it, fn):
    for element in it:
        yield _normalize_output(call_with_element(fn, element))


def parallel_map_iter(it, fn, workers):
    """map with `workers` threads; output order equals input order."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="layerkit-map")
    pending = collections.deque()
    try:
        for element in it:
            pending.append(pool.submit(call_with_element, fn, element))
            if len(pending) > workers:
                yield _normalize_output(pending.popleft().result())
        while pending:
            yield _normalize_output(pending.popleft().result())
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=False)


def resolve_parallelism(num_parallel_calls, what="num_parallel_calls"):
    """None/1 -> 1 (sequential), AUTOTUNE -> number of CPUs, n > 1 -> n."""
    if num_parallel_calls is None:
        return 1
    n = int(num_parallel_calls)
    if n == AUTOTUNE:
        return max(2, min(32, os.cpu_count() or 4))
    if n < 1:
        raise ValueError(f"{what} must be a positive integer or layerkit.data.AUTOTUNE (-1); "
                         f"received {num_parallel_calls!r}.")
    return n


def filter_iter(it, predicate):
    for element in it:
        keep = call_with_element(predicate, element)
        if getattr(keep, "shape", ()) not in ((), (1,)):
            raise ValueError("filter() predicate must return a scalar boolean; received a value "
                             f"of shape {keep.shape}.")
        if bool(keep):
            yield element


def shuffle_iter(it, buffer_size, rng):
    """tf.data buffer shuffling: fill a buffer, then emit a random slot and refill it."""
    buf = []
    randoms = iter(())
    for element in it:
        if len(buf) < buffer_size:
            buf.append(element)
            continue
        j = next(randoms, None)
        if j is None:
            randoms = iter(rng.integers(0, buffer_size, size=_RANDOM_CHUNK).tolist())
            j = next(randoms)
        out, buf[j] = buf[j], element
        yield out
    order = rng.permutation(len(buf)).tolist()
    for j in order:
        yield buf[j]


def batch_iter(it, batch_size, drop_remainder):
    while True:
        chunk = list(itertools.islice(it, batch_size))
        if not chunk or (drop_remainder and len(chunk) < batch_size):
            return
        yield structure.batch_elements(chunk)


def padded_batch_iter(it, batch_size, drop_remainder, padded_shapes, padding_values):
    while True:
        chunk = list(itertools.islice(it, batch_size))
        if not chunk or (drop_remainder and len(chunk) < batch_size):
            return
        yield structure.pad_and_batch(chunk, padded_shapes, padding_values)


def unbatch_iter(it):
    for element in it:
        yield from structure.unbatch_element(element)


def repeat_iter(make_iter, count):
    """count None/-1: forever (but stops if a pass yields nothing, as tf.data does)."""
    n = 0
    while count is None or count < 0 or n < count:
        produced = False
        for element in make_iter():
            produced = True
            yield element
        n += 1
        if not produced and (count is None or count < 0):
            return


def zip_iter(template, make_iters):
    iters = [m() for m in make_iters]
    for parts in zip(*iters):
        yield structure.pack_as(template, parts)


def interleave_iter(inputs, make_child, cycle_length, block_length=1):
    """Deterministic interleave: round-robin over up to `cycle_length` open children,
    `block_length` elements each; an exhausted child's slot takes the next input."""
    inputs = iter(inputs)
    slots = []
    for element in inputs:
        slots.append(iter(make_child(element)))
        if len(slots) == cycle_length:
            break
    i = 0
    while slots:
        i %= len(slots)
        child = slots[i]
        emitted = 0
        for element in itertools.islice(child, block_length):
            emitted += 1
            yield element
        if emitted < block_length:  # child exhausted: refill the slot or drop it
            nxt = next(inputs, _DONE)
            if nxt is _DONE:
                slots.pop(i)
                continue
            slots[i] = iter(make_child(nxt))
            if emitted == 0:
                continue
        i += 1


_DONE = object()


class Cache:
    """In-memory cache: the first complete pass is recorded and replayed afterwards."""

    def __init__(self):
        self._items = None
        self._lock = threading.Lock()

    def iterate(self, make_iter):
        items = self._items
        if items is not None:
            yield from items
            return
        recorded = []
        for element in make_iter():
            recorded.append(element)
            yield element
        with self._lock:
            if self._items is None:
                self._items = recorded


_ITEM, _END, _ERROR = 0, 1, 2


def prefetch_iter(make_iter, buffer_size):
    """Runs the upstream pipeline in a background thread, `buffer_size` elements ahead."""
    q = queue.Queue(maxsize=buffer_size)
    stop = threading.Event()

    def put(msg):
        while not stop.is_set():
            try:
                q.put(msg, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def worker():
        try:
            for element in make_iter():
                if not put((_ITEM, element)):
                    return
            put((_END, None))
        except BaseException as e:  # noqa: BLE001 - handed to the consumer thread
            put((_ERROR, e))

    thread = threading.Thread(target=worker, name="layerkit-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = q.get()
            if kind == _END:
                return
            if kind == _ERROR:
                raise value
            yield value
    finally:
        stop.set()


# ------------------------------------------------------------------ cardinality

def card_batch(c, batch_size, drop_remainder):
    if c < 0:
        return c
    return c // batch_size if drop_remainder else -(-c // batch_size)


def card_repeat(c, count):
    if c == 0:
        return 0
    if count is None or count < 0:
        return INFINITE
    if c < 0:
        return c
    return c * count


def card_take(c, n):
    if n < 0:
        return c
    if c == INFINITE:
        return n
    if c == UNKNOWN:
        return UNKNOWN
    return min(c, n)


def card_skip(c, n):
    if c < 0:
        return c if n >= 0 else UNKNOWN
    if n < 0:
        return 0
    return max(c - n, 0)


def card_shard(c, num_shards, index):
    if c < 0:
        return c
    return c // num_shards + (1 if index < c % num_shards else 0)


def card_zip(cards):
    if any(c == UNKNOWN for c in cards):
        return UNKNOWN
    finite = [c for c in cards if c != INFINITE]
    return min(finite) if finite else INFINITE


def card_concatenate(a, b):
    if INFINITE in (a, b):
        return INFINITE
    if UNKNOWN in (a, b):
        return UNKNOWN
    return a + b
