"""`layerkit.layers`: every layer class, re-exported from the module that defines it.

Add one import line per layer module.
"""
from layerkit.layers.layer import Layer as Layer
from layerkit.layers.input_spec import InputSpec as InputSpec
from layerkit.layers.input_layer import Input as Input, InputLayer as InputLayer
from layerkit.layers.core import (Activation as Activation,
                                  ActivityRegularization as ActivityRegularization,
                                  Dense as Dense, Dropout as Dropout, Identity as Identity,
                                  Lambda as Lambda, Masking as Masking)
from layerkit.layers.reshaping import (Flatten as Flatten, Permute as Permute,
                                       RepeatVector as RepeatVector, Reshape as Reshape)
from layerkit.layers.merge import (Add as Add, Average as Average,
                                   Concatenate as Concatenate, Dot as Dot,
                                   Maximum as Maximum, Minimum as Minimum,
                                   Multiply as Multiply, Subtract as Subtract, add as add,
                                   average as average, concatenate as concatenate, dot as dot,
                                   maximum as maximum, minimum as minimum,
                                   multiply as multiply, subtract as subtract)
from layerkit.layers.op_layer import OpLayer as OpLayer
from layerkit.layers.activation_layers import (ELU as ELU, LeakyReLU as LeakyReLU,
                                               PReLU as PReLU, ReLU as ReLU,
                                               Softmax as Softmax,
                                               ThresholdedReLU as ThresholdedReLU)
from layerkit.layers.batch_normalization import BatchNormalization as BatchNormalization
from layerkit.layers.layer_normalization import LayerNormalization as LayerNormalization
from layerkit.layers.group_normalization import GroupNormalization as GroupNormalization
from layerkit.layers.unit_normalization import UnitNormalization as UnitNormalization
from layerkit.layers.spatial_dropout import (SpatialDropout1D as SpatialDropout1D,
                                            SpatialDropout2D as SpatialDropout2D,
                                            SpatialDropout3D as SpatialDropout3D)
from layerkit.layers.noise import (AlphaDropout as AlphaDropout,
                                   GaussianDropout as GaussianDropout,
                                   GaussianNoise as GaussianNoise)
from layerkit.layers.embedding import Embedding as Embedding
