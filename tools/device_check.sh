#!/usr/bin/env bash
# One prepared GPU check (run on a lent accelerator machine, whose python3 has
# jax and torch with CUDA): a slice of the test suite and the MLP benchmark on
# both engines. Results go to $OUT (or ./device_out). Wheels for packages the
# machine lacks (google-crc32c) travel in .whl/.
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-device_out}; mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD"
nvidia-smi -L | tee "$OUT/gpu.txt"
python3 -c "import jax, torch; print('jax', jax.__version__, jax.devices()); print('torch', torch.__version__, torch.cuda.get_device_name(0))" | tee -a "$OUT/gpu.txt"
TESTS="tests/unit/training tests/unit/models tests/unit/layers tests/unit/test_losses.py tests/unit/optimizers tests/integration tests/unit/backend"
for e in jax torch; do
  LAYERKIT_BACKEND=$e timeout ${TEST_TIMEOUT:-170} python3 -m pytest -q -p no:cacheprovider -W ignore $TESTS 2>&1 | tail -25 > "$OUT/tests_$e.log"
  tail -3 "$OUT/tests_$e.log"
done
for e in jax torch; do
  LAYERKIT_BACKEND=$e timeout ${BENCH_TIMEOUT:-100} python3 benchmarks/bench_mlp.py --repeats 5 --no-keras 2>&1 | tail -8 | tee "$OUT/bench_$e.log"
done
