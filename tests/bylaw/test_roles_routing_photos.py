"""Users and roles, the routing rule, SLA overrides, photo metadata and the CLI."""

import datetime as dt
import io
import json

import pandas as pd
import pytest
import sqlalchemy as sa

from bylaw import catalogue
from bylaw import cases as C
from bylaw.ops_schema import audit_log, users
from bylaw.roles import ROLE_CAN, NotAllowed, authenticate, create_user
from bylaw.routing import choose_officer
from civic.cli import main as civic_main

NOW = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.timezone.utc)


def test_users_sign_in_with_scrypt_hashes(db):
    create_user(db, "jdoe", "J. Doe", "clerk", "correct horse")
    assert authenticate(db, "jdoe", "correct horse").role == "clerk"
    assert authenticate(db, "jdoe", "wrong horse!") is None and authenticate(db, "nobody", "correct horse") is None
    with db.engine.connect() as c:
        row = c.execute(sa.select(users)).mappings().one()
        audit = c.execute(sa.select(audit_log.c.changes)).scalar_one()
    assert "correct horse" not in repr(dict(row)) and len(row["password_hash"]) == 128
    assert audit["password_hash"] == ["[secret]", "[secret]"]
    with pytest.raises(ValueError, match="exists"):
        create_user(db, "jdoe", "J. Doe", "clerk", "another one")
    with pytest.raises(ValueError, match="role"):
        create_user(db, "x", "X", "mayor", "password1")
    with pytest.raises(NotAllowed):
        create_user(db, "y", "Y", "clerk", "password1", by=authenticate(db, "jdoe", "correct horse"))


def test_only_intake_and_supervisors_see_complainants():
    assert {r for r, can in ROLE_CAN.items() if "complainant.view" in can} == {"clerk", "supervisor"}
    assert ROLE_CAN["council_viewer"] == frozenset({"analytics.view"})


def test_routing_is_deterministic_and_explained():
    officers = pd.DataFrame({"officer_id": ["BY-201", "BY-202", "BY-203"], "home_zone_id": [None, "Z02", "Z01"],
                             "specialty": ["property_standards", "noise", "zoning"]})
    a = choose_officer(officers, {}, "noise", "Z01")
    assert a.officer_id == "BY-202" and "specialty noise" in a.reason
    b = choose_officer(officers, {}, "waste", "Z01")
    assert b.officer_id == "BY-203" and "home zone Z01" in b.reason
    c = choose_officer(officers, {"BY-203": 2}, "waste", "Z02")
    assert c.officer_id == "BY-202"  # zone Z02
    d = choose_officer(officers, {"BY-202": 9, "BY-201": 1}, "noise", "Z02")
    assert d.officer_id != "BY-202" and "passed over for caseload: BY-202" in d.reason
    assert choose_officer(officers, {}, "waste", None) == choose_officer(officers, {}, "waste", None)
    assert choose_officer(officers.iloc[:0], {}, "noise", None).officer_id is None


def test_sla_targets_can_be_overridden_by_file(tmp_path, monkeypatch):
    assert catalogue.sla_target("zoning", "standard").first_inspection_hours == 120
    f = tmp_path / "sla.csv"
    f.write_text("bylaw_type,priority,first_inspection_hours,resolution_days\nzoning,standard,48,30\n")
    monkeypatch.setenv(catalogue.SLA_FILE_ENV, str(f))
    assert catalogue.sla_target("zoning", "standard").first_inspection_hours == 48
    assert catalogue.sla_target("waste", "standard").first_inspection_hours == 120


def test_catalogue_agrees_with_the_demo_city():
    from simulator import names as N

    for bylaw_type, section in N.BYLAW_SECTIONS.items():
        assert catalogue.bylaw_section(bylaw_type) == section
    assert {c[1] for c in N.COMPLAINT_TYPES} == set(catalogue.service_codes())


def _jpeg_with_exif() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (32, 24), "green")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "2026:10:30 14:05:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (43.0, 27.0, 1.71), "W", (80.0, 29.0, 44.42)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_photos_keep_exif_time_and_gps(db, staff, reference, tmp_path):
    case_id = C.create_complaint(db, staff["clerk"], channel="email", bylaw_type="waste", address="102 King St",
                                 reference=reference, now=NOW)["case_id"]
    row = C.add_photo(db, staff["officer"], _jpeg_with_exif(), kind="before", case_id=case_id, file_name="a.jpg",
                      data_dir=tmp_path, now=NOW)
    assert row["taken_at"] == dt.datetime(2026, 10, 30, 18, 5, tzinfo=dt.timezone.utc)  # 14:05 EDT
    assert row["gps_lat"] == pytest.approx(43.45048, abs=1e-4) and row["gps_lon"] == pytest.approx(-80.49567, abs=1e-4)
    assert (tmp_path / row["file_path"]).read_bytes() == _jpeg_with_exif()
    plain = C.add_photo(db, staff["officer"], b"not an image", kind="after", case_id=case_id, data_dir=tmp_path, now=NOW)
    assert plain["taken_at"] is None and plain["gps_lat"] is None
    from bylaw.monitoring import before_after_photos

    pair = before_after_photos(db, case_id, staff["analyst"])
    assert [p["photo_id"] for p in pair["before"]] == [row["photo_id"]] and len(pair["after"]) == 1


def test_cli_add_user_and_import_open311(tmp_path, monkeypatch, sim_dir, capsys):
    monkeypatch.setenv("CIVIC_DATA_DIR", str(sim_dir))
    monkeypatch.setenv("CIVIC_OPS_DB_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    assert civic_main(["bylaw", "add-user", "pat", "--role", "supervisor", "--password", "long-enough"]) == 0
    assert json.loads(capsys.readouterr().out)["role"] == "supervisor"
    assert civic_main(["bylaw", "add-user", "pat", "--role", "clerk", "--password", "long-enough"]) == 2
    capsys.readouterr()
    f = sorted((sim_dir / "landing" / "open311_requests").glob("*.json"))[0]
    assert civic_main(["bylaw", "import-open311", str(f)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["new_cases"] + out["attached"] + out["closed_at_source"] >= 1
