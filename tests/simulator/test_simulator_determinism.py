"""Same preset + seed + end date => byte-identical output; another seed => another world."""

from __future__ import annotations

import datetime as dt

import pytest

from data_contracts.sources import SOURCES
from sim_testkit import SIMULATED_SOURCES, tree_hashes


def test_same_seed_gives_identical_files(ci_world, ci_world_again):
    a, b = tree_hashes(ci_world), tree_hashes(ci_world_again)
    assert a.keys() == b.keys()
    differing = [k for k in a if a[k] != b[k]]
    assert not differing, differing[:5]


def test_different_seed_gives_different_files(ci_world, ci_world_seed8):
    a, b = tree_hashes(ci_world), tree_hashes(ci_world_seed8)
    assert a.keys() == b.keys()  # same days, same sources
    events = [k for k in a if k.startswith("landing/alpr_reads") or k.startswith("landing/handheld_tickets")]
    assert events and all(a[k] != b[k] for k in events)


def test_one_file_per_source_per_day(ci_world, ground):
    start = dt.date.fromisoformat(ground["world"]["start_date"])
    end = dt.date.fromisoformat(ground["world"]["end_date"])
    assert (end - start).days + 1 == 5 and end == dt.date(2026, 10, 31)
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range(5)]
    ext = {"csv": "csv", "jsonl": "jsonl", "open311": "json", "json": "json", "geojson": "geojson"}
    reference = {"zones", "blockfaces", "permit_areas", "school_zones", "meters", "exemptions", "assessment_roll", "officers",
                 "wards"}
    for name, src in SOURCES.items():
        if name not in SIMULATED_SOURCES:
            assert not (ci_world / "landing" / name).exists()
            continue
        files = sorted(p.name for p in (ci_world / "landing" / name).iterdir())
        if name in reference:
            assert files == [f"{name}_{days[0]}.{ext[src.format]}"]
        else:
            assert files == [f"{name}_{d}.{ext[src.format]}" for d in days], name


def test_end_date_moves_the_window(tmp_path):
    from simulator import generate

    s = generate("ci", 3, tmp_path, end_date=dt.date(2026, 3, 9))  # spans the spring DST change
    assert s["start_date"] == "2026-03-05" and s["end_date"] == "2026-03-09"
    assert (tmp_path / "landing" / "alpr_reads" / "alpr_reads_2026-03-08.jsonl").exists()


def test_unknown_preset_is_refused(tmp_path):
    from simulator import generate

    with pytest.raises(ValueError):
        generate("galaxy", 1, tmp_path)


def test_autumn_dst_change_is_handled(tmp_path):
    """2026-11-01 has 25 hours in Toronto: offsets switch and naive 311 times stay unambiguous."""
    from simulator import generate
    from sim_testkit import local_day, read_rows, read_csv_dicts, violations

    generate("ci", 11, tmp_path, end_date=dt.date(2026, 11, 3))
    gt = tmp_path / "ground_truth"
    skip = {(d["file"], int(d["row_number"])) for d in read_csv_dicts(gt / "defects.csv") + read_csv_dicts(gt / "duplicates.csv")}
    offsets = set()
    for s in ("alpr_reads", "handheld_tickets", "calls_311", "pbp_vendor_b_sessions"):
        src = SOURCES[s]
        for r in read_rows(tmp_path, s):
            if (r.file, r.row_number) in skip:
                continue
            assert not violations(src, r.record)
            v = r.record[src.event_time]
            if s != "calls_311":
                offsets.add(v[-6:])
            assert local_day(src, v).isoformat() == r.file.rsplit("_", 1)[1].split(".")[0]
            if s == "calls_311" and v.startswith("2026-11-01 01:"):
                raise AssertionError("a naive time in the repeated hour is ambiguous")
    assert offsets == {"-04:00", "-05:00"}

