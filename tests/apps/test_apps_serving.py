"""apps/serving.py (locating and reading the snapshot) and apps/ui.py formatting."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from snapshot_fixture import DEFAULT_KPIS, write_snapshot

from apps import serving, ui


def test_snapshot_path_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path / "d"))
    assert serving.snapshot_path() == tmp_path / "d" / "serving" / "civic_serving.duckdb"
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(tmp_path / "x.duckdb"))
    assert serving.snapshot_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("CIVIC_SERVING_PATH")
    monkeypatch.delenv("CIVIC_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    assert serving.snapshot_path() == tmp_path / "data" / "serving" / "civic_serving.duckdb"


def test_missing_snapshot_raises_typed_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(tmp_path / "none.duckdb"))
    assert not serving.snapshot_exists()
    with pytest.raises(serving.SnapshotMissing):
        serving.overview_kpis()
    with pytest.raises(serving.SnapshotMissing):
        serving.get_connection()


def test_connection_is_read_only(snapshot_path):
    with pytest.raises(serving.SnapshotUnreadable):
        serving.query("CREATE TABLE marts.x AS SELECT 1 AS a")
    # And the file is untouched: no WAL left behind.
    assert not Path(str(snapshot_path) + ".wal").exists()


def test_reads_typed_rows(snapshot_path):
    kpis = serving.overview_kpis()
    assert list(kpis["kpi"]) == [k["kpi"] for k in DEFAULT_KPIS]
    assert kpis.loc[0, "as_of_day"] == dt.date(2025, 11, 21)
    info = serving.snapshot_info()
    assert info["published_at"] == pd.Timestamp("2025-11-22 06:02", tz="UTC")
    daily = serving.daily_kpis(days=7)
    assert len(daily) == 7 and daily["day"].iloc[-1] == dt.date(2025, 11, 21)
    feed = serving.recent_activity(types=["meter_fault"], limit=2)
    assert list(feed["title"]) == ["Event 24", "Event 17"]
    assert serving.activity_types() == sorted(serving.activity_types())


def test_swapped_snapshot_reopens_connection(snapshot_path):
    first = serving.get_connection()
    assert serving.overview_kpis()["value"].iloc[0] == 48213.5
    kpis = [dict(k) for k in DEFAULT_KPIS]
    kpis[0]["value"] = 1.0
    old_inode = os.stat(snapshot_path).st_ino
    write_snapshot(snapshot_path, kpis=kpis)
    assert os.stat(snapshot_path).st_ino != old_inode
    assert serving.overview_kpis()["value"].iloc[0] == 1.0
    assert serving.get_connection() is not first
    with pytest.raises(duckdb.ConnectionException):  # the old one was closed
        first.execute("SELECT 1")


def test_same_snapshot_reuses_connection(snapshot_path):
    assert serving.get_connection() is serving.get_connection()


@pytest.mark.parametrize(
    "value, unit, expected",
    [
        (48213.5, "$", "$48,213.50"),
        (-5, "$", "-$5.00"),
        (97.26, "%", "97.3%"),
        (1284.0, "count", "1,284"),
        (1.0, "days", "1.0 day"),
        (18.64, "days", "18.6 days"),
        (None, "$", "—"),
        (float("nan"), "%", "—"),
        (2.5, "km", "2.5 km"),
    ],
)
def test_format_value(value, unit, expected):
    assert ui.format_value(value, unit) == expected


@pytest.mark.parametrize(
    "change, expected",
    [(12.5, "+12.5%"), (-0.87, "-0.9%"), (0.0, "0.0%"), (-0.04, "0.0%"), (None, None), (float("inf"), None)],
)
def test_format_change_pct(change, expected):
    assert ui.format_change_pct(change) == expected


def test_format_local_handles_dst():
    assert ui.format_local(pd.Timestamp("2025-07-01 16:00", tz="UTC")) == "2025-07-01 12:00 EDT"
    assert ui.format_local(dt.datetime(2025, 11, 21, 17, 0, tzinfo=dt.timezone.utc)) == "2025-11-21 12:00 EST"
    assert ui.format_local(None) == "—"


def test_md_escape():
    assert ui.md_escape("Paid $3.50 and $4") == r"Paid \$3.50 and \$4"
    assert ui.md_escape(":red[x] *y*") == r"\:red\[x\] \*y\*"
    assert ui.md_escape(None) == ""
