"""Small models covering the saved layer kinds, shared by the saving tests.

Each builder takes the package (`layerkit`, or real `keras` for the oracle side)
so the same architecture is made on both sides."""
import numpy as np


def conv_model(k):
    L = k.layers
    inputs = k.Input((8, 8, 3), name="image")
    x = L.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = L.BatchNormalization(name="bn")(x)
    x = L.SeparableConv2D(6, 3, name="sep")(x)
    x = L.MaxPooling2D(name="pool")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    x = L.Dropout(0.25, name="drop")(x)
    outputs = L.Dense(3, activation="softmax", name="out")(x)
    return k.Model(inputs, outputs, name="conv_net")


def text_model(k):
    L = k.layers
    return k.Sequential([k.Input((5,), dtype="int32"), L.Embedding(20, 4, name="emb"),
                         L.Flatten(name="flat"), L.Dense(6, activation="tanh", name="hidden"),
                         L.Dropout(0.3, name="drop"), L.Dense(1, name="out")], name="text")


def conv_data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8, 8, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    return x, y


def text_data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 20, (n, 5)).astype("int32"), rng.normal(size=(n, 1)).astype("float32")


def compiled_conv_model(k):
    model = conv_model(k)
    model.compile(optimizer=k.optimizers.Adam(1e-2), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def dense_bn_model(k):
    L = k.layers
    return k.Sequential([k.Input((4,)), L.Dense(8, activation="relu", name="hidden"),
                         L.BatchNormalization(name="bn"), L.Dense(2, name="out")],
                        name="dense_bn")


def dense_bn_data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.normal(size=(n, 2)).astype("float32")


def nested_multi_io_model(k):
    """Two inputs through one shared Dense and a nested Sequential, two outputs."""
    L = k.layers
    inner = k.Sequential([k.Input((4,)), L.Dense(5, name="in_d"),
                          L.BatchNormalization(name="in_bn")], name="inner")
    a, b = k.Input((4,), name="a"), k.Input((4,), name="b")
    shared = L.Dense(4, name="shared")
    h = L.Concatenate(name="cat")([inner(shared(a)), inner(shared(b))])
    out1 = L.Dense(1, name="o1")(h)
    out2 = L.Dense(2, activation="softmax", name="o2")(h)
    model = k.Model([a, b], [out1, out2], name="multi")
    model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"])
    return model


def nested_multi_io_data(n=8, seed=0):
    rng = np.random.default_rng(seed)
    x = [rng.normal(size=(n, 4)).astype("float32") for _ in range(2)]
    y = [rng.normal(size=(n, 1)).astype("float32"),
         np.eye(2, dtype="float32")[np.arange(n) % 2]]
    return x, y
