"""keras.distribution's objects: DeviceMesh, TensorLayout, LayoutMap, DataParallel,
ModelParallel, the current distribution and initialize's argument checks, on both
engines; LayoutMap lookups compared with real Keras 3."""
import warnings

import numpy as np
import pytest

import layerkit
from layerkit import distribution as D
from layerkit.engine.common.distribution_plan import DistributionPlan, get_plan

EIGHT = [f"cpu:{i}" for i in range(8)]


@pytest.fixture(autouse=True)
def _no_distribution():
    yield
    D.set_distribution(None)


def test_importable_from_layerkit_and_the_keras_alias(keras_alias):
    assert layerkit.distribution is D
    import keras.distribution
    assert keras.distribution.DataParallel is D.DataParallel
    from keras.distribution import LayoutMap
    assert LayoutMap is D.LayoutMap


def test_list_devices_names_this_engines_devices():
    devices = D.list_devices()
    assert devices and all(":" in d for d in devices)
    assert D.list_devices("cpu")[0].startswith("cpu:")
    assert D.get_device_count("cpu") == len(D.list_devices("cpu"))


def test_device_mesh():
    mesh = D.DeviceMesh((2, 4), ("batch", "model"), EIGHT)
    assert mesh.shape == (2, 4) and mesh.axis_names == ("batch", "model")
    assert mesh.devices.shape == (2, 4) and mesh.devices[1, 0] == "cpu:4"
    assert "shape=(2, 4)" in repr(mesh)


@pytest.mark.parametrize("args,message", [
    (((), ()), "cannot be empty"),
    (((2, 4), ("batch",)), "same length"),
    (((2, 2), ("batch", "model")), "holds 4 devices, but 8 were given"),
    (((8,), ("batch",)), None),
    (((2, 4), ("x", "x")), "distinct"),
])
def test_device_mesh_errors(args, message):
    if message is None:
        D.DeviceMesh(*args, devices=EIGHT)
        return
    with pytest.raises(ValueError, match=message):
        D.DeviceMesh(*args, devices=EIGHT)


def test_tensor_layout_checks_its_axes_against_the_mesh():
    mesh = D.DeviceMesh((2, 4), ("batch", "model"), EIGHT)
    layout = D.TensorLayout((None, "model"))
    assert layout.device_mesh is None
    layout.device_mesh = mesh
    assert layout.axes == (None, "model")
    with pytest.raises(ValueError, match="cannot be replaced"):
        layout.device_mesh = mesh
    with pytest.raises(ValueError, match=r"\['modle'\].*its axes are \('batch', 'model'\)"):
        D.TensorLayout((None, "modle"), mesh)
    with pytest.raises(ValueError, match="twice"):
        D.TensorLayout(("model", "model"), mesh)


def _layout_map(module):
    mesh = module.DeviceMesh((2, 4), ("batch", "model"), EIGHT)
    layouts = module.LayoutMap(mesh)
    layouts[".*dense.*kernel"] = (None, "model")
    layouts[".*dense.*bias"] = ("model",)
    layouts["conv2d/kernel"] = module.TensorLayout((None, None, None, "model"))
    return layouts


PATHS = ["dense/kernel", "sequential/dense_1/kernel", "dense_2/bias", "conv2d/kernel",
         "my_model/conv3d_1/kernel", "dense/kernel_constraint", "embedding/embeddings"]


def test_layout_map_lookup_matches_keras(keras_oracle):
    ours, theirs = _layout_map(D), _layout_map(keras_oracle.distribution)
    for path in PATHS:
        a, b = ours[path], theirs[path]
        assert (a is None) == (b is None), path
        if a is not None:
            assert a.axes == tuple(b.axes), path
            assert a.device_mesh is not None
    assert list(ours) == list(theirs) and len(ours) == len(theirs) == 3


def test_layout_map_errors():
    layouts = _layout_map(D)
    with pytest.raises(ValueError, match="already has the key"):
        layouts[".*dense.*bias"] = ("model",)
    with pytest.raises(ValueError, match="TensorLayout or a tuple"):
        layouts["x"] = "model"
    with pytest.raises(ValueError, match="not a valid regular expression"):
        layouts["dense[("] = (None,)
    layouts[".*kernel"] = (None, "batch")
    with pytest.raises(ValueError, match="matches several LayoutMap keys"):
        layouts["dense/kernel"]
    del layouts[".*kernel"]
    assert layouts["dense/kernel"].axes == (None, "model")


def test_data_parallel_from_devices_and_from_a_mesh():
    dp = D.DataParallel(devices=EIGHT[:4])
    assert dp.device_mesh.shape == (4,) and dp.batch_dim_name == "batch"
    assert dp.num_model_replicas == 4 and dp.num_processes == 1 and dp.data_shard_id == 0
    plan = dp.to_plan()
    assert plan == DistributionPlan("data", (4,), ("batch",), tuple(EIGHT[:4]), "batch")
    assert plan.variable_axes("dense/kernel") is None and plan.num_replicas == 4
    mesh = D.DeviceMesh((8,), ("data",), EIGHT)
    assert D.DataParallel(device_mesh=mesh).batch_dim_name == "data"
    assert D.DataParallel().num_model_replicas == len(D.list_devices())
    assert D.DataParallel().get_data_layout((16, 3)).axes == ("batch", None)


def test_data_parallel_errors():
    with pytest.raises(ValueError, match="either `device_mesh` or `devices`"):
        D.DataParallel(device_mesh=D.DeviceMesh((8,), ("batch",), EIGHT), devices=EIGHT)
    with pytest.raises(ValueError, match="must be a DeviceMesh"):
        D.DataParallel(device_mesh=(8,))
    with pytest.warns(UserWarning, match="1-D device mesh"):
        D.DataParallel(device_mesh=D.DeviceMesh((2, 4), ("batch", "model"), EIGHT))


def test_model_parallel_plan():
    mp = D.ModelParallel(layout_map=_layout_map(D), batch_dim_name="batch")
    assert mp.num_model_replicas == 2 and mp.batch_dim_name == "batch"
    plan = mp.to_plan()
    assert plan.kind == "model" and plan.mesh_shape == (2, 4) and plan.num_replicas == 2
    assert plan.variable_axes("sequential/dense_1/kernel") == (None, "model")
    assert plan.variable_axes("conv2d/kernel") == (None, None, None, "model")
    assert plan.variable_axes("embedding/embeddings") is None
    assert mp.get_tensor_layout("dense/bias").axes == ("model",)
    # The first mesh axis splits the batch unless told otherwise.
    assert D.ModelParallel(layout_map=_layout_map(D)).batch_dim_name == "batch"
    assert D.ModelParallel(layout_map=_layout_map(D), batch_dim_name="model").to_plan() \
        .num_replicas == 4


def test_model_parallel_errors():
    with pytest.raises(ValueError, match="must pass a `layout_map`"):
        D.ModelParallel()
    with pytest.raises(ValueError, match="must be a LayoutMap"):
        D.ModelParallel(layout_map={".*": (None,)})
    with pytest.raises(ValueError, match="batch_dim_name 'data' is not an axis"):
        D.ModelParallel(layout_map=_layout_map(D), batch_dim_name="data")
    with pytest.raises(TypeError, match="unexpected keyword"):
        D.ModelParallel(layout_map=_layout_map(D), layout=1)


def test_set_distribution_stores_the_plan_for_the_engine():
    assert D.distribution() is None and get_plan() is None
    dp = D.DataParallel(devices=EIGHT[:2])
    D.set_distribution(dp)
    assert D.distribution() is dp and get_plan() == dp.to_plan()
    mp = D.ModelParallel(layout_map=_layout_map(D))
    with mp.scope():
        assert D.distribution() is mp and get_plan().kind == "model"
    assert D.distribution() is dp
    D.set_distribution(None)
    assert get_plan() is None
    with pytest.raises(ValueError, match="expects a DataParallel, a ModelParallel or None"):
        D.set_distribution("data")


@pytest.mark.parametrize("kwargs,message", [
    (dict(num_processes=2, process_id=2), "out of range"),
    (dict(num_processes=-1), "non-negative"),
    (dict(process_id="0"), "non-negative"),
])
def test_initialize_checks_its_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        D.initialize("localhost:1234", **kwargs)


def test_plan_rejects_a_batch_axis_the_mesh_lacks():
    with pytest.raises(ValueError, match="not an axis of the mesh"):
        DistributionPlan("data", (2,), ("batch",), ("cpu:0", "cpu:1"), "model")


def test_an_unmatched_layout_key_warns_when_a_model_trains():
    # One real device: a 1x1 mesh still runs the whole distributed path.
    device = D.list_devices()[:1]
    mesh = D.DeviceMesh((1, 1), ("batch", "model"), device)
    layouts = D.LayoutMap(mesh)
    layouts[".*dense.*kernel"] = (None, "model")
    layouts[".*conv2d.*kernel"] = (None, None, None, "model")
    D.set_distribution(D.ModelParallel(layout_map=layouts))
    model = layerkit.Sequential([layerkit.layers.Input((3,)), layerkit.layers.Dense(2)])
    model.compile("sgd", "mse")
    x, y = np.ones((4, 3), "float32"), np.ones((4, 2), "float32")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, batch_size=2, epochs=1, verbose=0)
    messages = [str(w.message) for w in caught if "LayoutMap" in str(w.message)]
    assert len(messages) == 1 and "'.*conv2d.*kernel'" in messages[0]
    assert np.isfinite(history.history["loss"][0])
