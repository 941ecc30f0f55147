"""The engine seam: loads the chosen engine and re-exports its contract.

The bottom floor: nothing here imports layerkit above `config` (the public
`layerkit.backend`, Keras's `keras.backend`, is a thin module on the top floor).
"""
import importlib

from layerkit import config
from layerkit.config import (backend, epsilon, floatx, image_data_format, set_epsilon,
                             set_floatx, set_image_data_format)
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.engine.common.stateless_scope import StatelessScope, get_stateless_scope
from layerkit.engine.common.symbolic_tensor import SymbolicTensor, any_symbolic, is_symbolic
from layerkit.engine.common.variables import Variable as _BaseVariable

_ENGINE = config.backend()


def _engine_module(name):
    return importlib.import_module(f"layerkit.engine.{_ENGINE}.{name}")


core = _engine_module("core")
numpy = _engine_module("numpy")
nn = _engine_module("nn")
random = _engine_module("random")
rnn_module = _engine_module("rnn")
foreach = _engine_module("foreach")
elementwise = _engine_module("elementwise")
arrays = _engine_module("arrays")
statistics = _engine_module("statistics")
linalg = _engine_module("linalg")
fft = _engine_module("fft")
control_flow = _engine_module("control_flow")
ctc = _engine_module("ctc")
losses = _engine_module("losses")
distribution = _engine_module("distribution")

Variable = core.Variable
convert_to_tensor = core.convert_to_tensor
convert_to_numpy = core.convert_to_numpy
is_tensor = core.is_tensor
cast = core.cast
cond = core.cond
stop_gradient = core.stop_gradient
compute_output_spec = core.compute_output_spec
rnn = rnn_module.rnn
lstm = rnn_module.lstm
gru = rnn_module.gru


def __getattr__(name):
    # The trainer and profiler modules are loaded on first use: only fit() needs them.
    # So is `sparse` (jax.experimental.sparse takes a while to import).
    if name in ("trainer", "profiler", "sparse"):
        mod = _engine_module(name)
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'layerkit.engine' has no attribute {name!r}")
