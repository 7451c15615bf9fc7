"""The world map and bar charts, drawn on the server (plain SVG, no script). The country
shapes come from outcomes/data/world.json (tools/map/build_map.py, from Natural Earth)."""

import json
from functools import cache
from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext_lazy

WORLD = Path(__file__).resolve().parent / "data" / "world.json"
SHADES = 6  # classes shade-1 … shade-6 in site.css, light to dark


@cache
def world():
    return json.loads(WORLD.read_text())


def shade_bins(largest):
    """Count ranges for the shades, doubling: 1, 2–3, 4–7, 8–15…, as many as needed."""
    bins: list[tuple[int, int]] = []
    low = 1
    while low <= largest and len(bins) < SHADES:
        high = low * 2 - 1 if len(bins) < SHADES - 1 else largest
        bins.append((low, min(high, largest)))
        low = high + 1
    return bins


def world_map(counts, names, highlight=(), later=None):
    """`counts` and `names` of countries by ISO code; `highlight`: a region's members;
    `later`: how many of each country's outcomes have a later report. A small country with
    outcomes gets a dot (world.json's "marks"), drawn last, largest country first, so that
    each dot is over the land around it and a smaller one over a larger."""
    bins = shade_bins(max(counts.values(), default=0))

    def shade(count):
        return next((i for i, (low, high) in enumerate(bins, 1) if low <= count <= high), 0)

    countries = [
        {
            "code": code,
            "d": path,
            "count": counts.get(code, 0),
            "later": (later or {}).get(code, 0),
            "shade": shade(counts.get(code, 0)),
            "name": names.get(code, code),
            "url": reverse("outcomes:country", args=[code.lower()]) if code in counts else "",
            "highlight": code in highlight,
            "mark": world()["marks"].get(code) if counts.get(code) else None,
        }
        for code, path in world()["countries"].items()
    ]
    order = {code: i for i, code in enumerate(world()["marks"])}
    countries.sort(key=lambda country: order[country["code"]] + 1 if country["mark"] else 0)
    return {
        "viewBox": world()["viewBox"],
        "countries": countries,
        "legend": [
            {
                "shade": i,
                "label": ngettext_lazy("%(count)s outcome", "%(count)s outcomes", "count")
                % {"count": low}
                if low == high
                else gettext_lazy("%(low)s–%(high)s outcomes") % {"low": low, "high": high},
            }
            for i, (low, high) in enumerate(bins, 1)
        ],
        "highlight": bool(highlight),
    }


def shares(rows):
    """Bar chart rows [(label, part, whole, url)], each bar the part's percent of its whole."""
    return [
        {
            "label": label,
            "value": part,
            "whole": whole,
            "url": url,
            "percent": round(100 * part / whole, 1) if whole else 0,
        }
        for label, part, whole, url in rows
    ]


def bars(rows):
    """Bar chart rows [(label, value, url)] with each bar's length in percent of the largest."""
    largest = max((value for _, value, _ in rows), default=0) or 1
    return shares([(label, value, largest, url) for label, value, url in rows])
