"""plot_model and model_to_dot (keras.utils, Keras 2's keras.utils.vis_utils).

With pydot installed, model_to_dot returns a pydot.Dot, as Keras's does (DOT text made
here, parsed by pydot; building it needs no Graphviz). plot_model hands the graph to
Graphviz through pydot where Graphviz's `dot` program is there too, so the picture is
Graphviz's, as in Keras. Without them (the usual case) plot_model still writes the
picture, laid out by layerkit (utils/graph_drawing.py): SVG as text,
PNG/JPEG/GIF/BMP/PDF through Pillow; and without pydot model_to_dot returns a
DotGraph holding the DOT text, which can write those files too.
"""
import os

from layerkit.utils import graph_drawing
from layerkit.utils.model_graph import build_graph, to_dot

_RASTER = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "bmp": "BMP",
           "pdf": "PDF", "tif": "TIFF", "tiff": "TIFF"}


def _pydot():
    """The pydot module, or None where it is not installed."""
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def _graphviz_present(pydot):
    try:
        pydot.Dot.create(pydot.Dot())
    except Exception:  # pydot raises OSError/FileNotFoundError without Graphviz
        return False
    return True


def _pydot_with_graphviz():
    """pydot, if it and the Graphviz `dot` program are both there; else None."""
    pydot = _pydot()
    return pydot if pydot is not None and _graphviz_present(pydot) else None


class DotGraph:
    """What model_to_dot returns without pydot: the DOT text (`to_string()`) and the
    laid-out graph, written by `write(path, format=...)` or `create(format)`."""

    def __init__(self, nodes, edges, rankdir, dpi, name):
        self.nodes, self.edges = nodes, edges
        self.rankdir, self.dpi, self.name = rankdir, dpi, name

    def to_string(self):
        return to_dot(self.nodes, self.edges, self.rankdir, self.dpi, self.name)

    def create(self, format="svg"):  # noqa: A002 - pydot's argument name
        """The picture's bytes in `format` (svg, png, jpg, pdf … or dot)."""
        format = format.lower()
        if format in ("dot", "gv", "raw"):
            return self.to_string().encode()
        if format == "svg":
            lay = graph_drawing.layout(self.nodes, self.edges, self.rankdir)
            return graph_drawing.to_svg(self.nodes, lay, self.rankdir, self.dpi).encode()
        if format in _RASTER:
            import io
            try:
                image = graph_drawing.to_image(self.nodes, self.edges, self.rankdir, self.dpi)
            except ImportError:
                raise ImportError(f"plot_model: writing {format.upper()} without Graphviz "
                                  "needs Pillow (pip install pillow); or write an .svg "
                                  "file, which needs nothing.") from None
            buffer = io.BytesIO()
            image.save(buffer, format=_RASTER[format], dpi=(self.dpi, self.dpi))
            return buffer.getvalue()
        raise ValueError(f"plot_model: unsupported file format {format!r}; use one of "
                         f"svg, dot, {', '.join(sorted(_RASTER))}.")

    def write(self, path, format=None):  # noqa: A002
        format = format or os.path.splitext(path)[1][1:] or "png"
        data = self.create(format)
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # never a half-written picture


def _dot_graph(model, show_shapes, show_dtype, show_layer_names, rankdir, expand_nested,
               dpi, show_layer_activations, show_trainable, kwargs):
    if kwargs:
        raise TypeError(f"model_to_dot: unrecognized keyword argument(s) {sorted(kwargs)}.")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f'model_to_dot: rankdir must be "TB" or "LR"; received {rankdir!r}.')
    nodes, edges = build_graph(model, show_shapes=show_shapes, show_dtype=show_dtype,
                               show_layer_names=show_layer_names, expand_nested=expand_nested,
                               show_layer_activations=show_layer_activations,
                               show_trainable=show_trainable)
    return DotGraph(nodes, edges, rankdir, dpi, model.name)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, **kwargs):
    """The model's graph: a pydot.Dot where pydot is installed, else a DotGraph."""
    graph = _dot_graph(model, show_shapes, show_dtype, show_layer_names, rankdir,
                       expand_nested, dpi, show_layer_activations, show_trainable, kwargs)
    pydot = _pydot()
    if pydot is None:
        return graph
    return pydot.graph_from_dot_data(graph.to_string())[0]


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draws the model's graph into `to_file` (its extension picks the format; png if
    none): by Graphviz where pydot and Graphviz are there, else by layerkit's own
    layout. Returns an IPython Image of it where IPython is installed, as Keras does."""
    graph = _dot_graph(model, show_shapes, show_dtype, show_layer_names, rankdir,
                       expand_nested, dpi, show_layer_activations, show_trainable, kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    pydot = _pydot_with_graphviz()
    if pydot is None:
        graph.write(to_file, format=extension)
    else:
        pydot.graph_from_dot_data(graph.to_string())[0].write(to_file, format=extension)
    if extension in ("png", "jpg", "jpeg", "gif"):
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
