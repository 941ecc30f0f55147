"""`keras.preprocessing.image`: image augmentation, iterators and file utilities.

Thin re-exports; each object is defined once in its own module.
"""

from layerkit.preprocessing.affine_transform import apply_affine_transform as apply_affine_transform
from layerkit.preprocessing.affine_transform import apply_brightness_shift as apply_brightness_shift
from layerkit.preprocessing.affine_transform import apply_channel_shift as apply_channel_shift
from layerkit.preprocessing.affine_transform import flip_axis as flip_axis
from layerkit.preprocessing.affine_transform import random_brightness as random_brightness
from layerkit.preprocessing.affine_transform import random_channel_shift as random_channel_shift
from layerkit.preprocessing.affine_transform import random_rotation as random_rotation
from layerkit.preprocessing.affine_transform import random_shear as random_shear
from layerkit.preprocessing.affine_transform import random_shift as random_shift
from layerkit.preprocessing.affine_transform import random_zoom as random_zoom
from layerkit.preprocessing.affine_transform import (
    transform_matrix_offset_center as transform_matrix_offset_center,
)
from layerkit.preprocessing.directory_iterators import DataFrameIterator as DataFrameIterator
from layerkit.preprocessing.directory_iterators import DirectoryIterator as DirectoryIterator
from layerkit.preprocessing.directory_iterators import (
    DirectoryNotFoundError as DirectoryNotFoundError,
)
from layerkit.preprocessing.image_data_generator import ImageDataGenerator as ImageDataGenerator
from layerkit.preprocessing.image_iterators import Iterator as Iterator
from layerkit.preprocessing.image_iterators import NumpyArrayIterator as NumpyArrayIterator
from layerkit.preprocessing.image_utils import ImageDecodeError as ImageDecodeError
from layerkit.preprocessing.image_utils import array_to_img as array_to_img
from layerkit.preprocessing.image_utils import img_to_array as img_to_array
from layerkit.preprocessing.image_utils import load_img as load_img
from layerkit.preprocessing.image_utils import save_img as save_img
from layerkit.preprocessing.image_utils import smart_resize as smart_resize


def __getattr__(name):
    # the dataset builder needs layerkit.data; import it only when asked for
    if name == "image_dataset_from_directory":
        from layerkit.preprocessing.image_dataset import image_dataset_from_directory

        return image_dataset_from_directory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + ["image_dataset_from_directory"])
