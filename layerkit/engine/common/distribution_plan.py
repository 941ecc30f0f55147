"""The distribution as the engines read it: a plain, frozen plan.

`layerkit.distribution` (top floor) turns the user's DeviceMesh / LayoutMap /
DataParallel / ModelParallel into a DistributionPlan and stores it here with
`set_plan`; the engines' trainers read it with `get_plan`. The seam never
imports the public objects, so the floors stay pointing down.

Process facts (process id, number of processes) come from the engine's
`distribution` module, not from the plan.
"""
import dataclasses
import re


@dataclasses.dataclass(frozen=True)
class DistributionPlan:
    """kind: "data" (DataParallel) or "model" (ModelParallel).
    mesh_shape / axis_names: the device mesh; device_ids: its devices in row-major
    order, spelled as list_devices() spells them ("cpu:0"). batch_axis: the mesh axis
    the batch is split along (None: the batch is replicated). layouts: the LayoutMap's
    (regex, axes) pairs in insertion order; empty for DataParallel."""
    kind: str
    mesh_shape: tuple
    axis_names: tuple
    device_ids: tuple
    batch_axis: object = None
    layouts: tuple = ()

    def __post_init__(self):
        if self.kind not in ("data", "model"):
            raise ValueError(f"DistributionPlan kind must be 'data' or 'model', "
                             f"received {self.kind!r}.")
        if len(self.mesh_shape) != len(self.axis_names):
            raise ValueError(f"mesh_shape {self.mesh_shape} and axis_names "
                             f"{self.axis_names} must have the same length.")
        if self.batch_axis is not None and self.batch_axis not in self.axis_names:
            raise ValueError(f"batch axis {self.batch_axis!r} is not an axis of the mesh "
                             f"{self.axis_names}.")

    @property
    def num_replicas(self):
        """How many parts the global batch is split into (the batch axis's size)."""
        if self.batch_axis is None:
            return 1
        return self.mesh_shape[self.axis_names.index(self.batch_axis)]

    def matching_patterns(self, path):
        """The layout keys that apply to `path`: an exact key wins, else every key
        that matches the whole path as a regex (Keras's LayoutMap lookup)."""
        keys = [k for k, _ in self.layouts]
        if path in keys:
            return [path]
        return [k for k in keys if re.fullmatch(k, path)]

    def variable_axes(self, path):
        """The mesh axis per dimension of the Variable at `path` (None per dimension:
        not split), or None when the Variable is replicated."""
        found = self.matching_patterns(path)
        if not found:
            return None
        if len(found) > 1:
            raise ValueError(f"Variable path {path!r} matches several LayoutMap keys: "
                             f"{found}. Make each path match at most one key.")
        return dict(self.layouts)[found[0]]


_GLOBAL = {"plan": None}


def set_plan(plan):
    """Makes `plan` (a DistributionPlan, or None for one device) the current one."""
    if plan is not None and not isinstance(plan, DistributionPlan):
        raise TypeError(f"set_plan expects a DistributionPlan or None, received "
                        f"{type(plan).__name__}.")
    _GLOBAL["plan"] = plan


def get_plan():
    """The current DistributionPlan, or None."""
    return _GLOBAL["plan"]
