"""LayoutMap: variable paths (regular expressions) to TensorLayouts, as Keras 3."""
import collections.abc
import re

from layerkit.distribution.device_mesh import TensorLayout


class LayoutMap(collections.abc.MutableMapping):
    """A dict from string keys to TensorLayouts whose lookup treats the keys as
    regular expressions: `layout_map["dense/kernel"]` returns the layout of the exact
    key if there is one, else of the one key that matches the whole path
    (`re.fullmatch`), else None. A path matching several keys is an error.
    A tuple value is shorthand for `TensorLayout(axes)`.

    Args:
        device_mesh: the DeviceMesh every layout in the map uses.
    """

    def __init__(self, device_mesh):
        self._layouts = collections.OrderedDict()
        self._device_mesh = device_mesh

    def __getitem__(self, key):
        if key in self._layouts:
            return self._layouts[key]
        found = [k for k in self._layouts if re.fullmatch(k, key)]
        if len(found) > 1:
            raise ValueError(f"Path {key!r} matches several LayoutMap keys: {found}. Make "
                             "each variable path match at most one key.")
        return self._layouts[found[0]] if found else None

    def __setitem__(self, key, layout):
        if key in self._layouts:
            raise ValueError(f"LayoutMap already has the key {key!r} (layout "
                             f"{self._layouts[key]}); keys must be distinct.")
        try:
            re.compile(key)
        except re.error as err:
            raise ValueError(f"LayoutMap key {key!r} is not a valid regular expression: "
                             f"{err}.") from None
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(axes=tuple(layout))
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"LayoutMap[{key!r}] must be a TensorLayout or a tuple of axis "
                             f"names, received {type(layout).__name__}: {layout!r}.")
        if layout.device_mesh is None and self._device_mesh is not None:
            layout.device_mesh = self._device_mesh
        self._layouts[key] = layout

    def __delitem__(self, key):
        return self._layouts.pop(key)

    def __len__(self):
        return len(self._layouts)

    def __iter__(self):
        return iter(self._layouts)

    @property
    def device_mesh(self):
        return self._device_mesh
