"""The Review queue page through AppTest, against a snapshot with known detections
(review_queue_snapshot_fixture.py) and a real SQLite ops database: the officer sees the
pending detections oldest first with their evidence, and a confirmation or rejection
writes the right rows with who and when."""

from __future__ import annotations

import ast
import re
import datetime as dt
from pathlib import Path

import pytest
from PIL import Image
from review_queue_snapshot_fixture import write_review_queue_snapshot
from streamlit.testing.v1 import AppTest

from warehouse import ops

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "apps" / "streamlit_app.py"
PAGE = REPO_ROOT / "apps" / "app_pages" / "review_queue.py"
OLDEST = "RD20251121-0000001"


@pytest.fixture
def env(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    photo = data_dir / "alpr-evidence" / "2025" / "11" / "21" / f"{OLDEST}.jpg"
    photo.parent.mkdir(parents=True)
    Image.new("RGB", (8, 4), "white").save(photo, "JPEG")
    monkeypatch.setenv("CIVIC_DATA_DIR", str(data_dir))
    monkeypatch.setenv(ops.OPS_DB_URL_ENV, f"sqlite:///{tmp_path / 'ops.sqlite'}")
    path = write_review_queue_snapshot(tmp_path / "serving" / "civic_serving.duckdb")
    monkeypatch.setenv("CIVIC_SERVING_PATH", str(path))
    db = ops.OpsDB()
    yield db
    db.dispose()


def run_page(officer: str | None = "PK-101") -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    if officer:
        at.selectbox(key="review_officer").select(officer).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def pending_ids(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value.index)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_is_in_the_parking_section_of_the_app(env):
    tree = ast.parse(APP_SCRIPT.read_text())
    pages = next(n.value for n in ast.walk(tree) if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "PAGES")
    sections = {k.value: [(c.args[0].value, c.args[1].value) for c in v.elts] for k, v in zip(pages.keys, pages.values)}
    assert ("review_queue.py", "Review queue") in sections["Parking"]
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    at.switch_page("app_pages/review_queue.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Review queue"]


def test_officers_are_the_active_parking_officers_and_deciding_needs_one(env):
    at = run_page(officer=None)
    assert at.selectbox(key="review_officer").options == ["K3276 (PK-102)", "K7255 (PK-101)"]
    assert not at.button  # no decision forms until the officer says who they are
    assert any("Choose who you are" in i.value for i in at.info)


def test_pending_oldest_first_less_what_the_ops_database_decided(env):
    env.reject("RD20251121-0000002", "PK-102", "signage_issue")
    at = run_page()
    assert pending_ids(at) == [OLDEST, "RD20251121-0000003", "RD20251121-0000004"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Detected", "Plate", "Prov.", "Violation", "Fine ($)", "Zone", "Where", "Confidence"]
    assert table.loc[OLDEST, "Detected"] == "2025-11-20 09:00" and table.loc[OLDEST, "Plate"] == "ABC001"
    m = metrics(at)
    assert (m["Pending (this selection)"], m["Decided today"], m["Decided today by you"]) == ("3", "1", "0")
    captions = " ".join(c.value for c in at.caption)
    assert "enforcement.enf_review_queue" in captions and "ops database" in captions
    assert "data as of 2025-11-21 17:45 EST" in captions


def test_filters_by_zone_violation_and_date(env):
    at = run_page()
    at.selectbox(key="review_zone").select("Z02").run()
    assert pending_ids(at) == [OLDEST, "RD20251121-0000002", "RD20251121-0000004"]
    at.selectbox(key="review_violation").select("meter_unpaid").run()
    assert pending_ids(at) == [OLDEST, "RD20251121-0000004"]
    at.date_input(key="review_dates").set_value((dt.date(2025, 11, 21), dt.date(2025, 11, 21))).run()
    assert pending_ids(at) == ["RD20251121-0000004"]


def test_evidence_of_a_detection(env):
    at = run_page()
    assert at.selectbox(key="review_detection").value == OLDEST
    assert len(at.get("image")) == 1  # the photo is in the data directory
    at.selectbox(key="review_detection").select("RD20251121-0000002").run()
    text = re.sub(r"\\(.)", r"\1", " ".join(md.value for md in at.markdown))  # markdown escapes off
    assert "ABC002" in text and "overtime" in text and "PK-002" in text
    assert "first read 09:00, last read 11:00: 120 min (limit 60 min)" in text
    assert "4 unpaid ticket(s), $260.00 outstanding — scofflaw" in text
    assert "92.0%" in text and "King St (N side)" in text
    assert "photo" in " ".join(i.value for i in at.info).lower()  # the reference, the file is not there
    at.selectbox(key="review_detection").select("RD20251121-0000003").run()
    assert any("kept no photo" in i.value for i in at.info)


def test_confirm_writes_decision_and_ticket_and_shows_the_next(env):
    at = run_page("PK-101")
    at.radio(key="review_issue_method").set_value("mail")
    at.text_input(key="review_make").input("FORD")
    at.text_input(key="review_colour").input("RED")
    before = dt.datetime.now(dt.timezone.utc)
    at.button(key="review_confirm_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    d = env.decision(OLDEST)
    assert (d["decision"], d["officer_id"], d["issue_method"]) == ("confirmed", "PK-101", "mail")
    assert before - dt.timedelta(seconds=1) <= d["decided_at"] <= dt.datetime.now(dt.timezone.utc)
    t = env.ticket(d["ticket_number"])
    assert (t["plate"], t["province"], t["make"], t["colour"], t["model"]) == ("ABC001", "ON", "FORD", "RED", None)
    assert (t["bylaw_code"], t["fine_amount"], t["officer_id"], t["detection_source"]) == ("PK-001", 30.0, "PK-101", "alpr")
    assert t["issued_at"] == dt.datetime(2025, 11, 20, 14, 0, tzinfo=dt.timezone.utc)
    assert t["evidence_ref"] == f"alpr-evidence/2025/11/21/{OLDEST}.jpg"
    assert any(d["ticket_number"] in s.value for s in at.success)
    assert at.selectbox(key="review_detection").value == "RD20251121-0000002"
    assert OLDEST not in pending_ids(at)
    m = metrics(at)
    assert (m["Decided today"], m["Decided today by you"]) == ("1", "1")


def test_reject_with_a_reason_and_a_note(env):
    at = run_page("PK-102")
    at.selectbox(key="review_reason").select("other")
    at.text_input(key="review_note").input("hazard lights, loading")
    at.button(key="review_reject_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    d = env.decision(OLDEST)
    assert (d["decision"], d["reason"], d["reason_note"], d["officer_id"], d["ticket_number"]) == (
        "rejected", "other", "hazard lights, loading", "PK-102", None)
    assert at.selectbox(key="review_detection").value == "RD20251121-0000002"
    # 'other' without a note is refused on the page, and nothing is written
    at.selectbox(key="review_reason").select("other")
    at.button(key="review_reject_submit").click().run()
    assert any("note" in e.value for e in at.error)
    assert env.decision("RD20251121-0000002") is None


def test_a_detection_decided_meanwhile_on_another_screen_is_not_decided_twice(env):
    at = run_page("PK-101")
    env.reject(OLDEST, "PK-102", "misread_plate")  # another officer, after this page showed it
    at.button(key="review_confirm_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("already decided" in w.value for w in at.warning)
    assert env.decision(OLDEST)["officer_id"] == "PK-102"
    assert env.decision("RD20251121-0000002") is None  # the click did not move to the next one
    assert at.selectbox(key="review_detection").value == "RD20251121-0000002"
