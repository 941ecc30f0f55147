"""plot_model / model_to_dot without pydot and Graphviz (test_plot_model_pydot.py has
the cases with pydot): layerkit's own layout,
written as SVG (parsed as XML here) and PNG (opened with Pillow), for the seed's
mini-Xception, a multi-input model, a Sequential and a nested model."""
import pathlib
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import layerkit
from layerkit import layers
from layerkit.utils import model_visualization
from layerkit.utils.model_visualization import DotGraph, model_to_dot, plot_model
from plot_models import multi_input_model

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "emotion" / "models" / "cnn.py"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _no_graphviz(monkeypatch):
    # The fallback is what these tests check, whether or not pydot is installed.
    monkeypatch.setattr(model_visualization, "_pydot", lambda: None)


@pytest.fixture
def mini_xception(keras_alias):
    source = EXAMPLE.read_text()     # the seed's models/cnn.py: mini_XCEPTION
    namespace = {}
    exec(compile(source, str(EXAMPLE), "exec"), namespace)
    return namespace["mini_XCEPTION"]((64, 64, 1), 2)


def _svg(path):
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    nodes = root.findall(f".//{SVG}g[@class='node']")
    edges = root.findall(f".//{SVG}g[@class='edge']")
    texts = ["".join(t.itertext()) for n in nodes for t in n.findall(f"{SVG}text")]
    return root, nodes, edges, texts


def _boxes(nodes):
    out = {}
    for n in nodes:
        r = n.find(f"{SVG}rect")
        out[n.get("id")] = tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
    return out


def _overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and \
        b[1] < a[1] + a[3]


def test_mini_xception_as_svg(mini_xception, tmp_path):
    path = tmp_path / "xception.svg"
    assert plot_model(mini_xception, to_file=str(path), show_shapes=True) is None
    root, nodes, edges, texts = _svg(path)
    graph_layers = [l for l in mini_xception.layers]
    assert len(nodes) == len(graph_layers)
    # One edge per input of each layer call: the four add() merges have two.
    expected_edges = sum(len(n.input_tensors) for l in graph_layers for n in l._inbound_nodes)
    assert len(edges) == expected_edges
    assert "predictions: Activation" in texts
    assert "output: (None, 2)" in texts and "input: (None, 64, 64, 1)" in texts
    boxes = list(_boxes(nodes).values())
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    width, height = float(root.get("width")[:-2]), float(root.get("height")[:-2])
    assert all(x >= 0 and y >= 0 and x + w <= width and y + h <= height
               for x, y, w, h in boxes)
    # Every edge points down the page (TB): a layer below all of its inputs.
    by_key = _boxes(nodes)
    for e in edges:
        assert by_key[e.get("data-from")][1] < by_key[e.get("data-to")][1]


def test_mini_xception_as_png(mini_xception, tmp_path):
    from PIL import Image
    path = tmp_path / "xception.png"
    plot_model(mini_xception, to_file=str(path), show_shapes=True, dpi=96)
    with Image.open(path) as img:
        img.load()
        assert img.format == "PNG"
        width, height = img.size
        pixels = np.asarray(img.convert("L"))
    # A tall picture (about 40 ranks of boxes), several boxes wide where branches run.
    assert 300 < width < 3000 and 1500 < height < 12000 and height > width
    assert (pixels < 128).mean() > 0.005  # boxes, lines and text were drawn
    lay = DotGraph(*_graph(mini_xception, show_shapes=True), "TB", 96, "m")
    assert lay.create("png")[:8] == b"\x89PNG\r\n\x1a\n"


def _graph(model, **kwargs):
    from layerkit.utils.model_graph import build_graph
    return build_graph(model, **kwargs)


def test_multi_input_model_dtype_and_left_to_right(tmp_path):
    model = multi_input_model()
    path = tmp_path / "multi.svg"
    plot_model(model, to_file=str(path), show_shapes=True, show_dtype=True, rankdir="LR",
               show_layer_activations=True, show_trainable=True)
    root, nodes, edges, texts = _svg(path)
    assert {"image: InputLayer", "meta: InputLayer", "joined: Concatenate", "label: Dense",
            "score: Dense"} <= set(texts)
    assert "dtype: float32" in texts and "activation: softmax" in texts
    assert "trainable: yes" in texts
    assert "input: [(None, 4), (None, 4)]" in texts  # the concatenation's two inputs
    pairs = {(e.get("data-from"), e.get("data-to")) for e in edges}
    assert ("image#0", "conv#0") in pairs and ("meta_dense#0", "joined#0") in pairs
    assert ("joined#0", "label#0") in pairs and ("joined#0", "score#0") in pairs
    by_key = _boxes(nodes)
    for a, b in pairs:  # LR: every edge points right
        assert by_key[a][0] < by_key[b][0]


def test_layer_names_can_be_left_out_and_png_opens(tmp_path):
    from PIL import Image
    path = tmp_path / "multi.png"
    plot_model(multi_input_model(), to_file=str(path), show_layer_names=False, dpi=72)
    with Image.open(path) as img:
        small = img.size
    plot_model(multi_input_model(), to_file=str(path), show_layer_names=False, dpi=144)
    with Image.open(path) as img:
        large = img.size
    # dpi scales the raster: twice the dpi, about twice the pixels each way.
    assert abs(large[0] / small[0] - 2) < 0.25 and abs(large[1] / small[1] - 2) < 0.25
    dot = model_to_dot(multi_input_model(), show_layer_names=False).to_string()
    assert "label=\"Dense\"" in dot and "InputLayer" in dot and "image:" not in dot


def test_model_to_dot_text_lists_nodes_and_edges():
    dot = model_to_dot(multi_input_model(), rankdir="LR", dpi=96)
    assert isinstance(dot, DotGraph)
    text = dot.to_string()
    assert text.startswith('digraph "two_in_two_out"') and "rankdir=LR" in text
    assert text.count(" -> ") == 7
    assert '"joined#0" -> "score#0";' in text


def test_sequential_and_expand_nested(tmp_path):
    inner = layerkit.Sequential([layers.Input((8,)), layers.Dense(4, name="inner_a"),
                                 layers.Dense(4, name="inner_b")], name="block")
    inp = layers.Input((8,), name="x")
    out = layers.Dense(1, name="head")(inner(inp))
    model = layerkit.Model(inp, out)
    collapsed, _ = _graph(model)
    assert [n.lines[0] for n in collapsed] == ["x: InputLayer", "block: Sequential",
                                                "head: Dense"]
    nodes, edges = _graph(model, expand_nested=True)
    names = [n.lines[0] for n in nodes]
    assert "inner_a: Dense" in names and "block: Sequential" not in names
    assert {n.cluster for n in nodes if n.lines[0].startswith("inner")} == {"block"}
    keys = {n.lines[0]: n.key for n in nodes}
    # x feeds the nested model's own input box, which feeds inner_a.
    clusters = {n.key: n.cluster for n in nodes}
    entry = [b for a, b in edges if a == keys["x: InputLayer"]]
    assert len(entry) == 1 and clusters[entry[0]] == "block"
    assert (entry[0], keys["inner_a: Dense"]) in edges
    assert (keys["inner_b: Dense"], keys["head: Dense"]) in edges
    path = tmp_path / "nested.svg"
    plot_model(model, to_file=str(path), expand_nested=True)
    root = ET.parse(path).getroot()
    assert root.findall(f".//{SVG}g[@class='cluster']")


def test_bad_arguments_are_named(tmp_path):
    model = multi_input_model()
    with pytest.raises(ValueError, match="rankdir"):
        plot_model(model, to_file=str(tmp_path / "m.png"), rankdir="BT")
    with pytest.raises(ValueError, match="unsupported file format 'xyz'"):
        plot_model(model, to_file=str(tmp_path / "m.xyz"))
    with pytest.raises(TypeError, match="colour"):
        model_to_dot(model, colour="red")
    assert not (tmp_path / "m.xyz").exists()

    class Sub(layerkit.Model):
        def call(self, x):
            return x
    with pytest.raises(ValueError, match="subclassed|not built"):
        plot_model(Sub(), to_file=str(tmp_path / "s.png"))


def test_keras2_vis_utils_path(keras_alias):
    from keras.utils.vis_utils import model_to_dot as m2d, plot_model as pm
    assert pm is plot_model and m2d is model_to_dot
    from keras.utils import plot_model as pm3
    assert pm3 is plot_model
