"""The PyTorch engine raises glibc's malloc thresholds at import, so a step's freed
activations are reused instead of page-faulted in again (engine/torch/host_memory.py);
LAYERKIT_KEEP_FREED_MEMORY=0 and glibc's own variables leave malloc alone."""
import os
import platform
import subprocess
import sys

import pytest

import layerkit

pytestmark = [
    pytest.mark.skipif(layerkit.backend.backend() != "torch",
                       reason="the PyTorch engine's host allocations"),
    pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                       reason="glibc's malloc only"),
]

# Allocates and frees a 40 MB tensor, as a step does its activations: three rounds to
# settle the heap, then 19 counted; prints whether the thresholds were set and the page
# faults of the counted rounds.
PROBE = """
import resource
import layerkit, torch
from layerkit.engine.torch import host_memory
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    torch.empty(10_000_000).fill_(1.0)
before = faults()
for _ in range(19):
    torch.empty(10_000_000).fill_(1.0)
print(host_memory.KEPT, faults() - before)
"""


def _probe(**env):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("LAYERKIT_KEEP_FREED_MEMORY", "MALLOC_MMAP_THRESHOLD_",
                          "MALLOC_TRIM_THRESHOLD_")}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         env={**clean, "LAYERKIT_BACKEND": "torch", **env}, timeout=120,
                         check=True).stdout.split()
    return out[0] == "True", int(out[1])


def test_freed_activations_are_reused_without_page_faults():
    kept, faults = _probe()
    assert kept
    assert faults < 500           # 19 x 40 MB would be about 186,000 faults of 4 KiB


def test_opting_out_leaves_malloc_as_it_is():
    kept, faults = _probe(LAYERKIT_KEEP_FREED_MEMORY="0")
    assert not kept
    assert faults > 100_000       # every round maps and faults its 40 MB again


def test_glibcs_own_settings_win():
    kept, _ = _probe(MALLOC_TRIM_THRESHOLD_="131072")
    assert not kept
