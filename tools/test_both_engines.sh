#!/usr/bin/env bash
# Installs layerkit with both engines and the test tools into .venv, then runs
# the whole test suite once per engine (the engine is fixed at import). -rs prints
# the reason of every skipped test; -n 2 runs the tests on two processes (pytest-xdist,
# in the dev extra): the suite holds many whole-program and Keras-oracle tests.
# tests/distributed (several processes, or several forced XLA CPU devices, per test)
# runs afterwards on its own, one test at a time: its collectives wait on peers, which
# must not compete with a second test worker for the same cores.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# torch==2.13.0 is the CPU build pip finds on these machines; see README.
.venv/bin/python -m pip install -q -e ".[jax,torch,dev]"
status=0
for engine in jax torch; do
  echo "=== LAYERKIT_BACKEND=$engine ==="
  if [ $# -gt 0 ]; then
    LAYERKIT_BACKEND=$engine .venv/bin/python -m pytest -q -n 2 -rs -p no:cacheprovider --durations=5 "$@" || status=$?
    continue
  fi
  LAYERKIT_BACKEND=$engine .venv/bin/python -m pytest -q -n 2 -rs -p no:cacheprovider --durations=5 \
    --ignore=tests/distributed || status=$?
  LAYERKIT_BACKEND=$engine .venv/bin/python -m pytest -q -rs -p no:cacheprovider --durations=5 \
    tests/distributed || status=$?
done
exit $status
