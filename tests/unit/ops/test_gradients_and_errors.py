"""Gradients of the new differentiable ops equal real Keras 3's (jax.grad through
keras.ops on the JAX backend) on both engines, and bad input raises an error that
names the op, the argument and what was received."""
import numpy as np
import pytest

from layerkit import engine, ops

RNG = np.random.default_rng(17)
F = RNG.normal(size=(3, 4)).astype("float32")
P = RNG.uniform(0.5, 2.0, size=(3, 4)).astype("float32")
SPD = (F.T @ F + 3 * np.eye(4)).astype("float32")
SIGNAL = RNG.normal(size=(2, 32)).astype("float32")
LOGITS = RNG.normal(size=(2, 6, 4)).astype("float32")
LABELS = np.array([[1, 2], [3, 3]], "int32")

# (id, f(ops, x) -> scalar-reducible tensor, input)
GRADIENT_CASES = [
    ("cbrt", lambda o, x: o.cbrt(x), P),
    ("rsqrt", lambda o, x: o.rsqrt(x), P),
    ("hypot", lambda o, x: o.hypot(x, 2.0 * x), F),
    ("normalize", lambda o, x: o.normalize(x, axis=0), F),
    ("rms_normalization", lambda o, x: o.rms_normalization(x), F),
    ("glu", lambda o, x: o.glu(x), F),
    ("sparsemax", lambda o, x: o.sparsemax(x * 2.0) * o.arange(4, dtype="float32"), F),
    ("celu", lambda o, x: o.celu(x), F),
    ("squareplus", lambda o, x: o.squareplus(x), F),
    ("nanmean", lambda o, x: o.nanmean(x, axis=1), F),
    ("median", lambda o, x: o.median(x, axis=1), F),
    ("logdet", lambda o, x: o.logdet(o.matmul(x, o.transpose(x)) + 3.0 * o.eye(3)), F),
    ("inv", lambda o, x: o.inv(o.matmul(o.transpose(x), x) + 3.0 * o.eye(4)), F),
    ("solve", lambda o, x: o.solve(SPD, x.T), F),
    ("cholesky", lambda o, x: o.cholesky(o.matmul(o.transpose(x), x) + 3.0 * o.eye(4)), F),
    ("stft", lambda o, x: o.stft(x, 8, 4, 8)[0] * 0.5 + o.stft(x, 8, 4, 8)[1], SIGNAL),
    ("segment_max", lambda o, x: o.segment_max(x, np.array([0, 1, 1], "int32"),
                                               num_segments=2), F),
    ("slice_update", lambda o, x: o.slice_update(x, (1, 0), x[:1] * 3.0), F),
    ("adaptive_max_pool", lambda o, x: o.adaptive_max_pool(x[None], 3), F),
    ("unfold", lambda o, x: o.unfold(x[None, None], 2) * 1.5, F),
    ("ctc_loss", lambda o, x: o.ctc_loss(LABELS, x, np.array([2, 2], "int32"),
                                         np.array([6, 4], "int32")), LOGITS),
    ("gaussian_blur", lambda o, x: o.image.gaussian_blur(x[None, :, :, None], (3, 3),
                                                         (1.0, 1.0), "channels_last"), F),
]


@pytest.mark.parametrize("fn,x", [c[1:] for c in GRADIENT_CASES],
                         ids=[c[0] for c in GRADIENT_CASES])
def test_gradient_matches_keras(keras_oracle, fn, x):
    import jax
    expected = np.asarray(jax.grad(lambda t: keras_oracle.ops.sum(fn(keras_oracle.ops, t)))(x))
    _, grad = engine.core.value_and_grad(lambda t: ops.sum(fn(ops, t)))(
        ops.convert_to_tensor(x))
    np.testing.assert_allclose(np.asarray(ops.convert_to_numpy(grad)), expected, rtol=1e-4,
                               atol=1e-4)


@pytest.mark.parametrize("call,pattern", [
    (lambda: ops.searchsorted(np.zeros((2, 2), "float32"), F), r"searchsorted.*1-D.*\(2, 2\)"),
    (lambda: ops.histogram(F), r"histogram.*1-D.*\(3, 4\)"),
    (lambda: ops.fft(F), r"fft.*tuple \(real, imaginary\)"),
    (lambda: ops.fft((F, F[:2])), r"fft.*same shape"),
    (lambda: ops.stft(np.zeros((2, 16), "int32"), 4, 2, 4), r"stft.*float32 or float64.*int32"),
    (lambda: ops.stft(SIGNAL, 8, 4, 4), r"stft.*fft_length \(4\).*sequence_length \(8\)"),
    (lambda: ops.normalize(F, order=0), r"normalize.*order.*int >= 1.*0"),
    (lambda: ops.glu(F[:, :3]), r"glu.*even size.*\(3, 3\)"),
    (lambda: ops.depth_to_space(F, 2), r"depth_to_space.*4-D.*\(3, 4\)"),
    (lambda: ops.space_to_depth(np.zeros((1, 3, 4, 1), "float32"), 2),
     r"space_to_depth.*divisible by block_size \(2\)"),
    (lambda: ops.adaptive_average_pool(F, (2, 2)), r"adaptive_average_pool.*3-D, 4-D or 5-D.*\(3, 4\)"),
    (lambda: ops.fold(np.zeros((1, 4, 5), "float32"), (4, 4), 2),
     r"fold.*does not hold the 9 blocks"),
    (lambda: ops.multi_hot(np.array([1, 2])), r"multi_hot.*num_classes"),
    (lambda: ops.image.rgb_to_grayscale(np.zeros((4, 4, 2), "float32")),
     r"rgb_to_grayscale.*3 \(RGB\) or 1.*\(4, 4, 2\)"),
    (lambda: ops.image.rgb_to_hsv(np.zeros((4, 4, 3), "int32")), r"rgb_to_hsv.*float.*int32"),
    (lambda: ops.image.extract_patches(F, 2), r"extract_patches.*rank 4.*\(3, 4\)"),
    (lambda: ops.image.map_coordinates(F, [F], 1), r"map_coordinates.*one entry per input"),
    (lambda: ops.image.map_coordinates(F, [F, F], 3), r"map_coordinates.*order.*0.*1.*3"),
    (lambda: ops.image.perspective_transform(np.zeros((4, 4, 3), "float32"),
                                             np.zeros((3, 2)), np.zeros((3, 2))),
     r"perspective_transform.*start_points.*\(4, 2\).*\(3, 2\)"),
    (lambda: ops.rearrange(F, "a b -> a c"), r"rearrange.*same axes"),
    (lambda: ops.rearrange(F, "(a b) c -> a b c"), r"rearrange.*all but one"),
    (lambda: ops.scatter_update(F, [[0, 0]], [1.0], reduction="avg"),
     r"scatter_update.*reduction.*'avg'"),
    (lambda: ops.cross(F, F), r"cross.*2 or 3 components.*4"),
    (lambda: ops.correlate(F[0], F[1], mode="middle"), r"correlate.*mode.*'middle'"),
    (lambda: ops.ctc_decode(np.zeros((1, 3, 4), "float32"), [3], strategy="beam"),
     r"ctc_decode.*strategy.*'beam'"),
    (lambda: ops.ctc_decode(np.zeros((1, 3, 4), "float32"), [3], strategy="beam_search",
                            beam_width=0), r"ctc_decode.*beam_width.*0"),
    (lambda: ops.ldexp(F, F), r"ldexp"),
    (lambda: ops.vectorize(lambda a: a, signature="(n)->()")(F, F), r"vectorize.*signature"),
])
def test_bad_input_is_named(call, pattern):
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=pattern):
        call()


def test_fold_gives_the_documented_output_size_when_blocks_stop_short():
    # Blocks of 2 with stride 2 cover columns 0..5 of 7: fold puts them back and leaves
    # column 6 zero (Keras 3.15 on JAX returns 6 columns here; PyTorch's fold gives 7).
    x = RNG.normal(size=(2, 3, 6, 7)).astype("float32")
    out = np.asarray(ops.convert_to_numpy(ops.fold(ops.unfold(x, 2, stride=2), (6, 7), 2,
                                                   stride=2)))
    expected = x.copy()
    expected[..., 6] = 0.0
    np.testing.assert_allclose(out, expected, rtol=1e-6)
