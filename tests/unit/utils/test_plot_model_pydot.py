"""model_to_dot / plot_model where pydot is installed (a test-only dependency, the
`dev` extra): model_to_dot returns a pydot.Dot with one node per layer call and the
model's edges, Graphviz or not; plot_model hands the drawing to Graphviz through pydot
only where Graphviz's `dot` program is there, and otherwise still writes the picture
with layerkit's own layout."""
import xml.etree.ElementTree as ET

import pytest

from layerkit.utils import model_visualization
from layerkit.utils.model_graph import build_graph
from layerkit.utils.model_visualization import model_to_dot, plot_model
from plot_models import multi_input_model

pydot = pytest.importorskip("pydot")
SVG = "{http://www.w3.org/2000/svg}"


def _unquote(name):
    return name[1:-1] if name.startswith('"') and name.endswith('"') else name


def _no_graphviz(monkeypatch):
    monkeypatch.setattr(model_visualization, "_graphviz_present", lambda pydot: False)


def test_model_to_dot_is_a_pydot_graph_of_the_layers(monkeypatch):
    _no_graphviz(monkeypatch)   # building the Dot needs pydot only
    model = multi_input_model()
    dot = model_to_dot(model, show_shapes=True, rankdir="LR")
    assert isinstance(dot, pydot.Dot)
    assert _unquote(dot.get_name()) == "two_in_two_out"
    assert dot.get_graph_defaults()[0]["rankdir"] == "LR"
    nodes, edges = build_graph(model, show_shapes=True)
    names = {_unquote(n.get_name()): n for n in dot.get_nodes()}
    names.pop("node", None), names.pop("graph", None)   # pydot's default statements
    assert set(names) == {n.key for n in nodes}
    labels = " ".join(names[n.key].get_label() for n in nodes)
    for layer in ("image: InputLayer", "meta: InputLayer", "conv: Conv2D", "pool:",
                  "meta_dense: Dense", "joined: Concatenate", "label: Dense", "score: Dense"):
        assert layer in labels
    assert "(None, 14, 14, 4)" in labels   # show_shapes
    got = {(_unquote(e.get_source()), _unquote(e.get_destination())) for e in dot.get_edges()}
    assert got == set(edges) and len(got) == 7
    key = {n.lines[0].split(":")[0]: n.key for n in nodes}
    assert (key["joined"], key["score"]) in got and (key["image"], key["conv"]) in got


def test_plot_model_without_graphviz_draws_with_layerkits_layout(monkeypatch, tmp_path):
    _no_graphviz(monkeypatch)

    def no_graphviz_write(*args, **kwargs):
        raise AssertionError("pydot's write needs Graphviz; it must not be called")
    monkeypatch.setattr(pydot.Dot, "write", no_graphviz_write)
    model = multi_input_model()
    plot_model(model, to_file=str(tmp_path / "m.svg"), show_shapes=True)
    root = ET.parse(tmp_path / "m.svg").getroot()
    assert len(root.findall(f".//{SVG}g[@class='node']")) == 8
    assert len(root.findall(f".//{SVG}g[@class='edge']")) == 7
    plot_model(model, to_file=str(tmp_path / "m.png"))
    from PIL import Image
    with Image.open(tmp_path / "m.png") as image:
        image.load()
        assert image.format == "PNG" and min(image.size) > 50


def test_plot_model_hands_the_graph_to_graphviz_where_it_is_there(monkeypatch, tmp_path):
    monkeypatch.setattr(model_visualization, "_graphviz_present", lambda pydot: True)
    written = []
    monkeypatch.setattr(pydot.Dot, "write",
                        lambda self, path, format="raw", **kw: written.append(
                            (self, path, format)))
    plot_model(multi_input_model(), to_file=str(tmp_path / "g.png"))
    (dot, path, fmt), = written
    assert isinstance(dot, pydot.Dot) and path.endswith("g.png") and fmt == "png"
    assert len(dot.get_edges()) == 7


def test_graphviz_is_missing_here_and_detected():
    """This machine has no Graphviz `dot`; the probe says so rather than failing."""
    import shutil
    present = model_visualization._graphviz_present(pydot)
    assert present == (shutil.which("dot") is not None)
