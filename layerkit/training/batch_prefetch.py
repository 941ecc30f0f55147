"""Reading a Sequence's batches ahead of the step: `workers` threads, or processes
with `use_multiprocessing`, at most `max_queue_size` batches in flight, returned in
index order (Keras's PyDataset and Keras 2's fit(workers=...) semantics).

Processes are forked where the platform allows it, so the dataset object needs no
pickling (as Keras does); elsewhere it is pickled once per worker.
"""
import collections
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

_DATASET = None   # the dataset in a worker process


def _init_worker(dataset):
    global _DATASET
    _DATASET = dataset


def _get_item(index):
    return _DATASET[index]


def prefetched(dataset, indices, workers, use_multiprocessing, max_queue_size):
    """Yields dataset[i] for i in `indices`, fetched by a pool of `workers`."""
    if workers <= 1 and not use_multiprocessing:
        for i in indices:
            yield dataset[i]
        return
    depth = max(int(max_queue_size), workers)
    if use_multiprocessing:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        pool = ctx.Pool(workers, initializer=_init_worker, initargs=(dataset,))
        submit = lambda i: pool.apply_async(_get_item, (i,))
        result = lambda f: f.get()
        close = pool.terminate
    else:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="layerkit-data")
        submit = lambda i: pool.submit(dataset.__getitem__, i)
        result = lambda f: f.result()
        close = lambda: pool.shutdown(wait=False, cancel_futures=True)
    pending = collections.deque()
    it = iter(indices)
    try:
        for i in it:
            pending.append(submit(i))
            if len(pending) >= depth:
                break
        while pending:
            out = result(pending.popleft())
            for i in it:
                pending.append(submit(i))
                break
            yield out
    finally:
        close()
