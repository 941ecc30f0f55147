"""DeviceMesh and TensorLayout: Keras 3's names for a grid of devices with named
axes (jax.sharding.Mesh) and a per-dimension choice of mesh axis
(jax.sharding.NamedSharding's PartitionSpec)."""
import math

import numpy as np

from layerkit import engine


def list_devices(device_type=None):
    """The devices available for distributed computation, as "cpu:0", "gpu:1" ...
    (global devices when several processes run). Without `device_type`: the
    accelerators where there are any, else the CPUs."""
    return engine.distribution.list_devices(device_type)


def get_device_count(device_type=None):
    """How many devices `list_devices(device_type)` returns."""
    return len(list_devices(device_type))


class DeviceMesh:
    """A grid of devices with named axes.

    Args:
        shape: the grid's shape, e.g. `(8,)` for data parallel or `(2, 4)`.
        axis_names: one name per axis, e.g. `("batch", "model")`.
        devices: the devices (strings from `list_devices()`); defaults to all.
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(f"DeviceMesh: shape and axis_names cannot be empty. Received "
                             f"shape={shape}, axis_names={axis_names}.")
        shape, axis_names = tuple(int(s) for s in shape), tuple(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError(f"DeviceMesh: shape and axis_names must have the same length. "
                             f"Received shape={shape}, axis_names={axis_names}.")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"DeviceMesh: axis_names must be distinct, received {axis_names}.")
        devices = np.array(list_devices() if devices is None else devices)
        if math.prod(shape) != devices.size:
            raise ValueError(f"DeviceMesh: shape {shape} holds {math.prod(shape)} devices, "
                             f"but {devices.size} were given (devices.shape={devices.shape}).")
        self._shape = shape
        self._axis_names = axis_names
        self._devices = devices.reshape(shape)

    @property
    def shape(self):
        return self._shape

    @property
    def axis_names(self):
        return self._axis_names

    @property
    def devices(self):
        return self._devices

    def __repr__(self):
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """How a tensor is split over a DeviceMesh: per dimension, the mesh axis it is
    split along, or None (not split).

    Args:
        axes: a tuple of axis names and None, one per tensor dimension.
        device_mesh: the DeviceMesh; may be set later (a LayoutMap sets its own).
    """

    def __init__(self, axes, device_mesh=None):
        self._axes = tuple(axes)
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def axes(self):
        return self._axes

    @property
    def device_mesh(self):
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh):
        if self._device_mesh is not None:
            raise ValueError(f"TensorLayout already has a device mesh "
                             f"({self._device_mesh}); it cannot be replaced.")
        self._device_mesh = device_mesh
        self._validate_axes()

    def _validate_axes(self):
        if self._device_mesh is None:
            return
        known = set(self._device_mesh.axis_names)
        unknown = [a for a in self._axes if a is not None and a not in known]
        if unknown:
            raise ValueError(f"TensorLayout axes {self._axes} name {unknown}, which the "
                             f"device mesh lacks: its axes are {self._device_mesh.axis_names}.")
        used = [a for a in self._axes if a is not None]
        if len(set(used)) != len(used):
            raise ValueError(f"TensorLayout axes {self._axes} use a mesh axis twice; each "
                             "mesh axis may split at most one dimension.")

    def __repr__(self):
        return f"<TensorLayout axes={self.axes}, device_mesh={self.device_mesh}>"
