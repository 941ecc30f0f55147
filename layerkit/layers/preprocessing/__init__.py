"""Keras 3's preprocessing layers. Numeric ones run inside the compiled step; the
string ones (Hashing of strings, StringLookup, TextVectorization) run on the host
with numpy, before the step (see host_layer.py)."""
from layerkit.layers.preprocessing.normalization import Normalization as Normalization
from layerkit.layers.preprocessing.rescaling import Rescaling as Rescaling
from layerkit.layers.preprocessing.resizing import (CenterCrop as CenterCrop,
                                                    Resizing as Resizing)
from layerkit.layers.preprocessing.random_image import (
    RandomBrightness as RandomBrightness, RandomContrast as RandomContrast,
    RandomCrop as RandomCrop, RandomFlip as RandomFlip)
from layerkit.layers.preprocessing.random_affine import (
    RandomRotation as RandomRotation, RandomTranslation as RandomTranslation,
    RandomZoom as RandomZoom)
from layerkit.layers.preprocessing.category_encoding import (
    CategoryEncoding as CategoryEncoding)
from layerkit.layers.preprocessing.discretization import Discretization as Discretization
from layerkit.layers.preprocessing.hashing import Hashing as Hashing
from layerkit.layers.preprocessing.index_lookup import (IntegerLookup as IntegerLookup,
                                                        StringLookup as StringLookup)
from layerkit.layers.preprocessing.text_vectorization import (
    TextVectorization as TextVectorization)
