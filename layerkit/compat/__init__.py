"""Running Keras 2 programs unchanged: `alias_keras()` maps `keras` onto layerkit."""
from layerkit.compat.keras_alias import alias_keras, KERAS_SUBMODULES  # noqa: F401
