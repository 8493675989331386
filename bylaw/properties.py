"""Reference data for case creation: the assessment roll (property and owner), enforcement
zones and the bylaw officers' roster.

Read from the lake (the validated, landed rows; the latest delivery of each key), or, when
the pipeline has not landed a source yet, from its landing files through the same data
contract. Never from the serving snapshot: the roll's owner names are personal
information and stay out of the published marts.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import shapely
from shapely import wkt

from data_contracts.sources import SOURCES
from data_contracts.validate import split
from warehouse.config import Paths, paths as resolve_paths
from warehouse.ingest import delivery_date, landing_files
from warehouse.readers import read_file

PROPERTY_MATCH_RADIUS_ENV = "CIVIC_PROPERTY_MATCH_RADIUS_M"
DEFAULT_PROPERTY_MATCH_RADIUS_M = 40.0
EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (haversine); numpy arrays welcome."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def normalize_address(address: str | None) -> str:
    return re.sub(r"\s+", " ", (address or "").strip().upper().replace(".", ""))


def latest_rows(source_name: str, p: Paths | None = None) -> pd.DataFrame:
    """The source's current rows: the latest delivery of each key, from the lake, else landing."""
    p = p or resolve_paths()
    src = SOURCES[source_name]
    key = list(src.key)
    folder = p.lake / source_name
    if any(folder.glob("*/*.parquet")):
        glob = (folder / "*" / "*.parquet").as_posix()
        order = "_delivered_on DESC, _landed_at DESC, _row_number DESC"
        cols = ", ".join(f'"{c}"' for c in src.field_names)
        return duckdb.sql(
            f"SELECT {cols} FROM read_parquet('{glob}', hive_partitioning = false) "
            f"QUALIFY row_number() OVER (PARTITION BY {', '.join(key)} ORDER BY {order}) = 1").df()
    return landing_rows(source_name, p)[src.field_names]


def landing_rows(source_name: str, p: Paths, skip_prefix: str | None = None) -> pd.DataFrame:
    """The valid rows (the data contract's checks) of a source's landing files, the latest
    delivery of each key, with ``_delivered_on``; files named ``skip_prefix*`` are left out."""
    src = SOURCES[source_name]
    frames = []
    for f in landing_files(p, source_name):
        if skip_prefix and f.name.startswith(skip_prefix):
            continue
        records = read_file(f, src).records
        records["_rid"] = range(len(records))
        good, _ = split(src, records)  # the contract's own checks; rejected rows are the ingestion's business
        good["_delivered_on"] = delivery_date(f)
        frames.append(good)
    if not frames:
        return pd.DataFrame(columns=src.field_names + ["_delivered_on"])
    rows = pd.concat(frames, ignore_index=True).sort_values("_delivered_on", kind="stable")
    return rows.drop_duplicates(list(src.key), keep="last").reset_index(drop=True)


@dataclass
class Reference:
    """The roll, the zones and the bylaw officers, loaded once (a screen caches it)."""

    properties: pd.DataFrame
    zones: list[tuple[str, object]] = field(default_factory=list)  # (zone_id, shapely geometry)
    officers: pd.DataFrame = field(default_factory=pd.DataFrame)

    def zone_of(self, lat: float | None, lon: float | None) -> str | None:
        if lat is None or lon is None or _nan(lat) or _nan(lon):
            return None
        point = shapely.Point(lon, lat)
        return next((z for z, geom in self.zones if geom.covers(point)), None)

    def property_by_roll(self, roll_number: str | None) -> dict | None:
        if not roll_number or self.properties.empty:
            return None
        hit = self.properties[self.properties["roll_number"] == str(roll_number)]
        return None if hit.empty else self._describe(hit.iloc[0], "roll_number", 0.0)

    def find_property(self, *, roll_number: str | None = None, address: str | None = None,
                      lat: float | None = None, lon: float | None = None,
                      radius_m: float | None = None) -> dict | None:
        """The property at a roll number, else at the address, else the nearest one within
        ``radius_m`` (``CIVIC_PROPERTY_MATCH_RADIUS_M``, default 40) of the point; with how it matched."""
        found = self.property_by_roll(roll_number)
        if found or self.properties.empty:
            return found
        if address:
            hit = self.properties[self.properties["_address_key"] == normalize_address(address)]
            if not hit.empty:
                return self._describe(hit.iloc[0], "address", None)
        if lat is not None and lon is not None and not (_nan(lat) or _nan(lon)):
            radius = radius_m if radius_m is not None else float(
                os.environ.get(PROPERTY_MATCH_RADIUS_ENV, DEFAULT_PROPERTY_MATCH_RADIUS_M))
            d = distance_m(lat, lon, self.properties["lat"].to_numpy(float), self.properties["lon"].to_numpy(float))
            i = int(np.argmin(d))
            if d[i] <= radius:
                return self._describe(self.properties.iloc[i], "nearest", float(d[i]))
        return None

    def bylaw_officers(self) -> pd.DataFrame:
        """Active bylaw officers: officer_id, home_zone_id, specialty."""
        o = self.officers
        if o.empty:
            return pd.DataFrame(columns=["officer_id", "home_zone_id", "specialty"])
        active = o["active"].astype(str).str.lower().isin(["true", "1"])
        return o[(o["unit"] == "bylaw") & active][["officer_id", "home_zone_id", "specialty"]].reset_index(drop=True)

    def _describe(self, row: pd.Series, match: str, distance: float | None) -> dict:
        out = {k: (None if _nan(row[k]) else row[k]) for k in
               ("roll_number", "address", "lat", "lon", "ward", "owner_name", "property_class")}
        out["lat"], out["lon"] = float(row["lat"]), float(row["lon"])
        out["zone_id"] = self.zone_of(out["lat"], out["lon"])
        out["match"], out["distance_m"] = match, distance
        return out


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def load_reference(data_dir: str | os.PathLike | Path | None = None) -> Reference:
    """The data directory's roll, zones and officers (see the module doc for where from)."""
    p = resolve_paths(data_dir)
    props = latest_rows("assessment_roll", p)
    props["roll_number"] = props["roll_number"].astype(str)
    props["lat"] = pd.to_numeric(props["lat"])
    props["lon"] = pd.to_numeric(props["lon"])
    props["_address_key"] = props["address"].map(normalize_address)
    zones = [(r["zone_id"], wkt.loads(r["geometry"]) if isinstance(r["geometry"], str) else r["geometry"])
             for _, r in latest_rows("zones", p).iterrows()]
    return Reference(props.reset_index(drop=True), zones, latest_rows("officers", p))
