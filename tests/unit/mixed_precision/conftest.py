"""Every mixed-precision test starts and ends with the floatx() default policy, in
layerkit and in the real Keras (the oracle), so no policy leaks into other tests."""
import sys

import pytest

from layerkit import dtype_policies


@pytest.fixture(autouse=True)
def _default_policy():
    dtype_policies.reset_dtype_policy()
    yield
    dtype_policies.reset_dtype_policy()
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "config") and \
            hasattr(keras.config, "set_dtype_policy") and keras.__name__ == "keras":
        keras.config.set_dtype_policy("float32")
