"""`layerkit.ops` math functions (Keras 3's `keras.ops.math` names): the engines'
special functions and Fourier transforms, bound at import, and the framed-signal
ops written once over them: extract_sequences, stft, istft (windowed frames, rfft,
overlap-add with segment_sum), and cdist."""
import numpy as np

from layerkit import engine as _engine_package
from layerkit.engine.common.contract import CONTRACT
from layerkit.engine.common.dtypes import standardize_dtype
from layerkit.ops import dispatch as _dispatch
from layerkit.ops import numpy as _np

_fft = _engine_package.fft
_elementwise = _engine_package.elementwise

__all__ = list(CONTRACT["fft"]) + ["rsqrt", "erfc", "erfinv", "logdet", "extract_sequences",
                                   "stft", "istft", "cdist"]
for _name in CONTRACT["fft"]:
    globals()[_name] = _dispatch.graph_op(getattr(_fft, _name), _name, "math")
for _name in ("rsqrt", "erfc", "erfinv"):
    globals()[_name] = _dispatch.graph_op(getattr(_elementwise, _name), _name, "math")
logdet = _dispatch.graph_op(_engine_package.linalg.logdet, "logdet", "math")
del _name


def _op(fn):
    return _dispatch.graph_op(fn, fn.__name__, "math")


@_op
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` values every `sequence_stride` along the last axis:
    (..., length) -> (..., frames, sequence_length)."""
    x = _np.array(x) if not hasattr(x, "shape") else x
    length = x.shape[-1]
    if sequence_length > length:
        raise ValueError(f"extract_sequences: sequence_length ({sequence_length}) exceeds "
                         f"the signal length ({length}).")
    frames = (length - sequence_length) // sequence_stride + 1
    index = (np.arange(frames)[:, None] * sequence_stride + np.arange(sequence_length)[None])
    return _np.take(x, index.astype("int32"), axis=-1)


def _window(window, sequence_length, fft_length, dtype):
    """The analysis window padded (centered) to fft_length; ones for None."""
    if window is None:
        return _np.ones((fft_length,), dtype=dtype), False
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f'window must be "hann", "hamming", a tensor or None; received '
                             f"{window!r}.")
        # The periodic (DFT-even) forms, as scipy.signal.get_window gives them.
        n = np.arange(sequence_length)
        a = 0.5 if window == "hann" else 0.54
        values = a - (1 - a) * np.cos(2 * np.pi * n / sequence_length)
        win = _np.array(values, dtype)
    else:
        win = _np.array(window, dtype) if not hasattr(window, "shape") else \
            _np.array(window, dtype)
        if tuple(win.shape) != (sequence_length,):
            raise ValueError(f"window must have shape ({sequence_length},) (sequence_length); "
                             f"received {tuple(win.shape)}.")
    left = (fft_length - sequence_length) // 2
    return _np.pad(win, [(left, fft_length - sequence_length - left)]), True


@_op
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of the last axis: (real, imag), each
    (..., frames, fft_length // 2 + 1)."""
    x = _np.array(x) if not hasattr(x, "dtype") else x
    dtype = standardize_dtype(x.dtype)
    if dtype not in ("float32", "float64"):
        raise TypeError(f"stft: `x` must be float32 or float64; received {dtype}.")
    if fft_length < sequence_length:
        raise ValueError(f"stft: fft_length ({fft_length}) must be at least sequence_length "
                         f"({sequence_length}).")
    if center:
        half = fft_length // 2
        x = _np.pad(x, [(0, 0)] * (len(x.shape) - 1) + [(half, half)], mode="reflect")
    win, _ = _window(window, sequence_length, fft_length, dtype)
    frames = extract_sequences(x, fft_length, sequence_stride)
    return _fft.rfft(_np.multiply(frames, win), fft_length)


def _overlap_add(frames, stride):
    """(..., F, N) frames added into (..., N + stride * (F - 1)) at offsets f * stride."""
    count, width = frames.shape[-2], frames.shape[-1]
    total = width + stride * (count - 1)
    batch = tuple(frames.shape[:-2])
    flat = _np.reshape(frames, batch + (count * width,))
    flat = _np.moveaxis(flat, -1, 0)
    ids = (np.arange(count)[:, None] * stride + np.arange(width)[None]).reshape(-1)
    out = _np.segment_sum(flat, _np.array(ids.astype("int32")), num_segments=total)
    return _np.moveaxis(out, 0, -1)


@_op
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """The inverse of stft: irfft of each frame, windowed and overlap-added, divided by
    the overlap-added squared window (scipy's istft), then trimmed."""
    real = x[0] if isinstance(x, (tuple, list)) else None
    if real is None or len(x) != 2:
        raise ValueError("istft: `x` must be a tuple (real, imaginary) of two float tensors.")
    if len(real.shape) < 2:
        raise ValueError(f"istft: `x` must have at least 2 dimensions (frames, bins); "
                         f"received shape {tuple(real.shape)}.")
    dtype = standardize_dtype(real.dtype)
    win, windowed = _window(window, sequence_length, fft_length, dtype)
    frames = _np.multiply(_fft.irfft(x, fft_length), win)
    count = real.shape[-2]
    signal = _overlap_add(frames, sequence_stride)
    norm = _overlap_add(_np.broadcast_to(_np.square(win), (count, fft_length)),
                        sequence_stride)
    total = _np.sum(win)
    signal = _np.divide(_np.multiply(signal, total),
                        _np.where(_np.greater(norm, 1e-10), norm, 1.0))
    signal = _np.divide(signal, total if windowed else float(sequence_stride))
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = signal.shape[-1] - fft_length // 2
    else:
        end = signal.shape[-1]
    return signal[..., start:end]


@_op
def cdist(x, y):
    """Euclidean distances between the rows of x (..., m, d) and y (..., n, d)."""
    x = _np.array(x) if not hasattr(x, "shape") else x
    y = _np.array(y) if not hasattr(y, "shape") else y
    if len(x.shape) < 2 or len(y.shape) < 2:
        raise ValueError(f"cdist: both inputs must have rank >= 2; received shapes "
                         f"{tuple(x.shape)} and {tuple(y.shape)}.")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"cdist: the last dimensions must match; received {x.shape[-1]} "
                         f"and {y.shape[-1]}.")
    diff = _np.subtract(_np.expand_dims(x, -2), _np.expand_dims(y, -3))
    return _np.sqrt(_np.sum(_np.multiply(diff, diff), axis=-1))
