"""The seam's in-place list ops (add_, mul_, div_, addcmul_, sqrt_), which optimizer
updates use on their own temporaries: the same numbers as the out-of-place ops, and
the result is what later ops read, on every engine (PyTorch writes into the list it
is given, JAX returns new arrays)."""
import numpy as np

from layerkit import ops
from layerkit.engine import foreach as F

RNG = np.random.default_rng(3)


def lists():
    return [ops.convert_to_tensor(RNG.uniform(0.5, 2.0, size=s).astype("float32"))
            for s in ((3, 4), (5,))]


def close(a, b):
    for x, y in zip(a, b):
        np.testing.assert_allclose(ops.convert_to_numpy(x), ops.convert_to_numpy(y),
                                   rtol=1e-6)


def test_in_place_ops_match_the_out_of_place_ones():
    xs, ys, zs = lists(), lists(), lists()
    saved = [np.array(ops.convert_to_numpy(t)) for t in xs + ys + zs]
    lr = ops.convert_to_tensor(np.float32(0.01))
    expected = F.div(F.sqrt(F.add(F.addcmul(F.mul(xs, 0.9), ys, zs, value=0.1), 1e-7)), lr)
    expected = F.add(expected, ys, alpha=2.0)
    got = F.add_(F.div_(F.sqrt_(F.add_(F.addcmul_(F.mul(xs, 0.9), ys, zs, value=0.1),
                                       1e-7)), lr), ys, alpha=2.0)
    close(got, expected)
    # The lists the in-place ops did not own (the first F.mul's input, the operands)
    # are untouched.
    close(xs + ys + zs, saved)


def test_rmsprop_update_with_in_place_temporaries_matches_the_formula():
    from layerkit import Variable, optimizers
    value = RNG.normal(size=(4, 3)).astype("float32")
    grad = RNG.normal(size=(4, 3)).astype("float32")
    var = Variable(value)
    opt = optimizers.RMSprop(learning_rate=0.01, rho=0.8, epsilon=1e-7)
    before = np.array(value)
    for _ in range(2):
        opt.apply_gradients([(ops.convert_to_tensor(grad), var)])
    v = 0.2 * grad ** 2
    step1 = before - 0.01 * grad / np.sqrt(v + 1e-7)
    v = 0.8 * v + 0.2 * grad ** 2
    np.testing.assert_allclose(ops.convert_to_numpy(var.value),
                               step1 - 0.01 * grad / np.sqrt(v + 1e-7), rtol=1e-5, atol=1e-6)
