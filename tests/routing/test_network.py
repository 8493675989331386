"""The street network: from the simulator's GIS extract and from a city's own GeoJSON."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from routing.network import network_from_data_dir, network_from_geojson
from street_fixtures import one_street


def test_simulated_city_network(ci_world):
    net = network_from_data_dir(ci_world)
    bf = net.blockfaces
    assert len(bf) == 62 and net.info["strongly_connected_components"] == 1
    # regulations came through
    assert bf["paid"].sum() == 24
    assert bf["school_zone"].any() and bf["permit"].any() and bf["time_limited"].any()
    assert {"rush_hour_route", "snow_route", "spaces", "length_m", "traverse_s"} <= set(bf.columns)
    # right-hand traffic: a north kerb is driven westwards, an east kerb northwards
    n = bf[bf["side"] == "N"].iloc[0]
    e = bf[bf["side"] == "E"].iloc[0]
    assert n["x1"] < n["x0"] and e["y1"] > e["y0"]
    T = net.travel_times()
    assert T.shape == (62, 62) and np.isfinite(T).all() and (np.diag(T) == 0).all()
    assert "unreachable_pairs" not in net.info


def test_travel_times_on_a_known_street(monkeypatch):
    monkeypatch.setenv("CIVIC_PATROL_SPEED_KMH", "3.6")
    net = network_from_geojson(one_street())
    assert net.blockfaces.set_index("blockface_id").loc["N0", "traverse_s"] == pytest.approx(100.0, abs=0.05)
    T = net.travel_times(["N0", "N0", "S0"], ["N-1", "S0", "S1"])
    # end of N0 (west end) -> start of N-1: 20 m; -> start of S0: a U-turn, 14 m + 30 s;
    # end of S0 (east end) -> start of S1: 20 m
    assert T[0, 0] == pytest.approx(20.0, abs=0.1)
    assert T[1, 1] == pytest.approx(44.0, abs=0.1)
    assert T[2, 2] == pytest.approx(20.0, abs=0.1)
    # S2 from the end of N0: U-turn, S0, S1 and the turns = 44 + 100 + 20 + 100 + 20
    assert net.travel_times(["N0"], ["S2"])[0, 0] == pytest.approx(284.0, abs=0.2)
    assert net.path("N0", "S2") == ["S0", "S1", "S2"]
    # twice the speed, half the driving (the U-turn penalty is a fixed time)
    fast = network_from_geojson(one_street(), speed_kmh=7.2)
    assert fast.travel_times(["N0"], ["S2"])[0, 0] == pytest.approx(30 + (284.0 - 30) / 2, abs=0.2)


def test_closures_leave_the_network():
    net = network_from_geojson(one_street(), speed_kmh=3.6).without({"S1"})
    assert "S1" not in set(net.blockfaces["blockface_id"])
    assert "S1" not in net.path("N0", "S2")


@pytest.mark.parametrize("breakage, message", [
    (lambda d: d["features"][0].pop("geometry"), "blockface N-2: missing geometry"),
    (lambda d: d["features"][0].__setitem__("geometry", {"type": "Polygon", "coordinates": []}), "must be a LineString"),
    (lambda d: d["features"][1]["properties"].pop("blockface_id"), "feature 2: missing property 'blockface_id'"),
    (lambda d: d["features"][1]["properties"].__setitem__("blockface_id", "N-2"), "duplicate blockface_id N-2"),
    (lambda d: d["features"][0]["properties"].__setitem__("spaces", "many"), "field 'spaces' is not a number"),
    (lambda d: d["features"][0]["properties"].__setitem__("paid", "perhaps"), "field 'paid' is not a boolean"),
    (lambda d: d["features"][0]["properties"].__setitem__("side", "X"), "field 'side' must be N, S, E or W"),
    (lambda d: d["features"][0]["geometry"].__setitem__("coordinates", [[500.0, 43.0], [501.0, 43.0]]), "not WGS84"),
    (lambda d: d.__setitem__("features", []), "no features"),
])
def test_bad_geojson_is_refused_by_name(breakage, message):
    doc = copy.deepcopy(one_street())
    breakage(doc)
    with pytest.raises(ValueError, match=message):
        network_from_geojson(doc)


def test_missing_file_and_bad_speed(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="not found"):
        network_from_geojson(tmp_path / "nope.geojson")
    with pytest.raises(ValueError, match="no blockfaces GeoJSON"):
        network_from_data_dir(tmp_path)
    monkeypatch.setenv("CIVIC_PATROL_SPEED_KMH", "fast")
    with pytest.raises(ValueError, match="CIVIC_PATROL_SPEED_KMH"):
        network_from_geojson(one_street())
