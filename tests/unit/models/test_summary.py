"""model.summary() prints Keras 2's table."""
from layerkit.layers import Add, Dense, Dropout, Input
from layerkit.models import Model, Sequential


def _lines(model, **kw):
    out = []
    model.summary(print_fn=out.append, **kw)
    return out


def test_sequential_summary_table():
    model = Sequential(name="seq")
    model.add(Dense(64, activation="relu", input_dim=20, name="dense_a"))
    model.add(Dropout(0.5, name="drop"))
    model.add(Dense(10, activation="softmax", name="dense_b"))
    assert _lines(model) == [
        'Model: "seq"',
        "_" * 65,
        "Layer (type)                 Output Shape              Param #   ",
        "=" * 65,
        "dense_a (Dense)              (None, 64)                1344      ",
        "_" * 65,
        "drop (Dropout)               (None, 64)                0         ",
        "_" * 65,
        "dense_b (Dense)              (None, 10)                650       ",
        "=" * 65,
        "Total params: 1,994",
        "Trainable params: 1,994",
        "Non-trainable params: 0",
        "_" * 65,
    ]


def test_functional_summary_has_connections_and_truncates_names():
    a = Input(shape=(8,), name="input_1")
    left = Dense(4, name="a_very_long_layer_name_for_truncation")(a)
    right = Dense(4, name="right")(a)
    out = Add(name="add_1")([left, right])
    model = Model(a, out, name="graph")
    model.layers[1].trainable = False
    lines = _lines(model)
    assert lines[0] == 'Model: "graph"'
    assert lines[2].startswith("Layer (type)                    Output Shape         Param #     Connected to")
    assert len(lines[2]) == 98
    assert lines[4] == "input_1 (InputLayer)            (None, 8)            0" + " " * 44
    row = [l for l in lines if l.startswith("a_very_long")][0]
    assert row.startswith("a_very_long_layer_name_for_trun (None, 4)            36          input_1[0][0]")
    add_rows = lines[lines.index([l for l in lines if l.startswith("add_1 (Add)")][0]):]
    assert add_rows[0].rstrip().endswith("a_very_long_layer_name_for_truncation[0][0]"[:33]) or \
        "a_very_long_layer_name_for_truncation[0][0]"[:30] in add_rows[0]
    assert add_rows[1].strip() == "right[0][0]"
    assert "Total params: 72" in lines
    assert "Trainable params: 36" in lines
    assert "Non-trainable params: 36" in lines


def test_summary_line_length_and_positions():
    model = Sequential([Dense(2, input_dim=3, name="d")])
    lines = _lines(model, line_length=40, positions=[0.5, 0.8, 1.0])
    assert lines[1] == "_" * 40
    # Keras overwrites a field's last column with the separating space.
    assert lines[2] == "Layer (type)        Output Shap Param # "
    assert lines[4] == "d (Dense)           (None, 2)   8       "
