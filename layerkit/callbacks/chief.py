"""With several processes, only process 0 (the chief) prints and writes files:
every process runs the same callbacks (so collectives line up), and the others
keep quiet."""
from layerkit import engine


def is_chief():
    """Whether this process prints and writes (always true with one process)."""
    return engine.distribution.process_id() == 0


def quiet(params, callbacks):
    """On a process other than 0: params with verbose=0, and each callback's own
    `verbose` set to 0 (ModelCheckpoint, EarlyStopping ...)."""
    if is_chief():
        return params
    for callback in callbacks:
        if isinstance(getattr(callback, "verbose", None), int):
            callback.verbose = 0
    return dict(params, verbose=0)
