"""Layer cases computed on one engine and compared with the other (see
test_cross_engine.py). Run as a script: `python cross_engine_cases.py OUT.npz`
writes every case's output under the engine in LAYERKIT_BACKEND."""
import sys

import numpy as np

ACTIVATIONS = ["linear", "relu", "sigmoid", "hard_sigmoid", "softmax", "tanh", "elu", "selu",
               "softplus", "softsign", "swish", "gelu", "exponential", "leaky_relu"]


def cases():
    from layerkit import layers
    out = {}
    for act in ACTIVATIONS:
        out[f"dense_{act}"] = (lambda a=act: layers.Dense(5, activation=a), [(4, 6)])
        out[f"activation_{act}"] = (lambda a=act: layers.Activation(a), [(4, 6)])
    out["dense_rank3"] = (lambda: layers.Dense(3), [(2, 4, 6)])
    out["dropout_inference"] = (lambda: layers.Dropout(0.5), [(4, 6)])
    out["flatten"] = (lambda: layers.Flatten(), [(2, 3, 4)])
    out["reshape"] = (lambda: layers.Reshape((4, -1)), [(2, 3, 4)])
    out["permute"] = (lambda: layers.Permute((2, 1)), [(2, 3, 4)])
    out["repeat_vector"] = (lambda: layers.RepeatVector(3), [(2, 4)])
    out["lambda"] = (lambda: layers.Lambda(lambda t: t * 2.0 + 1.0), [(2, 4)])
    for name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        out[f"merge_{name}"] = (lambda n=name: getattr(layers, n)(), [(3, 4), (3, 4)])
    out["concatenate"] = (lambda: layers.Concatenate(axis=-1), [(3, 4), (3, 2)])
    out["dot"] = (lambda: layers.Dot(axes=1, normalize=True), [(3, 4), (3, 4)])
    out["relu_layer"] = (lambda: layers.ReLU(max_value=1.0, negative_slope=0.1,
                                             threshold=0.2), [(3, 5)])
    out["leaky_relu_layer"] = (lambda: layers.LeakyReLU(0.2), [(3, 5)])
    out["elu_layer"] = (lambda: layers.ELU(0.5), [(3, 5)])
    out["softmax_layer"] = (lambda: layers.Softmax(axis=1), [(2, 3, 4)])
    out["prelu_layer"] = (lambda: layers.PReLU(), [(3, 5)])
    return out


def compute(name, factory, shapes):
    from layerkit import engine
    rng = np.random.default_rng(sum(map(ord, name)))
    inputs = [rng.standard_normal(s).astype("float32") for s in shapes]
    layer = factory()
    arg = inputs[0] if len(inputs) == 1 else inputs
    layer(arg)  # build
    weights = [rng.standard_normal(w.shape).astype("float32") * 0.5 for w in layer.get_weights()]
    if weights:
        layer.set_weights(weights)
    return engine.convert_to_numpy(layer(arg, training=False))


def initial_weights():
    from layerkit.layers import Dense
    from layerkit.models import Sequential
    from layerkit.utils import set_random_seed
    set_random_seed(123)
    model = Sequential([Dense(8, input_dim=4, kernel_initializer="glorot_uniform",
                              bias_initializer="random_normal"),
                        Dense(3, kernel_initializer="he_normal"),
                        Dense(2, kernel_initializer="orthogonal")])
    return model.get_weights()


def main(path):
    results = {name: compute(name, f, s) for name, (f, s) in cases().items()}
    for i, w in enumerate(initial_weights()):
        results[f"init_{i}"] = w
    np.savez(path, **results)


if __name__ == "__main__":
    main(sys.argv[1])
