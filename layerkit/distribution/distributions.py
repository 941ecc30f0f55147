"""DataParallel and ModelParallel (Keras 3's names): how variables and batches are
placed on a DeviceMesh. Each turns into the seam's DistributionPlan, which the
engines' trainers read (engine/common/distribution_plan.py)."""
import contextlib
import warnings

import numpy as np

from layerkit import engine
from layerkit.distribution.device_mesh import DeviceMesh, TensorLayout, list_devices
from layerkit.distribution.layout_map import LayoutMap
from layerkit.engine.common.distribution_plan import DistributionPlan

DEFAULT_BATCH_DIM_NAME = "batch"


class Distribution:
    """The base of DataParallel and ModelParallel: a DeviceMesh and the mesh axis the
    batch is split along."""

    def __init__(self, device_mesh, batch_dim_name=None, auto_shard_dataset=True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset
        self._num_processes = engine.distribution.num_processes()
        self._process_id = engine.distribution.process_id()

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def num_processes(self):
        return self._num_processes

    @property
    def num_model_replicas(self):
        raise NotImplementedError

    @property
    def data_shard_id(self):
        """Which share of each global batch this process feeds."""
        replicas = self.num_model_replicas
        if replicas >= self.num_processes:
            return self._process_id
        return self._process_id // (self.num_processes // replicas)

    @property
    def auto_shard_dataset(self):
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value):
        self._auto_shard_dataset = value

    def get_data_layout(self, data_shape):
        """Batches are split along their first dimension over the batch axis."""
        axes = [None] * len(data_shape)
        axes[0] = self.batch_dim_name
        return TensorLayout(axes, self.device_mesh)

    def get_variable_layout(self, variable):
        raise NotImplementedError

    def get_tensor_layout(self, path):
        return None

    def distribute_dataset(self, dataset):
        """The dataset unchanged: fit/evaluate/predict give each process its rows of
        every global batch themselves (training/), from arrays, generators and
        Datasets alike."""
        return dataset

    @contextlib.contextmanager
    def scope(self):
        """Makes this distribution current inside the `with` block."""
        from layerkit.distribution.current import distribution, set_distribution
        previous = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(previous)

    def _layouts(self):
        return ()

    def _kind(self):
        raise NotImplementedError

    def to_plan(self):
        """The plain plan the engines read."""
        mesh = self.device_mesh
        return DistributionPlan(kind=self._kind(), mesh_shape=tuple(mesh.shape),
                                axis_names=tuple(mesh.axis_names),
                                device_ids=tuple(str(d) for d in mesh.devices.reshape(-1)),
                                batch_axis=self.batch_dim_name, layouts=self._layouts())

    def __repr__(self):
        return (f"<{type(self).__name__} device_mesh={self.device_mesh}, "
                f"batch_dim_name={self.batch_dim_name!r}>")


class DataParallel(Distribution):
    """Every device holds all the variables; each global batch is split over the
    devices and the gradients are summed across them.

    Args:
        device_mesh: a DeviceMesh (1-D; of a larger mesh the first axis splits the batch).
        devices: a list of devices for a 1-D mesh, instead of `device_mesh`.
        auto_shard_dataset: kept for Keras's signature; each process's share is picked
            by fit() itself.
    Without either, every device of `list_devices()`.
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None and devices is not None:
            raise ValueError("DataParallel: pass either `device_mesh` or `devices`, not both.")
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError(f"DataParallel: `device_mesh` must be a DeviceMesh, received "
                                 f"{type(device_mesh).__name__}: {device_mesh!r}.")
            if device_mesh.devices.ndim != 1:
                warnings.warn(f"DataParallel expects a 1-D device mesh, received shape "
                              f"{device_mesh.shape}; its first axis "
                              f"{device_mesh.axis_names[0]!r} splits the batch.", stacklevel=2)
            super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)
            return
        devices = np.array(list_devices() if devices is None else list(devices))
        if devices.size == 0:
            raise ValueError("DataParallel: `devices` is empty.")
        mesh = DeviceMesh((devices.size,), (DEFAULT_BATCH_DIM_NAME,), devices)
        super().__init__(mesh, DEFAULT_BATCH_DIM_NAME, auto_shard_dataset)

    @property
    def num_model_replicas(self):
        return int(self.device_mesh.devices.size)

    def get_variable_layout(self, variable):
        if getattr(variable, "_layout", None) is not None:
            return variable._layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def _kind(self):
        return "data"


class ModelParallel(Distribution):
    """Variables split over the mesh as a LayoutMap says (the others replicated);
    batches split along `batch_dim_name`.

    Args:
        layout_map: a LayoutMap from variable paths (regular expressions matched
            against `variable.path`, e.g. "dense/kernel") to TensorLayouts.
        batch_dim_name: the mesh axis that splits the batch; defaults to the first.
        auto_shard_dataset: kept for Keras's signature (see DataParallel).
    """

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True,
                 **kwargs):
        kwargs.pop("device_mesh", None)  # Keras 3.0's spelling; the map's mesh is used
        if kwargs:
            raise TypeError(f"ModelParallel got unexpected keyword arguments: "
                            f"{sorted(kwargs)}.")
        if layout_map is None:
            raise ValueError("ModelParallel: you must pass a `layout_map` (a LayoutMap).")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(f"ModelParallel: `layout_map` must be a LayoutMap, received "
                             f"{type(layout_map).__name__}: {layout_map!r}.")
        mesh = layout_map.device_mesh
        if mesh is None:
            raise ValueError("ModelParallel: the LayoutMap has no device mesh; create it "
                             "with LayoutMap(device_mesh).")
        batch_dim_name = batch_dim_name or mesh.axis_names[0]
        if batch_dim_name not in mesh.axis_names:
            raise ValueError(f"ModelParallel: batch_dim_name {batch_dim_name!r} is not an axis "
                             f"of the device mesh; its axes are {mesh.axis_names}.")
        super().__init__(mesh, batch_dim_name, auto_shard_dataset)
        self._layout_map = layout_map
        if (self.num_processes > self.num_model_replicas
                and self.num_processes % self.num_model_replicas):
            raise ValueError(f"ModelParallel: {self.num_processes} processes do not divide "
                             f"evenly into {self.num_model_replicas} model replicas.")

    @property
    def num_model_replicas(self):
        return self.device_mesh.shape[self.device_mesh.axis_names.index(self.batch_dim_name)]

    def get_variable_layout(self, variable):
        if getattr(variable, "_layout", None) is not None:
            return variable._layout
        layout = self._layout_map[variable.path]
        if layout is not None:
            return layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return self._layout_map[path]

    def _kind(self):
        return "model"

    def _layouts(self):
        return tuple((key, tuple(self._layout_map[key].axes)) for key in self._layout_map)
