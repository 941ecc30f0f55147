"""What every benchmark here shares: contenders timed in turn inside one run, medians
of the repeats, and ratios of medians and of back-to-back pairs (a slow drift of the
machine's speed cancels out within a pair)."""
import os
import statistics
import time

ENGINE = os.environ.get("LAYERKIT_BACKEND", "jax")

# LAYERKIT_BENCH_CLOCK=process times the CPU seconds of all the process's threads
# instead of wall seconds: on a machine shared with other work (the figures in the
# README taken at a load average above the core count), waiting for a core then
# counts for nothing, while every contender's work still does.
_CLOCK = time.process_time if os.environ.get("LAYERKIT_BENCH_CLOCK") == "process" \
    else time.perf_counter


def timed(fn):
    t = _CLOCK()
    fn()
    return _CLOCK() - t


def race(contenders, repeats, times=None):
    """Times each contender once per repeat, in turn; returns the median per name and
    fills `times` with every figure."""
    times = {name: [] for name in contenders} if times is None else times
    for _ in range(repeats):
        for name, fn in contenders.items():
            times.setdefault(name, []).append(timed(fn))
    return {name: statistics.median(ts) for name, ts in times.items()}


def paired_ratio(times, fast, slow):
    """Median over the repeats of slow/fast, each pair timed back to back."""
    return statistics.median(s / f for f, s in zip(times[fast], times[slow]))


def keras3(engine=ENGINE):
    """The real Keras 3 package on the same engine, or None where it is not installed."""
    os.environ["KERAS_BACKEND"] = engine
    try:
        import keras
    except Exception:
        return None
    return keras


def report(title, samples, times, baseline="raw"):
    """Prints samples/s per contender and every contender's speed relative to the
    baseline (baseline time / contender time: above 1 means faster)."""
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(title)
    for name, t in med.items():
        print(f"  {name:>10}: {samples / t:10.1f} samples/s  ({t * 1e3:8.1f} ms/epoch)")
    for name in med:
        if name != baseline:
            print(f"  {name}/{baseline}: {med[baseline] / med[name]:.3f}x  "
                  f"(paired {paired_ratio(times, name, baseline):.3f}x)")
    if "layerkit" in med and "keras3" in med:
        print(f"  layerkit/keras3: {med['keras3'] / med['layerkit']:.3f}x  "
              f"(paired {paired_ratio(times, 'layerkit', 'keras3'):.3f}x)")
    return med
