"""The model the plot_model tests draw (with and without pydot)."""
import layerkit
from layerkit import layers


def multi_input_model():
    image = layers.Input((16, 16, 3), name="image")
    meta = layers.Input((4,), name="meta")
    x = layers.Conv2D(4, 3, activation="relu", name="conv")(image)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    h = layers.Dense(4, name="meta_dense")(meta)
    joined = layers.concatenate([x, h], name="joined")
    out_a = layers.Dense(2, activation="softmax", name="label")(joined)
    out_b = layers.Dense(1, name="score")(joined)
    return layerkit.Model([image, meta], [out_a, out_b], name="two_in_two_out")
