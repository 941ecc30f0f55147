"""Keeps freed host memory in the process for the next step (glibc's malloc).

torch's CPU tensors come from malloc. glibc hands out allocations above its mmap
threshold (128 KiB, growing with what is freed, at most 32 MiB) as fresh mappings and
gives freed memory back to the system, so an eager step that allocates the same
activations every time page-faults them in again: 25-60 thousand faults an epoch on the
seed's mini-Xception, where the kernels themselves read the same. Which allocations
fault depends on the order of earlier frees, so the cost came and went between runs of
the same program (the VGG benchmark's raw torch loop: 728 against 636 ms an epoch).

With the thresholds raised, freed memory stays in the heap and is reused: the step's
faults go to nearly none. The price is a process whose resident size does not shrink
after a peak (up to the trim threshold kept free). `LAYERKIT_KEEP_FREED_MEMORY=0`
leaves malloc as it is, and so do glibc's own MALLOC_MMAP_THRESHOLD_ /
MALLOC_TRIM_THRESHOLD_ variables where the user set them. Other C libraries (macOS,
musl) are left alone.
"""
import ctypes
import os
import platform

_M_TRIM_THRESHOLD = -1   # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 256 << 20   # older glibc refuses more than 32 MiB: tried next
TRIM_THRESHOLD = 512 << 20


def keep_freed_memory():
    """Raises glibc's mmap and trim thresholds once; returns whether they were set."""
    if os.environ.get("LAYERKIT_KEEP_FREED_MEMORY", "1") == "0":
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    if not (mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) or
            mallopt(_M_MMAP_THRESHOLD, 32 << 20)):
        return False
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


KEPT = keep_freed_memory()
