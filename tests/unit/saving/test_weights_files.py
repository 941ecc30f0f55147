"""save_weights / load_weights: Keras 3's .weights.h5 and Keras 2's .h5 layouts,
by_name and skip_mismatch."""
import h5py
import numpy as np
import pytest

import layerkit
from layerkit import layers

from models_for_saving import compiled_conv_model, conv_data


def _mlp(units=(4, 2), names=("a", "b")):
    return layerkit.Sequential([layerkit.Input((3,))] +
                               [layers.Dense(u, name=n) for u, n in zip(units, names)])


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_weights_round_trip_into_a_fresh_model(tmp_path, name):
    model = compiled_conv_model(layerkit)
    x, y = conv_data(8)
    model.fit(x, y, verbose=0)
    model.save_weights(tmp_path / name)
    fresh = compiled_conv_model(layerkit)
    fresh.load_weights(tmp_path / name)
    for a, b in zip(model.weights, fresh.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_keras3_weights_layout_on_disk(tmp_path):
    model = _mlp()
    model.save_weights(tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5") as f:
        # Layers are named by their class in the file, as Keras 3 names them.
        assert sorted(f["layers"]) == ["dense", "dense_1"]
        np.testing.assert_array_equal(f["layers/dense/vars/0"][()], model.layers[0].get_weights()[0])
        assert f["layers/dense_1/vars"].attrs["name"] == "b"


def test_keras2_weights_layout_on_disk(tmp_path):
    model = _mlp()
    model.save_weights(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        assert [n.decode() for n in f.attrs["layer_names"]] == ["a", "b"]
        assert [n.decode() for n in f["a"].attrs["weight_names"]] == ["a/kernel:0", "a/bias:0"]
        np.testing.assert_array_equal(f["a/a/kernel:0"][()], model.layers[0].get_weights()[0])


def test_load_weights_by_name_matches_layers_by_name(tmp_path):
    source = _mlp(units=(4, 2), names=("a", "b"))
    source.save_weights(tmp_path / "w.h5")
    target = layerkit.Sequential([layerkit.Input((3,)), layers.Dense(4, name="a"),
                                  layers.Dense(5, name="other")])
    before = target.layers[1].get_weights()
    target.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(target.layers[0].get_weights()[0],
                                  source.layers[0].get_weights()[0])
    np.testing.assert_array_equal(target.layers[1].get_weights()[0], before[0])


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_shape_mismatch_raises_or_is_skipped(tmp_path, name):
    _mlp(units=(4, 2)).save_weights(tmp_path / name)
    target = _mlp(units=(4, 3))
    with pytest.raises(ValueError, match=r"shape \(4, 3\) in the model and \(4, 2\)"):
        target.load_weights(tmp_path / name)
    before = target.layers[1].get_weights()[0]
    with pytest.warns(UserWarning, match="skip_mismatch"):
        target.load_weights(tmp_path / name, skip_mismatch=True)
    np.testing.assert_array_equal(target.layers[1].get_weights()[0], before)


def test_by_name_mismatch_is_skipped_with_skip_mismatch(tmp_path):
    _mlp(units=(4, 2)).save_weights(tmp_path / "w.h5")
    target = _mlp(units=(4, 3))
    with pytest.raises(ValueError, match='layer "b"'):
        target.load_weights(tmp_path / "w.h5", by_name=True)
    with pytest.warns(UserWarning):
        target.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)


def test_layer_count_mismatch_names_both_sides(tmp_path):
    _mlp(units=(4, 2)).save_weights(tmp_path / "w.h5")
    target = _mlp(units=(4, 2, 1), names=("a", "b", "c"))
    with pytest.raises(ValueError, match=r"2 layers .*'a', 'b'.* 3 layers with weights"):
        target.load_weights(tmp_path / "w.h5")


def test_load_weights_from_a_whole_model_file(tmp_path):
    source = _mlp()
    source.save(tmp_path / "m.keras")
    source.save(tmp_path / "m.h5")
    for name in ("m.keras", "m.h5"):
        target = _mlp()
        target.load_weights(tmp_path / name)
        np.testing.assert_array_equal(target.get_weights()[0], source.get_weights()[0])


def test_bad_weight_file_names_and_keywords(tmp_path):
    model = _mlp()
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "w.keras")
    with pytest.raises(TypeError, match="unrecognized"):
        model.load_weights(tmp_path / "w.h5", by_nmae=True)
    model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="by_name"):
        model.load_weights(tmp_path / "w.weights.h5", by_name=True)


def test_loading_into_an_unbuilt_model_says_to_build_it(tmp_path):
    _mlp().save_weights(tmp_path / "w.weights.h5")
    unbuilt = layerkit.Sequential([layers.Dense(4), layers.Dense(2)])
    with pytest.raises(ValueError, match="not built yet.*build"):
        unbuilt.load_weights(tmp_path / "w.weights.h5")
