"""Masks through layers and graphs (Masking, Lambda, merges, nested models), compared with
the real Keras 3: the same outputs and the same masks, eager and in models."""
import warnings

import numpy as np
import pytest

import layerkit as lk
from layerkit import engine, layers, ops
from layerkit.engine.common.masking import get_keras_mask


def to_np(x):
    return np.asarray(engine.convert_to_numpy(x))


def padded(batch=4, steps=5, features=3, seed=0):
    """Sequences whose trailing (and some inner) timesteps are all zeros."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    for i in range(batch):
        x[i, steps - 1 - i % 3:, :] = 0.0
    x[1, 1, :] = 0.0
    return x


def masked_mean_class(base, k_ops):
    """A layer whose output depends on the mask it receives (the mean over the
    unmasked timesteps), written once for layerkit and once for Keras."""
    class MaskedMean(base):
        def call(self, inputs, mask=None):
            if mask is None:
                return k_ops.mean(inputs, axis=1)
            w = k_ops.expand_dims(k_ops.cast(mask, inputs.dtype), -1)
            return k_ops.sum(inputs * w, axis=1) / k_ops.maximum(k_ops.sum(w, axis=1), 1.0)

        def compute_mask(self, inputs, mask=None):
            return None    # the time axis is gone
    return MaskedMean


def keras_mask(keras, x):
    from keras.src import backend as keras_backend
    m = keras_backend.get_keras_mask(x)
    return None if m is None else np.asarray(m)


def same_weights(ours, theirs):
    theirs.set_weights(ours.get_weights())


# --- layers -------------------------------------------------------------------
def test_masking_output_and_mask_match_keras(keras_oracle):
    x = padded()
    ours, theirs = layers.Masking(), keras_oracle.layers.Masking()
    y = ours(x)
    np.testing.assert_allclose(to_np(y), np.asarray(theirs(x)), atol=1e-7)
    expected = np.any(x != 0, axis=-1)
    np.testing.assert_array_equal(to_np(ours.compute_mask(x)), expected)
    np.testing.assert_array_equal(to_np(ours.compute_mask(x)),
                                  np.asarray(theirs.compute_mask(x)))
    # An eager call attaches the mask to its output, and the next layer passes it on.
    np.testing.assert_array_equal(to_np(get_keras_mask(y)), expected)
    z = layers.Dense(2)(y)
    np.testing.assert_array_equal(to_np(get_keras_mask(z)), expected)
    sym = layers.Masking()(lk.Input((5, 3)))
    assert sym._keras_mask.shape == (None, 5) and sym._keras_mask.dtype == "bool"


def test_supports_masking_flags_match_keras(keras_oracle):
    pairs = [("Dense", (2,)), ("Activation", ("relu",)), ("Dropout", (0.1,)),
             ("Flatten", ()), ("Reshape", ((15,),)), ("Permute", ((2, 1),)),
             ("RepeatVector", (2,)), ("Identity", ()), ("ActivityRegularization", ()),
             ("Masking", ()), ("Add", ()), ("Concatenate", ()), ("Dot", (1,)), ("ReLU", ()),
             ("Softmax", ()), ("LeakyReLU", ()), ("ELU", ()), ("PReLU", ())]
    for name, args in pairs:
        ours = getattr(layers, name)(*args).supports_masking
        theirs = getattr(keras_oracle.layers, name)(*args).supports_masking
        assert ours == theirs, name
    assert not layers.Lambda(lambda t: t).supports_masking
    assert layers.Lambda(lambda t: t, mask=lambda i, m: m).supports_masking

    class WithMask(layers.Layer):
        def compute_mask(self, inputs, mask=None):
            return mask
    assert WithMask().supports_masking and not layers.Layer().supports_masking


@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_mask_reaches_a_downstream_mask_argument(kind, keras_oracle):
    x = padded()

    def build(lib):
        mean = masked_mean_class(lib.layers.Layer, lib.ops)
        stack = [lib.layers.Masking(), lib.layers.Dense(4, activation="tanh"),
                 lib.layers.Activation("relu"), lib.layers.Dropout(0.5), mean()]
        if kind == "sequential":
            return lib.Sequential([lib.Input((5, 3))] + stack)
        inp = h = lib.Input((5, 3))
        for layer in stack:
            h = layer(h)
        return lib.Model(inp, h)

    ours, theirs = build(lk), build(keras_oracle)
    same_weights(ours, theirs)
    expected = np.asarray(theirs(x))
    np.testing.assert_allclose(to_np(ours(x)), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    # Without the mask the mean would run over the padding too.
    unmasked = np.tanh(x @ ours.get_weights()[0] + ours.get_weights()[1])
    assert not np.allclose(to_np(ours(x)), np.maximum(unmasked, 0).mean(axis=1), atol=1e-3)


def test_model_output_mask_and_compute_mask(keras_oracle):
    x = padded()
    inp = lk.Input((5, 3))
    model = lk.Model(inp, layers.Dense(2)(layers.Masking()(inp)))
    k_inp = keras_oracle.Input((5, 3))
    k_model = keras_oracle.Model(
        k_inp, keras_oracle.layers.Dense(2)(keras_oracle.layers.Masking()(k_inp)))
    same_weights(model, k_model)
    out = model(x)
    np.testing.assert_array_equal(to_np(get_keras_mask(out)), keras_mask(keras_oracle, k_model(x)))
    np.testing.assert_array_equal(to_np(model.compute_mask(x)), np.any(x != 0, axis=-1))
    assert model.outputs[0]._keras_mask is not None


def test_explicit_mask_argument_and_masked_inputs(keras_oracle):
    x = padded()
    mask = np.array([[True, False, True, True, False]] * 4)
    mean = masked_mean_class(layers.Layer, ops)()
    k_mean = masked_mean_class(keras_oracle.layers.Layer, keras_oracle.ops)()
    np.testing.assert_allclose(to_np(mean(x, mask=mask)), np.asarray(k_mean(x, mask=mask)),
                               rtol=1e-6)
    # A mask passed to a model reaches its layers.
    inp = lk.Input((5, 3))
    model = lk.Model(inp, masked_mean_class(layers.Layer, ops)()(inp))
    np.testing.assert_allclose(to_np(model(x, mask=mask)), np.asarray(k_mean(x, mask=mask)),
                               rtol=1e-6)
    np.testing.assert_allclose(to_np(model(x)), x.mean(axis=1), rtol=1e-5, atol=1e-6)
    # A symbolic mask given by keyword is a graph input of the node.
    m_in = lk.Input((5,), dtype="bool")
    out = masked_mean_class(layers.Layer, ops)()(inp, mask=m_in)
    graph = lk.Model([inp, m_in], out)
    np.testing.assert_allclose(to_np(graph([x, mask])), np.asarray(k_mean(x, mask=mask)),
                               rtol=1e-6)


# --- Lambda ---------------------------------------------------------------------
def test_lambda_mask_argument_and_mask_function(keras_oracle):
    x = padded()

    def build(lib):
        mean = masked_mean_class(lib.layers.Layer, lib.ops)
        inp = lib.Input((5, 3))
        h = lib.layers.Masking()(inp)
        # A function that takes the mask sees it; `mask=` gives the output mask.
        h = lib.layers.Lambda(lambda t, mask: t * 2.0 + lib.ops.expand_dims(
            lib.ops.cast(mask, "float32"), -1), mask=lambda i, m: m, output_shape=(5, 3))(h)
        shifted = lib.layers.Lambda(
            lambda t: t, mask=lambda i, m: lib.ops.logical_and(
                m, lib.ops.any(lib.ops.not_equal(i, 2.0), axis=-1)))(h)
        return lib.Model(inp, [mean()(h), mean()(shifted)])

    ours, theirs = build(lk), build(keras_oracle)
    for a, b in zip(ours(x), theirs(x)):
        np.testing.assert_allclose(to_np(a), np.asarray(b), rtol=1e-6, atol=1e-6)


def test_layer_without_mask_support_drops_the_mask_with_keras_warning(keras_oracle):
    x = padded()
    inp = lk.Input((5, 3))
    with pytest.warns(UserWarning, match=r"Layer 'flat' \(of type Flatten\) was passed an "
                                         r"input with a mask attached to it.*Downstream "
                                         r"layers will not see the mask"):
        flat = layers.Flatten(name="flat")(layers.Masking()(inp))
    assert flat._keras_mask is None
    k_inp = keras_oracle.Input((5, 3))
    with pytest.warns(UserWarning, match="does not support masking"):
        keras_oracle.layers.Flatten()(keras_oracle.layers.Masking()(k_inp))
    with pytest.warns(UserWarning, match="Lambda"):
        dropped = layers.Lambda(lambda t: t)(layers.Masking()(inp))
    model = lk.Model(inp, masked_mean_class(layers.Layer, ops)()(dropped))
    with pytest.warns(UserWarning, match="Lambda"):     # at run time too, as Keras
        np.testing.assert_allclose(to_np(model(x)), x.mean(axis=1), rtol=1e-5, atol=1e-6)
    # Ops on symbolic tensors drop masks without a warning, as Keras's ops do.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (layers.Masking()(inp) * 2.0)._keras_mask is None


def test_mask_keyword_for_a_layer_that_takes_none_raises(keras_oracle):
    x = padded()
    mask = np.ones((4, 5), dtype=bool)
    for call in (lambda: layers.Flatten(name="flt")(x, mask=mask),
                 lambda: layers.Dense(2, name="dns")(lk.Input((5, 3)), mask=lk.Input((5,)))):
        with pytest.raises(TypeError, match=r'Layer "(flt|dns)".*`mask` argument.*takes no '
                                            r"`mask`"):
            call()
    with pytest.raises(TypeError, match="mask"):
        keras_oracle.layers.Flatten()(x, mask=mask)


# --- merges ---------------------------------------------------------------------
MERGES = [("Add", {}), ("Subtract", {}), ("Multiply", {}), ("Average", {}),
          ("Maximum", {}), ("Minimum", {}), ("Concatenate", {"axis": -1}),
          ("Concatenate", {"axis": 1}), ("Dot", {"axes": 2})]


@pytest.mark.parametrize("name,kwargs", MERGES)
@pytest.mark.parametrize("masked", ["both", "first"])
def test_merge_outputs_and_masks_match_keras(name, kwargs, masked, keras_oracle):
    a, b = padded(seed=1), padded(seed=2)
    b[:, 0, :] = 0.0

    def run(lib):
        mean = masked_mean_class(lib.layers.Layer, lib.ops)
        in_a, in_b = lib.Input((5, 3)), lib.Input((5, 3))
        h_a = lib.layers.Masking()(in_a)
        h_b = lib.layers.Masking()(in_b) if masked == "both" else in_b
        merged = getattr(lib.layers, name)(**kwargs)([h_a, h_b])
        if name == "Dot":
            return [lib.Model([in_a, in_b], merged)([a, b])]
        return lib.Model([in_a, in_b], [merged, mean()(merged)])([a, b])

    ours, theirs = run(lk), run(keras_oracle)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(to_np(o), np.asarray(t), rtol=1e-5, atol=1e-6)
    expected_mask = keras_mask(keras_oracle, theirs[0])
    got = get_keras_mask(ours[0])
    if expected_mask is None:
        assert got is None
    else:
        np.testing.assert_array_equal(to_np(got), expected_mask)


def test_eager_merge_of_masked_tensors_matches_keras(keras_oracle):
    a, b = padded(seed=3), padded(seed=4)
    a_m, b_m = layers.Masking()(a), layers.Masking()(b)
    k_a, k_b = keras_oracle.layers.Masking()(a), keras_oracle.layers.Masking()(b)
    for name in ("Maximum", "Multiply", "Concatenate"):
        out = getattr(layers, name)()([a_m, b_m])
        k_out = getattr(keras_oracle.layers, name)()([k_a, k_b])
        np.testing.assert_allclose(to_np(out), np.asarray(k_out), rtol=1e-6)
        np.testing.assert_array_equal(to_np(get_keras_mask(out)), keras_mask(keras_oracle, k_out))
    m1, m2 = np.any(a != 0, axis=-1), np.any(b != 0, axis=-1)
    for name, kwargs in MERGES:
        for masks in ([m1, m2], [m1, None], [None, None]):
            ours = getattr(layers, name)(**kwargs).compute_mask([a, b], masks)
            theirs = getattr(keras_oracle.layers, name)(**kwargs).compute_mask([a, b], masks)
            if theirs is None:
                assert ours is None, name
            else:
                np.testing.assert_array_equal(to_np(ours), np.asarray(theirs), err_msg=name)
    merge = layers.Add(name="add_m")
    with pytest.raises(ValueError, match=r'"add_m".*same length'):
        merge.compute_mask([a, b], [None])


# --- nested models ----------------------------------------------------------------
def test_nested_model_passes_its_output_mask_on(keras_oracle):
    x = padded()

    def build(lib):
        mean = masked_mean_class(lib.layers.Layer, lib.ops)
        inner_in = lib.Input((5, 3))
        inner = lib.Model(inner_in, lib.layers.Dense(4)(lib.layers.Masking()(inner_in)))
        outer_in = lib.Input((5, 3))
        h = lib.layers.Dense(2)(inner(outer_in))
        return lib.Model(outer_in, mean()(h)), lib.Model(outer_in, h), inner

    ours, ours_seq, inner = build(lk)
    theirs, theirs_seq, _ = build(keras_oracle)
    same_weights(ours, theirs)
    np.testing.assert_allclose(to_np(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(to_np(get_keras_mask(ours_seq(x))),
                                  keras_mask(keras_oracle, theirs_seq(x)))
    # The graph knows the nested output is masked (Keras 3 keeps no spec there).
    assert ours_seq.outputs[0]._keras_mask is not None
    seq = lk.Sequential([lk.Input((5, 3)), inner, layers.Dense(2),
                         masked_mean_class(layers.Layer, ops)()])
    seq.set_weights(ours.get_weights())
    np.testing.assert_allclose(to_np(seq(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)


def test_subclassed_model_sees_masks_of_eager_calls(keras_oracle):
    x = padded()

    def build(lib):
        mean = masked_mean_class(lib.layers.Layer, lib.ops)

        class Net(lib.Model):
            def __init__(self):
                super().__init__()
                self.masking = lib.layers.Masking()
                self.dense = lib.layers.Dense(3)
                self.mean = mean()

            def call(self, inputs):
                return self.mean(self.dense(self.masking(inputs)))
        return Net()

    ours, theirs = build(lk), build(keras_oracle)
    ours(x), theirs(x)
    same_weights(ours, theirs)
    np.testing.assert_allclose(to_np(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)
