"""layerkit's own drawing of a model graph, for plot_model where pydot and Graphviz are
not installed: a layered layout (Sugiyama style) written as SVG, or rasterized with
Pillow for PNG/JPEG/PDF.

Layout: each box goes on the rank of its longest path from an input (so every edge
points down, or right with rankdir LR); the boxes of a rank are ordered by the mean
position of their parents, then of their children (two sweeps of the barycenter
heuristic, which removes most crossings in the branch-and-merge graphs of CNNs);
ranks are stacked with a fixed gap. Edges are straight lines from the bottom of one
box to the top of the next; an edge skipping ranks is drawn as a curve to the side so
it does not run through the boxes between. Sizes are in points (1/72 inch), scaled by
dpi / 72 for raster output, as Graphviz does.
"""
from xml.sax.saxutils import escape

FONT_SIZE = 11.0
LINE_HEIGHT = 15.0
PAD_X, PAD_Y = 10.0, 7.0
RANK_GAP, NODE_GAP, MARGIN = 32.0, 18.0, 12.0


def estimate_width(text, size=FONT_SIZE):
    """Text width in points for a sans-serif font (about 0.58 em per character)."""
    return 0.58 * size * len(text)


class Layout:
    """Boxes (key -> (x, y, width, height), top-left corner) and the picture size."""

    def __init__(self, boxes, width, height, edges, ranks):
        self.boxes, self.width, self.height = boxes, width, height
        self.edges, self.ranks = edges, ranks


def _ranks(keys, edges):
    parents = {k: [] for k in keys}
    for a, b in edges:
        parents[b].append(a)
    rank = {}

    def depth(k, seen=()):
        if k not in rank:
            rank[k] = 1 + max((depth(p, seen + (k,)) for p in parents[k] if p not in seen),
                              default=-1)
        return rank[k]

    for k in keys:
        depth(k)
    return rank, parents


def _order(keys, rank, parents, edges):
    children = {k: [] for k in keys}
    for a, b in edges:
        children[a].append(b)
    levels = {}
    for k in keys:  # keys come in layer order: a stable first guess
        levels.setdefault(rank[k], []).append(k)
    count = max(levels) + 1 if levels else 0
    position = {k: i for lvl in levels.values() for i, k in enumerate(lvl)}

    def sweep(order, neighbours):
        for r in order:
            level = levels.get(r, [])
            key = {}
            for i, k in enumerate(level):
                near = [position[n] for n in neighbours[k]]
                key[k] = sum(near) / len(near) if near else position[k]
            level.sort(key=lambda k: key[k])
            for i, k in enumerate(level):
                position[k] = i

    for _ in range(2):
        sweep(range(1, count), parents)
        sweep(range(count - 2, -1, -1), children)
    return [levels.get(r, []) for r in range(count)]


def layout(nodes, edges, rankdir="TB", measure=estimate_width):
    """Places the GraphNodes; `measure(text)` gives a text's width in points."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f'plot_model: rankdir must be "TB" (vertical) or "LR" (horizontal); '
                         f"received {rankdir!r}.")
    keys = [n.key for n in nodes]
    size = {}
    for n in nodes:
        w = max(measure(line) for line in n.lines) + 2 * PAD_X
        h = len(n.lines) * LINE_HEIGHT + 2 * PAD_Y
        size[n.key] = (w, h)
    rank, parents = _ranks(keys, edges)
    levels = _order(keys, rank, parents, edges)
    across = 0 if rankdir == "TB" else 1  # the axis along which a rank's boxes sit
    extents = [sum(size[k][across] for k in lvl) + NODE_GAP * (len(lvl) - 1)
               for lvl in levels]
    widest = max(extents, default=0.0)
    boxes, along = {}, MARGIN
    for lvl, extent in zip(levels, extents):
        depth = max((size[k][1 - across] for k in lvl), default=0.0)
        cursor = MARGIN + (widest - extent) / 2
        for k in lvl:
            w, h = size[k]
            if rankdir == "TB":
                boxes[k] = (cursor, along + (depth - h) / 2, w, h)
            else:
                boxes[k] = (along + (depth - w) / 2, cursor, w, h)
            cursor += size[k][across] + NODE_GAP
        along += depth + RANK_GAP
    total_along = along - RANK_GAP + MARGIN
    total_across = widest + 2 * MARGIN
    width, height = (total_across, total_along) if rankdir == "TB" else (total_along,
                                                                         total_across)
    return Layout(boxes, width, height, list(edges), rank)


def edge_path(lay, a, b, rankdir):
    """Points of the edge a -> b: start, control point (None for a straight line), end."""
    ax, ay, aw, ah = lay.boxes[a]
    bx, by, bw, bh = lay.boxes[b]
    if rankdir == "TB":
        start, end = (ax + aw / 2, ay + ah), (bx + bw / 2, by)
    else:
        start, end = (ax + aw, ay + ah / 2), (bx, by + bh / 2)
    if lay.ranks[b] - lay.ranks[a] <= 1:
        return start, None, end
    # Skipping ranks: bend beside the boxes in between.
    mid_along = [(s + e) / 2 for s, e in zip(start, end)]
    if rankdir == "TB":
        side = 1 if start[0] >= lay.width / 2 else -1  # bend outwards
        control = (mid_along[0] + 0.35 * lay.width * side, mid_along[1])
    else:
        side = 1 if start[1] >= lay.height / 2 else -1
        control = (mid_along[0], mid_along[1] + 0.35 * lay.height * side)
    return start, control, end


def _arrow_head(tip, previous, length=7.0, half=3.5):
    dx, dy = tip[0] - previous[0], tip[1] - previous[1]
    norm = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    ux, uy = dx / norm, dy / norm
    base = (tip[0] - ux * length, tip[1] - uy * length)
    return [tip, (base[0] - uy * half, base[1] + ux * half),
            (base[0] + uy * half, base[1] - ux * half)]


def _cluster_boxes(nodes, lay):
    found = {}
    for n in nodes:
        if n.cluster is None:
            continue
        x, y, w, h = lay.boxes[n.key]
        box = found.get(n.cluster, (x, y, x + w, y + h))
        found[n.cluster] = (min(box[0], x), min(box[1], y), max(box[2], x + w),
                            max(box[3], y + h))
    return {c: (x0 - 6, y0 - 16, x1 + 6, y1 + 6) for c, (x0, y0, x1, y1) in found.items()}


def to_svg(nodes, lay, rankdir="TB", dpi=200):
    """The picture as SVG text; its width/height attributes are in points."""
    w, h = lay.width, lay.height
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}pt" height="{h:.0f}pt" '
           f'viewBox="0 0 {w:.1f} {h:.1f}" data-dpi="{dpi}">',
           f'<rect x="0" y="0" width="{w:.1f}" height="{h:.1f}" fill="white"/>']
    for name, (x0, y0, x1, y1) in _cluster_boxes(nodes, lay).items():
        out.append(f'<g class="cluster"><rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
                   f'height="{y1 - y0:.1f}" fill="none" stroke="gray" stroke-dasharray="4,3"/>'
                   f'<text x="{x0 + 4:.1f}" y="{y0 + 11:.1f}" font-family="Helvetica,Arial,'
                   f'sans-serif" font-size="9" fill="gray">{escape(name)}</text></g>')
    for a, b in lay.edges:
        start, control, end = edge_path(lay, a, b, rankdir)
        if control is None:
            path = f"M{start[0]:.1f},{start[1]:.1f} L{end[0]:.1f},{end[1]:.1f}"
            before = start
        else:
            path = (f"M{start[0]:.1f},{start[1]:.1f} Q{control[0]:.1f},{control[1]:.1f} "
                    f"{end[0]:.1f},{end[1]:.1f}")
            before = control
        head = " ".join(f"{px:.1f},{py:.1f}" for px, py in _arrow_head(end, before))
        out.append(f'<g class="edge" data-from="{escape(a)}" data-to="{escape(b)}">'
                   f'<path d="{path}" fill="none" stroke="black"/>'
                   f'<polygon points="{head}" fill="black"/></g>')
    for n in nodes:
        x, y, bw, bh = lay.boxes[n.key]
        out.append(f'<g class="node" id="{escape(n.key)}"><rect x="{x:.1f}" y="{y:.1f}" '
                   f'width="{bw:.1f}" height="{bh:.1f}" fill="white" stroke="black"/>')
        for i, line in enumerate(n.lines):
            ty = y + PAD_Y + (i + 0.75) * LINE_HEIGHT
            out.append(f'<text x="{x + bw / 2:.1f}" y="{ty:.1f}" text-anchor="middle" '
                       f'font-family="Helvetica,Arial,sans-serif" '
                       f'font-size="{FONT_SIZE:g}">{escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _quad_points(start, control, end, steps=16):
    pts = []
    for i in range(steps + 1):
        t = i / steps
        pts.append(tuple((1 - t) ** 2 * s + 2 * (1 - t) * t * c + t * t * e
                         for s, c, e in zip(start, control, end)))
    return pts


def to_image(nodes, edges, rankdir="TB", dpi=200):
    """The picture as a Pillow image, dpi / 72 pixels per point."""
    from PIL import Image, ImageDraw, ImageFont
    scale = dpi / 72.0
    font = ImageFont.load_default(size=max(int(round(FONT_SIZE * scale)), 6))
    small = ImageFont.load_default(size=max(int(round(9 * scale)), 5))
    lay = layout(nodes, edges, rankdir, measure=lambda t: font.getlength(t) / scale)
    image = Image.new("RGB", (max(int(lay.width * scale), 1), max(int(lay.height * scale), 1)),
                      "white")
    draw = ImageDraw.Draw(image)
    px = lambda p: (p[0] * scale, p[1] * scale)  # noqa: E731
    line_w = max(int(round(scale)), 1)
    for name, (x0, y0, x1, y1) in _cluster_boxes(nodes, lay).items():
        draw.rectangle([px((x0, y0)), px((x1, y1))], outline="gray", width=line_w)
        draw.text(px((x0 + 4, y0 + 2)), name, fill="gray", font=small)
    for a, b in lay.edges:
        start, control, end = edge_path(lay, a, b, rankdir)
        pts = [start, end] if control is None else _quad_points(start, control, end)
        draw.line([px(p) for p in pts], fill="black", width=line_w)
        draw.polygon([px(p) for p in _arrow_head(end, pts[-2])], fill="black")
    for n in nodes:
        x, y, bw, bh = lay.boxes[n.key]
        draw.rectangle([px((x, y)), px((x + bw, y + bh))], fill="white", outline="black",
                       width=line_w)
        for i, line in enumerate(n.lines):
            cy = y + PAD_Y + (i + 0.5) * LINE_HEIGHT
            draw.text(px((x + bw / 2, cy)), line, fill="black", font=font, anchor="mm")
    return image
