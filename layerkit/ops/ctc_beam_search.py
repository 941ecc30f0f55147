"""CTC prefix beam search, written once over `layerkit.ops` for every engine.

The search follows Keras 3's `ctc_decode(strategy="beam_search")`: each beam is a
label path (padded with -1) kept twice, once ending in a label ("emit") and once
ending in the blank ("masked"); each step extends every beam by every class, merges
candidates that spell the same path (log-sum-exp of their scores) and keeps the
`beam_width` best paths. Scores are log-probabilities of the softmaxed inputs.

Everything is batched: the batch and the candidates are tensor axes, the time steps
one `ops.scan`. Equal paths are found by sorting the candidates' rows
lexicographically (a stable sort per block of columns packed into an int32 key, last
block first), which is also the order Keras's `unique` gives them, so ties break as
in Keras. As Keras does, the classes are reversed before the search (so the stable
sorts break ties toward the higher class) and restored at the end.
"""
from layerkit.ops import control_flow as _flow
from layerkit.ops import nn as _nn
from layerkit.ops import numpy as _np

_PAD = -1
_INT32_MAX = 2 ** 31 - 1


def _gather_rows(x, index):
    """x (batch, rows, ...) at rows `index` (batch, k) of each batch item."""
    if len(x.shape) == 2:
        return _np.take_along_axis(x, index, axis=1)
    return _np.take_along_axis(x, _np.expand_dims(index, -1), axis=1)


def _block_keys(paths, num_classes):
    """int32 keys of the paths' column blocks (first block first): a block of k
    columns is its digits (label + 1, 0 for the padding) in base num_classes + 1."""
    base = num_classes + 1
    width = 1
    while base ** (width + 1) <= _INT32_MAX:
        width += 1
    digits = _np.add(paths, 1)
    steps = paths.shape[-1]
    keys = []
    for start in range(0, steps, width):
        block = digits[..., start:start + width]
        weights = _np.array([base ** p for p in range(block.shape[-1] - 1, -1, -1)], "int32")
        keys.append(_np.sum(_np.multiply(block, weights), axis=-1))
    return keys


def _unique_rows(paths, num_classes):
    """Keras's `unique(paths, axis=0, return_inverse=True, size=rows, fill_value=-1)`
    for each batch item: the distinct rows in lexicographic order (then rows of -1),
    and each row's index among them."""
    batch, rows = paths.shape[0], paths.shape[1]
    order = _np.broadcast_to(_np.arange(rows, dtype="int32"), (batch, rows))
    for key in reversed(_block_keys(paths, num_classes)):
        order = _np.take_along_axis(
            order, _np.argsort(_np.take_along_axis(key, order, axis=1), axis=1), axis=1)
    ordered = _gather_rows(paths, order)
    first = _np.any(_np.not_equal(ordered[:, 1:], ordered[:, :-1]), axis=-1)
    first = _np.concatenate([_np.ones((batch, 1), "bool"), first], axis=1)
    group = _np.subtract(_np.cumsum(_np.array(first, "int32"), axis=1), 1)
    inverse = _np.take_along_axis(group, _np.argsort(order, axis=1), axis=1)
    # The first row of each group, moved to the front in order.
    position = _np.arange(rows, dtype="int32")
    leaders = _np.argsort(_np.where(first, position, _np.add(position, rows)), axis=1)
    distinct = _np.less(position, _np.sum(_np.array(first, "int32"), axis=1, keepdims=True))
    unique = _np.where(_np.expand_dims(distinct, -1), _gather_rows(ordered, leaders), _PAD)
    return unique, inverse


def _merge_scores(inverse, scores):
    """Per batch item, log of the summed exp(scores) of the rows with the same
    `inverse` index, at that index (-inf where no row has it). As in Keras, the sum
    is shifted by the item's highest score."""
    batch, rows = scores.shape
    top = _np.max(scores, axis=1, keepdims=True)
    ids = _np.add(inverse, _np.expand_dims(_np.multiply(_np.arange(batch, dtype="int32"),
                                                        rows), 1))
    sums = _np.segment_sum(_np.reshape(_np.exp(_np.subtract(scores, top)), (-1,)),
                           _np.reshape(ids, (-1,)), num_segments=batch * rows)
    return _np.add(_np.log(_np.reshape(sums, (batch, rows))), top)


def _extend(paths, scores, masked, x, blank, num_classes):
    """Every beam followed by every class: (batch, beams * classes) candidates."""
    steps = paths.shape[-1]
    beams = paths.shape[1]
    tail = _np.argmax(_np.equal(paths, _PAD), axis=-1)               # first free slot
    last = _np.take_along_axis(paths, _np.expand_dims(_np.maximum(_np.subtract(tail, 1), 0),
                                                      -1), axis=2)[..., 0]
    last = _np.where(_np.equal(tail, 0), _PAD, last)
    classes = _np.arange(num_classes, dtype="int32")
    classes = _np.where(_np.equal(classes, blank), _PAD, classes)
    classes = _np.expand_dims(_np.tile(classes, beams), 0)          # (1, candidates)
    tail, last = _np.repeat(tail, num_classes, axis=1), _np.repeat(last, num_classes, axis=1)
    prev_masked = _np.repeat(masked, num_classes, axis=1)
    new_masked = _np.broadcast_to(_np.equal(classes, _PAD), prev_masked.shape)
    # A label equal to the path's last one, not after a blank, repeats it.
    repeat = _np.logical_and(_np.logical_not(prev_masked), _np.equal(last, classes))
    classes = _np.where(repeat, _PAD, classes)
    at_tail = _np.equal(_np.arange(steps, dtype="int32"), _np.expand_dims(tail, -1))
    paths = _np.where(at_tail, _np.expand_dims(classes, -1),
                      _np.repeat(paths, num_classes, axis=1))
    scores = _np.add(_np.repeat(scores, num_classes, axis=1), _np.tile(x, (1, beams)))
    return paths, scores, new_masked


def _prune(paths, scores, masked, beam_width, num_classes):
    """The `beam_width` best distinct paths, each as an emit and a masked beam."""
    paths, inverse = _unique_rows(paths, num_classes)
    neg = _np.full(scores.shape, float("-inf"), scores.dtype)
    emit = _merge_scores(inverse, _np.where(masked, neg, scores))
    blank = _merge_scores(inverse, _np.where(masked, scores, neg))
    best = _np.argsort(_np.logaddexp(emit, blank), axis=1)[:, -beam_width:]
    paths = _gather_rows(paths, best)
    scores = _np.concatenate([_gather_rows(emit, best), _gather_rows(blank, best)], axis=1)
    masked = _np.concatenate([_np.zeros(best.shape, "bool"), _np.ones(best.shape, "bool")],
                             axis=1)
    return _np.concatenate([paths, paths], axis=1), scores, _np.broadcast_to(masked,
                                                                           scores.shape)


def _start(first, blank, beam_width, steps):
    """Beams after the first step: the best min(classes, beam_width) classes."""
    batch, num_classes = first.shape
    count = min(num_classes, beam_width)
    best = _np.argsort(first, axis=1)[:, -count:]
    labels = _np.where(_np.equal(best, blank), _PAD, best)
    rest = 2 * beam_width - count
    head = _np.concatenate([labels, _np.full((batch, rest), _PAD, "int32")], axis=1)
    paths = _np.concatenate([_np.expand_dims(head, -1),
                             _np.full((batch, 2 * beam_width, steps - 1), _PAD, "int32")],
                            axis=2)
    scores = _np.concatenate([_np.take_along_axis(first, best, axis=1),
                              _np.full((batch, rest), float("-inf"), first.dtype)], axis=1)
    return paths, scores, _np.equal(head, _PAD)


def beam_search(inputs, sequence_lengths, beam_width, top_paths, mask_index):
    """(paths (top_paths, batch, steps) int32 padded with -1, log-probabilities
    (batch, top_paths)) of the best label sequences. `inputs` (batch, steps,
    classes) are float logits; mask_index None means the last class is the blank."""
    batch, steps, num_classes = inputs.shape
    if mask_index is None:
        mask_index = num_classes - 1
    # Reversed classes: see the module docstring.
    logits = _np.flip(_nn.log_softmax(inputs, axis=-1), axis=2)
    blank = num_classes - 1 - mask_index
    lengths = _np.array(sequence_lengths, "int32")
    state = _start(logits[:, 0], blank, beam_width, steps)

    def step(state, inputs):
        x, active = inputs
        paths, scores, masked = _extend(*state, x, blank, num_classes)
        new = _prune(paths, scores, masked, beam_width, num_classes)
        keep = _np.expand_dims(active, 1)
        return (_np.where(_np.expand_dims(keep, -1), new[0], state[0]),
                _np.where(keep, new[1], state[1]),
                _np.where(keep, new[2], state[2])), None

    if steps > 1:
        active = _np.less(_np.expand_dims(_np.arange(1, steps, dtype="int32"), 1),
                          _np.expand_dims(lengths, 0))
        state, _ = _flow.scan(step, state, (_np.transpose(logits[:, 1:], (1, 0, 2)), active))
    paths, scores, _ = state
    paths, inverse = _unique_rows(paths, num_classes)
    scores = _merge_scores(inverse, scores)
    best = _np.flip(_np.argsort(scores, axis=1)[:, -top_paths:], axis=1)
    paths, scores = _gather_rows(paths, best), _gather_rows(scores, best)
    paths = _np.where(_np.equal(paths, _PAD), _PAD, _np.subtract(num_classes - 1, paths))
    return _np.transpose(paths, (1, 0, 2)), scores
