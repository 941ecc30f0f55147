"""The current distribution (one per program, as Keras's global attribute) and the
multi-process set-up."""
from layerkit import engine
from layerkit.engine.common.distribution_plan import set_plan

_CURRENT = {"distribution": None}


def distribution():
    """The current distribution, or None (one device)."""
    return _CURRENT["distribution"]


def set_distribution(value):
    """Makes `value` (a DataParallel or ModelParallel, or None for one device) the
    distribution every later fit/evaluate/predict uses."""
    from layerkit.distribution.distributions import Distribution
    if value is not None and not isinstance(value, Distribution):
        raise ValueError(f"set_distribution expects a DataParallel, a ModelParallel or "
                         f"None, received {type(value).__name__}: {value!r}.")
    set_plan(None if value is None else value.to_plan())
    _CURRENT["distribution"] = value


def initialize(job_addresses=None, num_processes=None, process_id=None, timeout_s=None):
    """Joins this process to a run over several processes (hosts). Call it first,
    before building a model.

    Args:
        job_addresses: "host:port" of the coordinator (process 0), or a
            comma-separated list whose first entry is; else the environment's
            KERAS_DISTRIBUTION_JOB_ADDRESSES (on torch: MASTER_ADDR/MASTER_PORT).
        num_processes: else KERAS_DISTRIBUTION_NUM_PROCESSES (torch: WORLD_SIZE).
        process_id: 0 .. num_processes-1, else KERAS_DISTRIBUTION_PROCESS_ID (torch: RANK).
        timeout_s: seconds after which a silent peer counts as dead and the others stop
            with an error (layerkit's own argument; default 10).
    """
    coordinator = None
    if job_addresses is not None:
        coordinator = str(job_addresses).split(",")[0].strip()
    for name, value in (("num_processes", num_processes), ("process_id", process_id)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValueError(f"initialize: `{name}` must be a non-negative int, received "
                             f"{value!r}.")
    if num_processes is not None and process_id is not None and process_id >= num_processes:
        raise ValueError(f"initialize: process_id {process_id} is out of range for "
                         f"num_processes={num_processes} (0 .. {num_processes - 1}).")
    engine.distribution.initialize(coordinator, num_processes, process_id, timeout_s)
