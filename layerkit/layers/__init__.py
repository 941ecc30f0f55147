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
# Convolution, pooling and spatial reshaping; Keras 2's spellings (Convolution2D,
# Deconvolution2D, MaxPool2D, GlobalAvgPool2D, ...) are the same classes.
from layerkit.layers.convolution import (Conv1D as Conv1D, Conv2D as Conv2D, Conv3D as Conv3D,
                                         Conv1D as Convolution1D, Conv2D as Convolution2D,
                                         Conv3D as Convolution3D)
from layerkit.layers.conv_transpose import (
    Conv1DTranspose as Conv1DTranspose, Conv2DTranspose as Conv2DTranspose,
    Conv3DTranspose as Conv3DTranspose, Conv1DTranspose as Convolution1DTranspose,
    Conv2DTranspose as Convolution2DTranspose, Conv3DTranspose as Convolution3DTranspose,
    Conv2DTranspose as Deconvolution2D, Conv3DTranspose as Deconvolution3D)
from layerkit.layers.depthwise_separable import (
    DepthwiseConv1D as DepthwiseConv1D, DepthwiseConv2D as DepthwiseConv2D,
    SeparableConv1D as SeparableConv1D, SeparableConv2D as SeparableConv2D,
    SeparableConv1D as SeparableConvolution1D, SeparableConv2D as SeparableConvolution2D)
from layerkit.layers.pooling import (
    AveragePooling1D as AveragePooling1D, AveragePooling2D as AveragePooling2D,
    AveragePooling3D as AveragePooling3D, MaxPooling1D as MaxPooling1D,
    MaxPooling2D as MaxPooling2D, MaxPooling3D as MaxPooling3D,
    AveragePooling1D as AvgPool1D, AveragePooling2D as AvgPool2D,
    AveragePooling3D as AvgPool3D, MaxPooling1D as MaxPool1D, MaxPooling2D as MaxPool2D,
    MaxPooling3D as MaxPool3D)
from layerkit.layers.global_pooling import (
    GlobalAveragePooling1D as GlobalAveragePooling1D,
    GlobalAveragePooling2D as GlobalAveragePooling2D,
    GlobalAveragePooling3D as GlobalAveragePooling3D,
    GlobalMaxPooling1D as GlobalMaxPooling1D, GlobalMaxPooling2D as GlobalMaxPooling2D,
    GlobalMaxPooling3D as GlobalMaxPooling3D, GlobalAveragePooling1D as GlobalAvgPool1D,
    GlobalAveragePooling2D as GlobalAvgPool2D, GlobalAveragePooling3D as GlobalAvgPool3D,
    GlobalMaxPooling1D as GlobalMaxPool1D, GlobalMaxPooling2D as GlobalMaxPool2D,
    GlobalMaxPooling3D as GlobalMaxPool3D)
from layerkit.layers.upsampling import (UpSampling1D as UpSampling1D,
                                        UpSampling2D as UpSampling2D,
                                        UpSampling3D as UpSampling3D)
from layerkit.layers.padding_cropping import (
    Cropping1D as Cropping1D, Cropping2D as Cropping2D, Cropping3D as Cropping3D,
    ZeroPadding1D as ZeroPadding1D, ZeroPadding2D as ZeroPadding2D,
    ZeroPadding3D as ZeroPadding3D)
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
from layerkit.layers.einsum_dense import EinsumDense as EinsumDense
from layerkit.layers.multi_head_attention import MultiHeadAttention as MultiHeadAttention
from layerkit.layers.attention import (AdditiveAttention as AdditiveAttention,
                                       Attention as Attention)
from layerkit.layers.time_distributed import TimeDistributed as TimeDistributed
from layerkit.layers.wrapper import Wrapper as Wrapper
# Recurrent layers and their cells.
from layerkit.layers.rnn import RNN as RNN
from layerkit.layers.simple_rnn import SimpleRNN as SimpleRNN, SimpleRNNCell as SimpleRNNCell
from layerkit.layers.lstm import LSTM as LSTM, LSTMCell as LSTMCell
from layerkit.layers.gru import GRU as GRU, GRUCell as GRUCell
from layerkit.layers.stacked_rnn_cells import StackedRNNCells as StackedRNNCells
from layerkit.layers.bidirectional import Bidirectional as Bidirectional
from layerkit.layers.locally_connected import (LocallyConnected1D as LocallyConnected1D,
                                               LocallyConnected2D as LocallyConnected2D)
from layerkit.layers.conv_lstm import (ConvLSTM1D as ConvLSTM1D, ConvLSTM2D as ConvLSTM2D,
                                       ConvLSTM3D as ConvLSTM3D)
from layerkit.layers.conv_lstm_cell import (ConvLSTMCell as ConvLSTMCell,
                                            ConvLSTM2DCell as ConvLSTM2DCell)
from layerkit.layers.preprocessing import (
    CategoryEncoding as CategoryEncoding, CenterCrop as CenterCrop,
    Discretization as Discretization, Normalization as Normalization,
    RandomBrightness as RandomBrightness, RandomContrast as RandomContrast,
    RandomCrop as RandomCrop, RandomFlip as RandomFlip, RandomRotation as RandomRotation,
    RandomTranslation as RandomTranslation, RandomZoom as RandomZoom, Rescaling as Rescaling,
    Resizing as Resizing, Hashing as Hashing, IntegerLookup as IntegerLookup,
    StringLookup as StringLookup, TextVectorization as TextVectorization)
