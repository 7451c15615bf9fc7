"""Write outcomes/data/world.json: one SVG path per country, projected and simplified once.

Source: Natural Earth's 1:50m countries (public domain), as TopoJSON in the npm
package world-atlas. Regenerate with:

    npm ci --prefix tools/map && .venv/bin/python tools/map/build_map.py

The map is drawn in the Equal Earth projection (areas true to scale), without
Antarctica, in a 960-unit-wide viewBox; shapes are simplified to about a third of
a unit (Douglas-Peucker), rounded to a tenth and written as relative steps.
Countries are keyed by ISO alpha-2 code, mapped from the ISO numeric ids with
pycountry.
"""

import json
import math
from itertools import pairwise
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE = ROOT / "tools/map/node_modules/world-atlas/countries-50m.json"
TARGET = ROOT / "outcomes/data/world.json"
WIDTH = 960
TOLERANCE = 0.35
LEFT_OUT = {"AQ"}  # Antarctica: no outcome reaches it, and it would take a third of the map
# A country drawn smaller than this (in square units of the 960-unit-wide map: about 14 by
# 14, some 5 px square on a phone) gets a mark, a dot at the centroid of its largest
# shape, that the site draws large enough to see and tap (see site.css).
SMALL = 200


def equal_earth(longitude, latitude):
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    m = math.sqrt(3) / 2
    theta = math.asin(m * math.sin(math.radians(latitude)))
    t2, t6 = theta**2, theta**6
    x = (
        math.radians(longitude)
        * math.cos(theta)
        / (m * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2)))
    )
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


def decode_arcs(topology):
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def cut_at_antimeridian(points):
    """A closed ring of (longitude, latitude) as one or more closed rings, none crossing
    the 180th meridian: where a step jumps from one side to the other (Russia's Chukotka,
    Fiji), the ring is cut at the meridian, at the latitude interpolated there, and each
    piece is closed along the meridian. Projected uncut, such a ring would be drawn
    across the whole map, or filled as a wedge.
    """
    pieces = [[points[0]]]
    for (lon1, lat1), (lon2, lat2) in pairwise(points):
        if abs(lon2 - lon1) > 180:
            side = 180 if lon1 > 0 else -180
            east = lon2 + 360 if side == 180 else lon2 - 360  # lon2 continued past the meridian
            share = (side - lon1) / (east - lon1) if east != lon1 else 0
            latitude = lat1 + (lat2 - lat1) * share
            pieces[-1].append((side, latitude))
            pieces.append([(-side, latitude)])
        pieces[-1].append((lon2, lat2))
    if len(pieces) == 1:
        return pieces
    # The ring ends where it starts, so its last piece continues into its first.
    first = pieces.pop(0)
    pieces[-1].extend(first[1:])
    return [piece + [piece[0]] for piece in pieces]


def area_and_centroid(points):
    """Signed area and centroid of a closed ring of (x, y) (shoelace formula)."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in pairwise(points):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if not area:
        xs, ys = [x for x, _ in points], [y for _, y in points]
        return 0.0, ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return area / 2, (cx / (3 * area), cy / (3 * area))


def simplify(points, tolerance):
    """Douglas-Peucker on a list of (x, y)."""
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1e-9
    farthest, index = 0.0, 0
    for i in range(1, len(points) - 1):
        x, y = points[i]
        distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length
        if distance > farthest:
            farthest, index = distance, i
    if farthest <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def simplify_ring(points, tolerance):
    """Douglas-Peucker on a closed ring: split it at the point farthest from its start."""
    if len(points) < 4:
        return points
    x0, y0 = points[0]
    far = max(range(len(points)), key=lambda i: math.hypot(points[i][0] - x0, points[i][1] - y0))
    return simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)


def number(tenths):
    """A coordinate given in tenths, as short as SVG allows: 12, 1.5, .5, -.5."""
    text = f"{tenths / 10:g}"
    return text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text


def path(points):
    """SVG path data of a ring, from its first point in relative steps (much shorter
    than absolute coordinates). Rings are cut at the 180th meridian before they are
    projected, so no step may cross half the map.

    Points are in tenths of a unit (integers), so that the steps add up exactly.
    """
    (x, y), *rest = points
    data = f"M{number(x)} {number(y)}l"
    for i, (x1, y1) in enumerate(rest):
        dx, dy = x1 - x, y1 - y
        if abs(dx) > WIDTH * 5:
            raise ValueError(f"a step across half the map, from {x, y} to {x1, y1}")
        if i and not str(dx).startswith("-"):
            data += " "
        data += number(dx) + ("" if dy < 0 else " ") + number(dy)
        x, y = x1, y1
    return data + "Z"


def main():
    topology = json.loads(SOURCE.read_text())
    arcs = decode_arcs(topology)
    scale = WIDTH / (2 * equal_earth(180, 0)[0])
    shapes = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geometry.get("id", "")).zfill(3))
        if not country or country.alpha_2 in LEFT_OUT:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = []
        for polygon in polygons:
            for indexes in polygon:
                for piece in cut_at_antimeridian(ring(arcs, indexes)):
                    projected = [equal_earth(*point) for point in piece]
                    points = [(WIDTH / 2 + x * scale, -y * scale) for x, y in projected]
                    rings.append(simplify_ring(points, TOLERANCE))
        shapes.setdefault(country.alpha_2, []).extend(rings)
    top = min(y for rings in shapes.values() for ring_ in rings for _, y in ring_)
    bottom = max(y for rings in shapes.values() for ring_ in rings for _, y in ring_)
    paths, small = {}, []
    for code, rings in sorted(shapes.items()):
        parts, areas = [], []
        for points in rings:
            rounded = []
            for x, y in points:
                point = (round(x * 10), round((y - top) * 10))
                if not rounded or point != rounded[-1]:
                    rounded.append(point)
            if len(rounded) < 3:
                # A tiny island: keep it as a small triangle so that it stays visible.
                (x, y) = rounded[0]
                rounded = [(x, y - 8), (x + 8, y + 6), (x - 8, y + 6)]
            parts.append(path(rounded))
            areas.append(area_and_centroid([*rounded, rounded[0]]))
        paths[code] = "".join(parts)
        total = sum(abs(area) for area, _ in areas) / 100  # tenths squared to units squared
        if total < SMALL:
            _, (x, y) = max(areas, key=lambda item: abs(item[0]))
            small.append((total, code, [round(x / 10), round(y / 10)]))
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(
        json.dumps(
            {
                "source": "Natural Earth 1:50m countries (public domain), via world-atlas 2.0.2",
                "viewBox": f"0 0 {WIDTH} {math.ceil(bottom - top)}",
                "countries": paths,
                # Centroids of the small countries, from the largest to the smallest,
                # the order in which the marks are drawn (the smallest on top).
                "marks": {code: point for _, code, point in sorted(small, reverse=True)},
            },
            separators=(",", ":"),
        )
        + "\n"
    )
    print(f"{TARGET.relative_to(ROOT)}: {len(paths)} countries, {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
