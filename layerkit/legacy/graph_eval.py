"""Evaluating symbolic tensors outside a Model: the machinery behind K.function and
K.gradients.

A plan is made once per K.function: the layer calls (graph nodes) and gradient
records needed to go from the fed tensors to the outputs, in dependency order. It
runs as one function of (fed values, variable values) under a StatelessScope, so on
JAX the whole evaluation is traced once by `jit`, exactly like the trainer's step.

A gradient record (one K.gradients call) is evaluated by the engine's
`value_and_grad` over a function that re-runs the part of the graph between the
sources and the loss: a tensor source is a free input there (the graph above it is
cut), a Variable source is substituted through the StatelessScope. Everything the
loss needs that does not depend on a source is reused from the outer evaluation, and
what the gradient pass computes is reused by the outputs, so a Dropout mask is drawn
once for both.
"""
from layerkit import engine as _engine
from layerkit import ops
from layerkit.engine.common.stateless_scope import StatelessScope, get_stateless_scope
from layerkit.engine.common.symbolic_tensor import SymbolicTensor
from layerkit.engine.common.variables import Variable
from layerkit.layers.call_context import CALL_CONTEXT
from layerkit.utils.tree import flatten, map_structure


def _is_float(dtype):
    return "float" in str(dtype)


def _describe(t):
    return f"{t.name or 'tensor'} (shape {t.shape})"


# --- which variables a layer reads ----------------------------------------------
def owned_variable_ids(layer, cache):
    """ids of the Variables of `layer` and its sublayers (what a call may read)."""
    found = cache.get(id(layer))
    if found is None:
        found = {id(v) for sub in layer._flatten_layers() for v in sub._own_variables}
        cache[id(layer)] = found
    return found


def state_variables(layers):
    """The Variables and seed states (on engines that keep them in Variables) that
    calls of `layers` read; they are passed in explicitly so a compiled evaluation
    sees their current values."""
    out, seen = [], set()
    for layer in layers:
        for sub in layer._flatten_layers():
            candidates = list(sub._own_variables) + [g.state for g in sub._seed_generators]
            for v in candidates:
                if isinstance(v, Variable) and id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
    return out


def seed_variables(layers):
    out = []
    for layer in layers:
        for g in layer.seed_generators:
            if isinstance(g.state, Variable) and all(g.state is not v for v in out):
                out.append(g.state)
    return out


# --- scheduling ---------------------------------------------------------------------
def _producer(t, who):
    if t._gradient is not None:
        return t._gradient[0]
    if t._history is None:
        raise ValueError(f"{who}: the tensor {_describe(t)} was not made by Input(), "
                         "K.placeholder() or a layer call, and it is not among the inputs.")
    layer, node_index, _ = t._history
    return layer._inbound_nodes[node_index]


def _dependencies(step):
    if isinstance(step, GradientRecord):
        return [s for s, out in zip(step.sources, step.outputs)
                if out is not None and isinstance(s, SymbolicTensor)]
    return step.input_tensors


def _outputs_of(step):
    if isinstance(step, GradientRecord):
        return [t for t in step.outputs if t is not None]
    return step.output_tensors


def schedule(targets, known, who):
    """The nodes and gradient records that compute `targets` from the tensors whose ids
    are in `known`, parents first."""
    order, done, ready = [], set(), set(known)
    stack = [(t, False) for t in reversed(targets)]
    while stack:
        item, expanded = stack.pop()
        if isinstance(item, SymbolicTensor):
            if id(item) in ready:
                continue
            producer = _producer(item, who)
            if not isinstance(producer, GradientRecord) and producer.is_input:
                raise ValueError(
                    f"{who}: the outputs need the input {_describe(item)}, which is not "
                    "among the inputs. Add it to the inputs list.")
            stack.append((producer, False))
            continue
        if id(item) in done:
            continue
        if expanded:
            done.add(id(item))
            order.append(item)
            ready.update(id(t) for t in _outputs_of(item))
            continue
        stack.append((item, True))
        stack.extend((t, False) for t in reversed(_dependencies(item)) if id(t) not in ready)
    return order


def run_node(node, cache):
    if all(id(t) in cache for t in node.output_tensors):
        return  # already computed by a gradient pass
    args, kwargs = node.call_args, node.call_kwargs
    if len(args) == 1 and not kwargs and isinstance(args[0], SymbolicTensor):
        out = node.layer(cache[id(args[0])])
    else:
        fetch = lambda v: cache[id(v)] if isinstance(v, SymbolicTensor) else v
        out = node.layer(*map_structure(fetch, args), **map_structure(fetch, kwargs))
    for t, value in zip(node.output_tensors, flatten(out)):
        cache[id(t)] = value


# --- gradients ------------------------------------------------------------------------
class GradientRecord:
    """One K.gradients(loss, sources) call. `outputs[i]` is the symbolic gradient of the
    summed loss with respect to `sources[i]`, or None where the loss does not depend on
    that source (as tf.gradients)."""

    def __init__(self, losses, sources):
        self.losses = list(losses)
        self.sources = list(sources)
        tensor_ids, variable_ids = _ancestry(self.losses)
        self.outputs = []
        for i, s in enumerate(self.sources):
            connected = _is_float(s.dtype) and (
                id(s) in tensor_ids if isinstance(s, SymbolicTensor) else id(s) in variable_ids)
            if not connected:
                self.outputs.append(None)
                continue
            out = SymbolicTensor(s.shape, s.dtype, name=f"gradients_{i}")
            out._gradient = (self, i)
            self.outputs.append(out)


def _ancestry(losses):
    """ids of every tensor the losses are computed from, and of every Variable that a
    layer on the way owns."""
    tensors, variables, owned, seen_nodes = set(), set(), {}, set()
    stack = list(losses)
    while stack:
        t = stack.pop()
        if id(t) in tensors:
            continue
        tensors.add(id(t))
        if t._gradient is not None:
            raise NotImplementedError(
                "K.gradients: the loss depends on the result of another K.gradients call "
                "(a second-order gradient); layerkit computes first-order gradients only.")
        if t._history is None:
            continue
        layer, node_index, _ = t._history
        node = layer._inbound_nodes[node_index]
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        variables |= owned_variable_ids(layer, owned)
        stack.extend(node.input_tensors)
    return tensors, variables


class _GroupPlan:
    """One pass of the engine's value_and_grad for some of a record's sources."""

    def __init__(self, record, indices, steps, reuse, produced):
        self.record = record
        self.tensor_sources = [(record.sources[i], record.outputs[i]) for i in indices
                               if isinstance(record.sources[i], SymbolicTensor)]
        self.variable_sources = [(record.sources[i], record.outputs[i]) for i in indices
                                 if not isinstance(record.sources[i], SymbolicTensor)]
        self.steps = steps
        self.reuse = reuse
        self.produced = produced


def plan_gradient(record, available, feeds, who, owned):
    """The passes that evaluate `record` once the tensors in `available` are computed.

    Sources are differentiated in one pass unless one lies downstream of another
    (then each tensor source gets its own pass, so every gradient is the total one, as
    in tf.gradients)."""
    indices = [i for i, out in enumerate(record.outputs) if out is not None]
    full = schedule(record.losses, feeds, who)

    def dirty_ids(group):
        tensor_ids = {id(record.sources[i]) for i in group
                      if isinstance(record.sources[i], SymbolicTensor)}
        variable_ids = {id(record.sources[i]) for i in group
                        if not isinstance(record.sources[i], SymbolicTensor)}
        dirty = set()
        for node in full:
            if (variable_ids & owned_variable_ids(node.layer, owned)) or any(
                    id(t) in tensor_ids or id(t) in dirty for t in node.input_tensors):
                dirty.update(id(t) for t in node.output_tensors)
        return dirty, tensor_ids

    all_dirty, _ = dirty_ids(indices)
    tensor_indices = [i for i in indices if isinstance(record.sources[i], SymbolicTensor)]
    if any(id(record.sources[i]) in all_dirty for i in tensor_indices):
        variable_indices = [i for i in indices if i not in tensor_indices]
        groups = ([variable_indices] if variable_indices else []) + \
            [[i] for i in tensor_indices]
    else:
        groups = [indices]
    plans = []
    for group in groups:
        dirty, tensor_ids = dirty_ids(group)
        known = (available - dirty) | tensor_ids
        steps = schedule(record.losses, known, who)
        consumed = {id(t) for step in steps for t in step.input_tensors}
        consumed.update(id(t) for t in record.losses)
        reuse = [k for k in consumed if k in known and k not in tensor_ids]
        produced = [id(t) for step in steps for t in step.output_tensors]
        plans.append(_GroupPlan(record, group, steps, reuse, produced))
    return plans


def run_gradient(plans, cache, state):
    """Evaluates a record's passes into `cache`; `state` lists the Variables mapped by
    the surrounding scope."""
    outer = get_stateless_scope()
    for plan in plans:
        t_sources = [s for s, _ in plan.tensor_sources]
        v_sources = [v for v, _ in plan.variable_sources]
        outer_state = [(v, v.value) for v in state]
        base = {k: cache[k] for k in plan.reuse}

        def loss_fn(t_values, v_values, plan=plan, t_sources=t_sources,
                    v_sources=v_sources, outer_state=outer_state, base=base):
            mapping = outer_state + list(zip(v_sources, v_values))
            given = {id(v): value for v, value in mapping}
            with StatelessScope(mapping, collect_losses=True) as scope:
                local = dict(base)
                local.update((id(s), v) for s, v in zip(t_sources, t_values))
                for node in plan.steps:
                    run_node(node, local)
                total = None
                for loss in plan.record.losses:
                    part = ops.sum(ops.cast(local[id(loss)], "float32"))
                    total = part if total is None else total + part
            # What the pass assigned (a seed advanced by Dropout), for the outer scope.
            updates = []
            for v, _ in outer_state:
                new = scope.get_current_value(v)
                updates.append(None if new is given[id(v)] else new)
            return total, ({k: local[k] for k in plan.produced}, updates)

        (_, (produced, updates)), (t_grads, v_grads) = _engine.core.value_and_grad(
            loss_fn, argnums=(0, 1), has_aux=True)(
                [cache[id(s)] for s in t_sources], [v.value for v in v_sources])
        for k, value in produced.items():
            if k not in cache:
                cache[k] = ops.stop_gradient(value)
        for (v, _), new in zip(outer_state, updates):
            if new is not None and outer is not None:
                outer.add_update(v, ops.stop_gradient(new))
        for (_, out), g in zip(plan.tensor_sources + plan.variable_sources,
                               list(t_grads) + list(v_grads)):
            cache[id(out)] = g


# --- a whole evaluation -----------------------------------------------------------------
class Plan:
    """Everything K.function runs to compute `targets` (symbolic tensors or Variables)
    from the `feeds` (symbolic tensors)."""

    def __init__(self, feeds, targets, who):
        self.feeds = list(feeds)
        self.targets = list(targets)
        feed_ids = {id(t) for t in self.feeds}
        symbolic = [t for t in self.targets if isinstance(t, SymbolicTensor)]
        # Gradient records first: their passes compute (and share) what the other
        # outputs need.
        records = [s for s in schedule(symbolic, feed_ids, who)
                   if isinstance(s, GradientRecord)]
        firsts = [next(t for t in r.outputs if t is not None) for r in records]
        self.steps = schedule(firsts + symbolic, feed_ids, who)
        owned = {}
        self.gradient_plans = {}
        available = set(feed_ids)
        layers = []
        for step in self.steps:
            if isinstance(step, GradientRecord):
                plans = plan_gradient(step, available, feed_ids, who, owned)
                self.gradient_plans[id(step)] = plans
                for p in plans:
                    available.update(p.produced)
                    layers.extend(node.layer for node in p.steps)
            else:
                layers.append(step.layer)
            available.update(id(t) for t in _outputs_of(step))
        self.state = state_variables(layers)
        extra = [t for t in self.targets if isinstance(t, Variable)]
        for step in self.steps:
            if isinstance(step, GradientRecord):
                extra += [s for s in step.sources if isinstance(s, Variable)]
        for v in extra:
            if all(v is not s for s in self.state):
                self.state.append(v)
        self.seeds = seed_variables(layers)

    def run(self, feed_values, state_values, training):
        """(target values, new seed-state values): a pure function of its arguments."""
        CALL_CONTEXT.training.append(bool(training))
        CALL_CONTEXT.checked_graph += 1
        try:
            with StatelessScope(list(zip(self.state, state_values)),
                                collect_losses=True) as scope:
                cache = {id(t): v for t, v in zip(self.feeds, feed_values)}
                for step in self.steps:
                    if isinstance(step, GradientRecord):
                        run_gradient(self.gradient_plans[id(step)], cache, self.state)
                    else:
                        run_node(step, cache)
                outputs = [cache[id(t)] if isinstance(t, SymbolicTensor) else t.value
                           for t in self.targets]
                seeds = [scope.get_current_value(v) for v in self.seeds]
        finally:
            CALL_CONTEXT.checked_graph -= 1
            CALL_CONTEXT.training.pop()
        return outputs, seeds
