"""Micro-benchmark: one optimizer update for the seed MLP's variables.

Times layerkit's SGD (momentum 0.9, Nesterov) and Adam on the current engine
(LAYERKIT_BACKEND) against the engine's own optimizers:

- torch: layerkit `apply` called eagerly (as the torch trainer does) vs
  `torch.optim.SGD/Adam(...).step()` with foreach=False and foreach=True;
- jax: layerkit's update run through a StatelessScope inside `jax.jit` (as the JAX
  trainer does) vs the same update written in optax, jitted; both with donated state.

Prints the median µs per update over many repeats and the ratio to each baseline.
Both sides run single-threaded by default (--threads): an update of 6k parameters
gains nothing from intra-op threads, and on a busy machine their barriers add
millisecond stalls that swamp the figures.

    LAYERKIT_BACKEND=torch python benchmarks/bench_optimizer_update.py
    LAYERKIT_BACKEND=jax   python benchmarks/bench_optimizer_update.py [--repeats 2000]
"""
import argparse
import os
import statistics
import time

import numpy as np

layerkit = backend = optimizers = None  # imported in main(), after the thread settings

SHAPES = [(20, 64), (64,), (64, 64), (64,), (64, 10), (10,)]
LR_SGD, MOMENTUM = 0.01, 0.9
LR_ADAM = 0.001


def _data(seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype("float32") * 0.1 for s in SHAPES]
    grads = [rng.standard_normal(s).astype("float32") * 0.01 for s in SHAPES]
    return params, grads


def _interleaved_medians(contenders, repeats, warmup, rounds=20):
    """Median µs per call of each `(fn, sync)` in `contenders`, timed in interleaved
    rounds so that a change in machine load hits every contender alike."""
    for fn, sync in contenders.values():
        for _ in range(warmup):
            fn()
        sync()
    times = {name: [] for name in contenders}
    per_round = max(1, repeats // rounds)
    for _ in range(rounds):
        for name, (fn, sync) in contenders.items():
            for _ in range(per_round):
                t0 = time.perf_counter()
                fn()
                sync()
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) * 1e6 for name, ts in times.items()}


def _layerkit_optimizer(kind):
    if kind == "sgd":
        return optimizers.SGD(learning_rate=LR_SGD, momentum=MOMENTUM, nesterov=True)
    return optimizers.Adam(learning_rate=LR_ADAM)


# --- torch -------------------------------------------------------------------------
def bench_torch(repeats, warmup, threads):
    import torch
    torch.set_num_threads(threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    params_np, grads_np = _data()
    results = {}
    for kind in ("sgd", "adam"):
        contenders = {}
        # layerkit, as the trainer calls it.
        opt = _layerkit_optimizer(kind)
        variables = [engine.Variable(p.copy()) for p in params_np]
        grads = [engine.convert_to_tensor(g) for g in grads_np]
        opt.build(variables)

        def lk_step():
            with torch.no_grad():
                opt.apply(grads, variables)
        contenders["layerkit"] = (lk_step, sync)

        for foreach in (False, True):
            params = [torch.nn.Parameter(torch.tensor(p, device=device)) for p in params_np]
            for p, g in zip(params, grads_np):
                p.grad = torch.tensor(g, device=device)
            if kind == "sgd":
                topt = torch.optim.SGD(params, lr=LR_SGD, momentum=MOMENTUM, nesterov=True,
                                       foreach=foreach)
            else:
                topt = torch.optim.Adam(params, lr=LR_ADAM, eps=1e-7, foreach=foreach)
            contenders[f"torch.optim foreach={foreach}"] = (topt.step, sync)
        for name, us in _interleaved_medians(contenders, repeats, warmup).items():
            results[(kind, name)] = us
    return f"torch {torch.__version__} on {device}", results


# --- jax ---------------------------------------------------------------------------
def bench_jax(repeats, warmup, threads):
    import jax
    import jax.numpy as jnp
    import optax
    params_np, grads_np = _data()
    results = {}
    for kind in ("sgd", "adam"):
        contenders = {}
        opt = _layerkit_optimizer(kind)
        variables = [engine.Variable(p.copy()) for p in params_np]
        opt.build(variables)
        opt_vars = opt.variables

        def lk_update(tv, ov, g):
            mapping = list(zip(variables, tv)) + list(zip(opt_vars, ov))
            with engine.StatelessScope(state_mapping=mapping) as scope:
                opt.apply(g, variables)
            return ([scope.get_current_value(v) for v in variables],
                    [scope.get_current_value(v) for v in opt_vars])

        lk_jit = jax.jit(lk_update, donate_argnums=(0, 1))
        state = {"tv": [jnp.asarray(p) for p in params_np],
                 "ov": [jnp.copy(v.value) for v in opt_vars]}
        grads = [jnp.asarray(g) for g in grads_np]

        def lk_step():
            state["tv"], state["ov"] = lk_jit(state["tv"], state["ov"], grads)

        contenders["layerkit (jit)"] = (lk_step, lambda: jax.block_until_ready(state["tv"]))

        if kind == "sgd":
            tx = optax.sgd(LR_SGD, momentum=MOMENTUM, nesterov=True)
        else:
            tx = optax.adam(LR_ADAM, eps=1e-7)

        def ox_update(params, opt_state, g):
            updates, opt_state = tx.update(g, opt_state, params)
            return optax.apply_updates(params, updates), opt_state

        ox_jit = jax.jit(ox_update, donate_argnums=(0, 1))
        params = [jnp.asarray(p) for p in params_np]
        ostate = {"p": params, "s": tx.init(params)}

        def ox_step():
            ostate["p"], ostate["s"] = ox_jit(ostate["p"], ostate["s"], grads)

        contenders["optax (jit)"] = (ox_step, lambda: jax.block_until_ready(ostate["p"]))
        for name, us in _interleaved_medians(contenders, repeats, warmup).items():
            results[(kind, name)] = us

        # For information: layerkit's update called eagerly op by op (not how training runs).
        eager_vars = [engine.Variable(p.copy()) for p in params_np]
        eager_opt = _layerkit_optimizer(kind)
        eager_opt.build(eager_vars)
        eager = (lambda: eager_opt.apply(grads, eager_vars),
                 lambda: jax.block_until_ready(eager_vars[0].value))
        results[(kind, "layerkit (eager, info)")] = _interleaved_medians(
            {"eager": eager}, max(50, repeats // 20), 5, rounds=1)["eager"]
    return f"jax {jax.__version__} on {jax.devices()[0].platform}", results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1,
                        help="intra-op threads for both sides (default 1)")
    args = parser.parse_args()
    if args.threads == 1 and "XLA_FLAGS" not in os.environ:
        os.environ["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")
    global layerkit, backend, optimizers
    import layerkit
    from layerkit import engine, optimizers
    engine = engine.backend()
    runner = bench_torch if engine == "torch" else bench_jax
    where, results = runner(args.repeats, args.warmup, args.threads)
    n_params = sum(int(np.prod(s)) for s in SHAPES)
    print(f"layerkit {layerkit.__version__}, engine {engine}: {where}; "
          f"{len(SHAPES)} variables, {n_params} parameters; median of {args.repeats} updates, {args.threads} thread(s)")
    for kind in ("sgd", "adam"):
        title = "SGD(momentum=0.9, nesterov=True)" if kind == "sgd" else "Adam"
        rows = {name: us for (k, name), us in results.items() if k == kind}
        ours = next(us for name, us in rows.items() if name.startswith("layerkit ("
                    + ("jit" if engine == "jax" else "")) or name == "layerkit")
        print(f"\n{title}")
        for name, us in rows.items():
            ratio = "" if name.startswith("layerkit") else f"   layerkit / this = {ours / us:5.2f}x"
            print(f"  {name:28s} {us:9.1f} µs/update{ratio}")


if __name__ == "__main__":
    main()
