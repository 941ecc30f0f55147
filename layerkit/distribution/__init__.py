"""layerkit.distribution: Keras 3's `keras.distribution` on JAX sharding and
torch.distributed."""
from layerkit.distribution.current import distribution as distribution
from layerkit.distribution.current import initialize as initialize
from layerkit.distribution.current import set_distribution as set_distribution
from layerkit.distribution.device_mesh import DeviceMesh as DeviceMesh
from layerkit.distribution.device_mesh import TensorLayout as TensorLayout
from layerkit.distribution.device_mesh import get_device_count as get_device_count
from layerkit.distribution.device_mesh import list_devices as list_devices
from layerkit.distribution.distributions import DataParallel as DataParallel
from layerkit.distribution.distributions import Distribution as Distribution
from layerkit.distribution.distributions import ModelParallel as ModelParallel
from layerkit.distribution.layout_map import LayoutMap as LayoutMap
