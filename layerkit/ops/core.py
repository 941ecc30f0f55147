"""`layerkit.ops` core functions: conversion, control flow, shapes and dtypes."""
from layerkit import backend as _backend
from layerkit.backend.common.dtypes import standardize_dtype

convert_to_tensor = _backend.convert_to_tensor
convert_to_numpy = _backend.convert_to_numpy
is_tensor = _backend.is_tensor
cast = _backend.cast
cond = _backend.cond
stop_gradient = _backend.stop_gradient


def shape(x):
    """The static shape of a tensor (or symbolic tensor) as a tuple."""
    return tuple(x.shape)


def dtype(x):
    return standardize_dtype(x.dtype)
