"""Hand-made street networks with known answers, for the routing tests."""

from __future__ import annotations

import math

LAT0, LON0 = 43.45, -80.49
M_LAT = 111_132.0
M_LON = 111_320.0 * math.cos(math.radians(LAT0))


def lonlat(x: float, y: float) -> list[float]:
    return [LON0 + x / M_LON, LAT0 + y / M_LAT]


def feature(bid: str, x0, y0, x1, y1, **props) -> dict:
    return {"type": "Feature", "properties": {"blockface_id": bid, "zone_id": "Z", **props},
            "geometry": {"type": "LineString", "coordinates": [lonlat(x0, y0), lonlat(x1, y1)]}}


def one_street(segments=range(-2, 3)) -> dict:
    """An east-west street of 100 m blocks 20 m apart (block k spans x = 120k +- 50), both
    kerbs 7 m off the centre line: ``N<k>`` (driven westwards) and ``S<k>`` (eastwards).

    At 3.6 km/h (1 m/s) every blockface takes 100 s, the turn between two blocks 20 s and a
    U-turn onto the opposite kerb 14 s + 30 s (CIVIC_ROUTING_UTURN_S)."""
    feats = []
    for k in segments:
        a, b = 120 * k - 50, 120 * k + 50
        feats.append(feature(f"N{k}", a, 7, b, 7, side="N", spaces=15, street="Main St"))
        feats.append(feature(f"S{k}", a, -7, b, -7, side="S", spaces=15, street="Main St"))
    return {"type": "FeatureCollection", "features": feats}
