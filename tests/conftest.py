"""Test set-up: the engine is fixed at import by LAYERKIT_BACKEND (default jax)."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")

if os.environ.get("LAYERKIT_BACKEND", "jax") == "jax":
    # On a GPU, JAX's default float32 matmul uses TF32 (about 1e-3 relative
    # error); the number checks here compare against float32 numpy at 1e-5.
    import jax
    jax.config.update("jax_default_matmul_precision", "highest")
else:
    # Likewise torch's cuDNN convolutions default to TF32 on a GPU.
    import torch
    torch.backends.cudnn.allow_tf32 = False


@pytest.fixture
def engine_name():
    from layerkit import engine
    return engine.backend()


@pytest.fixture
def keras_oracle():
    """The real Keras (JAX backend) for number checks, or a skip where it is absent.

    Only a missing `keras` package skips: a Keras that fails to import, or that was
    imported for another backend, is an error of the test set-up and must show."""
    os.environ["KERAS_BACKEND"] = "jax"
    try:
        import keras
    except ModuleNotFoundError as e:
        if e.name != "keras":
            raise
        pytest.skip("real keras (the test oracle) is not installed")
    assert keras.backend.backend() == "jax", (
        f"real keras was imported with the {keras.backend.backend()!r} backend; the oracle "
        "tests need KERAS_BACKEND=jax set before keras is first imported")
    return keras


@pytest.fixture(autouse=True)
def _seeded():
    np.random.seed(1234)
    yield


@pytest.fixture
def keras_alias():
    """`keras` mapped onto layerkit for one test, then the real modules put back."""
    import sys

    from layerkit.compat import alias_keras, keras_alias as alias_module

    saved = {k: v for k, v in sys.modules.items() if k == "keras" or k.startswith("keras.")}
    try:
        yield alias_keras()
    finally:
        for k in [k for k in sys.modules if k == "keras" or k.startswith("keras.")]:
            del sys.modules[k]
        sys.modules.update(saved)
        if alias_module._FINDER in sys.meta_path:
            sys.meta_path.remove(alias_module._FINDER)
