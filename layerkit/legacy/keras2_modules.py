"""Keras 2's module paths (`keras.layers.recurrent`, `keras.utils.generic_utils` …) as
modules whose names are looked up in their layerkit home when they are read.

Each path lists the public names Keras 2.x had there. A name is resolved at access
time, not at import, so a layer that lands in `layerkit.layers` later (LSTM, ConvLSTM2D,
TimeDistributed …) appears under its Keras 2 path without a change here, and
`from keras.layers.recurrent import LSTM` names the missing layer in its error until
then. `keras_alias` answers imports of these paths with `module_for(path)`.
"""
import importlib
import types

L, U, M, S = "layerkit.layers", "layerkit.utils", "layerkit.models", "layerkit.saving"

_CONV = ("Conv1D Conv2D Conv3D Conv2DTranspose Conv3DTranspose Conv1DTranspose "
         "SeparableConv1D SeparableConv2D DepthwiseConv2D Convolution1D Convolution2D "
         "Convolution3D Deconvolution2D Deconvolution3D SeparableConvolution1D "
         "SeparableConvolution2D UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D "
         "ZeroPadding2D ZeroPadding3D Cropping1D Cropping2D Cropping3D")
_POOL = ("MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D AveragePooling2D "
         "AveragePooling3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D "
         "GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D MaxPool1D "
         "MaxPool2D MaxPool3D AvgPool1D AvgPool2D AvgPool3D GlobalMaxPool1D GlobalMaxPool2D "
         "GlobalMaxPool3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D")
_CORE = ("Dense Activation Dropout Flatten Reshape Permute RepeatVector Lambda "
         "ActivityRegularization Masking SpatialDropout1D SpatialDropout2D SpatialDropout3D")
_MERGE = ("Add Subtract Multiply Average Maximum Minimum Concatenate Dot add subtract "
          "multiply average maximum minimum concatenate dot")
# tf.keras 2.x's experimental preprocessing layers; RandomHeight, RandomWidth,
# HashedCrossing and the PreprocessingLayer base are not in layerkit (the test lists
# them as pending).
_PREPROCESSING = ("CategoryEncoding CenterCrop Discretization HashedCrossing Hashing "
                  "IntegerLookup Normalization PreprocessingLayer RandomContrast RandomCrop "
                  "RandomFlip RandomHeight RandomRotation RandomTranslation RandomWidth "
                  "RandomZoom Rescaling Resizing StringLookup TextVectorization")
# Keras 2.3's keras/callbacks/callbacks.py (TensorBoard lived beside it, in
# keras.callbacks.tensorboard_v2/v1); BaseLogger is not in layerkit (fit averages the
# epoch's logs itself).
_CALLBACKS = ("Callback CallbackList BaseLogger TerminateOnNaN ProgbarLogger History "
              "ModelCheckpoint EarlyStopping RemoteMonitor LearningRateScheduler "
              "ReduceLROnPlateau CSVLogger LambdaCallback")
_ENGINE = {"Layer": L, "InputSpec": L, "Input": L, "InputLayer": L, "Model": M,
           "Network": ("layerkit.models", "Functional"),
           "Container": ("layerkit.models", "Functional"),
           "get_source_inputs": "layerkit.legacy.layer_utils"}

# path -> {Keras 2 name: home module, or (home module, name there)}
_TABLE = {
    "keras.layers.core": dict.fromkeys(_CORE.split(), L),
    "keras.layers.merge": dict.fromkeys(_MERGE.split(), L),
    "keras.layers.embeddings": {"Embedding": L},
    "keras.layers.recurrent": dict.fromkeys(
        "RNN SimpleRNN GRU LSTM SimpleRNNCell GRUCell LSTMCell StackedRNNCells".split(), L),
    "keras.layers.convolutional": dict.fromkeys(_CONV.split(), L),
    "keras.layers.convolutional_recurrent": dict.fromkeys(
        ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "ConvLSTM2DCell", "ConvLSTMCell"], L),
    "keras.layers.pooling": dict.fromkeys(_POOL.split(), L),
    "keras.layers.normalization": dict.fromkeys(["BatchNormalization",
                                                 "LayerNormalization"], L),
    "keras.layers.advanced_activations": dict.fromkeys(
        "LeakyReLU PReLU ELU ThresholdedReLU Softmax ReLU".split(), L),
    "keras.layers.noise": dict.fromkeys("GaussianNoise GaussianDropout AlphaDropout".split(), L),
    "keras.layers.wrappers": dict.fromkeys(["Wrapper", "Bidirectional", "TimeDistributed"], L),
    "keras.layers.local": dict.fromkeys(["LocallyConnected1D", "LocallyConnected2D"], L),
    "keras.layers.experimental": {"EinsumDense": L},
    "keras.layers.experimental.preprocessing": dict.fromkeys(_PREPROCESSING.split(), L),
    "keras.layers.cudnn_recurrent": dict.fromkeys(["CuDNNLSTM", "CuDNNGRU"],
                                                  "layerkit.legacy.cudnn_recurrent"),
    "keras.callbacks.callbacks": dict.fromkeys(_CALLBACKS.split(), "layerkit.callbacks"),
    "keras.utils.data_utils": {"get_file": U, "Sequence": U},
    "keras.utils.generic_utils": {
        "get_custom_objects": S, "CustomObjectScope": S, "custom_object_scope": S,
        "Progbar": U, "to_list": "layerkit.legacy.generic_utils",
        "unpack_singleton": "layerkit.legacy.generic_utils",
        "serialize_keras_object": S, "deserialize_keras_object": S,
        "has_arg": "layerkit.legacy.generic_utils"},
    "keras.utils.io_utils": {"HDF5Matrix": "layerkit.legacy.hdf5_matrix",
                             "ask_to_proceed_with_overwrite": "layerkit.legacy.generic_utils"},
    "keras.utils.vis_utils": {"plot_model": U, "model_to_dot": U},
    "keras.utils.layer_utils": dict.fromkeys(
        ["print_summary", "count_params", "convert_all_kernels_in_model",
         "get_source_inputs"], "layerkit.legacy.layer_utils"),
    "keras.utils.np_utils": {"to_categorical": U, "normalize": U},
    "keras.mixed_precision.experimental": dict.fromkeys(
        ["Policy", "set_policy", "global_policy", "LossScaleOptimizer"],
        "layerkit.legacy.mixed_precision"),
    "keras.engine": _ENGINE,
    "keras.engine.topology": dict(_ENGINE, Node=("layerkit.layers.node", "Node")),
    "keras.engine.base_layer": {"Layer": L, "InputSpec": L},
    "keras.engine.input_layer": {"Input": L, "InputLayer": L},
    "keras.engine.training": {"Model": M},
    "keras.engine.sequential": {"Sequential": M},
    "keras.engine.network": {"Network": ("layerkit.models", "Functional"),
                             "get_source_inputs": "layerkit.legacy.layer_utils"},
}


def keras2_paths():
    return sorted(_TABLE)


def names_of(path):
    return sorted(_TABLE[path])


class Keras2Module(types.ModuleType):
    """A Keras 2 module path; its names come from their layerkit homes when read."""

    def __init__(self, path, table):
        super().__init__(path, f"Keras 2's `{path}`, mapped onto layerkit.")
        self._table = table
        self.__path__ = []  # a package, so deeper Keras 2 paths below it import too

    def __getattr__(self, name):
        table = self.__dict__.get("_table", {})
        if name not in table:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        home = table[name]
        module, attr = home if isinstance(home, tuple) else (home, name)
        value = getattr(importlib.import_module(module), attr, None)
        if value is None:
            raise AttributeError(
                f"{self.__name__}.{name}: layerkit has no {attr} in {module} yet (Keras 2 "
                f"had it here); see the README's Keras 2 section for what is supported.")
        return value

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._table))

    @property
    def __all__(self):
        return [n for n in sorted(self._table) if _available(self, n)]


def _available(module, name):
    try:
        getattr(module, name)
        return True
    except (AttributeError, ImportError):
        return False


_MODULES = {}


def module_for(path):
    """The module object for a Keras 2 path (one per path), or None if it is not one."""
    if path not in _TABLE:
        return None
    if path not in _MODULES:
        _MODULES[path] = Keras2Module(path, _TABLE[path])
    return _MODULES[path]
