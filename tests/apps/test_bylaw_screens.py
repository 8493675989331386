"""The bylaw operational screens (Intake, Case work, Monitoring) through AppTest, against a
real SQLite ops database and the ci city's assessment roll, zones and officers (simulated once,
landing files only), with the real ``bylaw`` functions: sign-in and roles, intake with the
roll look-up and duplicates, the officer's plan, inspection, notice (PDF) and closure, the
supervisor's monitoring, optimistic locking, and the complainant's confidentiality on every
page for every role."""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from bylaw import cases, catalogue
from bylaw.ops_schema import audit_log, case_status_changes, complaints, inspections, notices, photos, remediation_works
from bylaw.ops_schema import cases as cases_table
from bylaw.properties import load_reference
from bylaw.roles import create_user
from data_contracts.sources import CITY_TZ
from apps import ui
from warehouse import ops

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = REPO_ROOT / "apps" / "streamlit_app.py"
PAGES = REPO_ROOT / "apps" / "app_pages"
INTAKE, CASEWORK, MONITORING = (str(PAGES / f"bylaw_{n}.py") for n in ("intake", "casework", "monitoring"))
ROLES = ("clerk", "officer", "supervisor", "analyst", "council_viewer")
ADDRESS = "102 King St"  # roll 3012010000000010000, zone Z01, owner Victoria Walker Developments Inc.
IDENTITY = ("Zelda Quixote", "519-555-0199", "zelda.quixote@example.org")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    from simulator import generate

    out = tmp_path_factory.mktemp("bylaw_screens_ci_7")
    generate("ci", 7, out)
    return out / "landing"


@pytest.fixture
def env(tmp_path, monkeypatch, landing):
    data_dir = tmp_path / "data"
    for source in ("assessment_roll", "zones", "officers"):
        shutil.copytree(landing / source, data_dir / "landing" / source)
    monkeypatch.setenv("CIVIC_DATA_DIR", str(data_dir))
    monkeypatch.setenv(ops.OPS_DB_URL_ENV, f"sqlite:///{tmp_path / 'ops.sqlite'}")
    db = ops.OpsDB()
    staff = {r: create_user(db, r, f"{r.title()} Person", r, f"{r}-password",
                            officer_id="BY-202" if r == "officer" else None) for r in ROLES}
    yield SimpleNamespace(db=db, staff=staff, ref=load_reference(data_dir), data_dir=data_dir)
    db.dispose()


def jpeg(gps: bool = True, stamp: str = "2026:11:20 10:15:00") -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = stamp
    if gps:
        g = exif.get_ifd(0x8825)
        g[1], g[2], g[3], g[4] = "N", (43.0, 27.0, 1.71), "W", (80.0, 29.0, 44.42)
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def complaint(env, **kw) -> dict:
    args = dict(channel="phone", bylaw_type="noise", address=ADDRESS, description="Loud music every night",
                complainant_name=IDENTITY[0], complainant_phone=IDENTITY[1], complainant_email=IDENTITY[2],
                reference=env.ref)
    return cases.create_complaint(env.db, env.staff["clerk"], **{**args, **kw})


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(page: str, user_id: str, password: str | None = None) -> AppTest:
    at = ok(AppTest.from_file(page, default_timeout=60).run())
    at.text_input(key="auth_user_id").input(user_id)
    at.text_input(key="auth_password").input(password or f"{user_id}-password")
    return ok(at.button(key="auth_submit").click().run())


def rows(env, table, *where) -> list[dict]:
    with env.db.engine.connect() as c:
        return [dict(r) for r in c.execute(sa.select(table).where(*where)).mappings()]


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


# AppTest does not expose a dataframe's key: each table is known by a column of its own.
TABLE_COLUMN = {"intake_duplicates": "Same property", "casework_plan": "Stop", "casework_prior": "Outcome",
                "casework_timeline": "Summary", "monitoring_breaches": "Target missed",
                "monitoring_overdue": "Deadline passed on", "monitoring_remediation": "Contractor",
                "monitoring_tax_roll": "work_id", "monitoring_works": "Done by"}


def frame(at: AppTest, key: str):
    (df,) = [d.value for d in at.dataframe if TABLE_COLUMN[key] in d.value.columns]
    return df


def all_text(at: AppTest) -> str:
    """Every element's content on the page (protobuf text of each node, tables included)."""
    out: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    out += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(out)


# --------------------------------------------------------------------------- #
# Registration, sign-in, roles
# --------------------------------------------------------------------------- #


def test_pages_are_in_the_bylaw_section_and_ask_for_sign_in(env):
    tree = ast.parse(APP_SCRIPT.read_text())
    pages = next(n.value for n in ast.walk(tree) if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "PAGES")
    sections = {k.value: [c.args[0].value for c in v.elts] for k, v in zip(pages.keys, pages.values)}
    assert {"bylaw_intake.py", "bylaw_casework.py", "bylaw_monitoring.py", "bylaw_analytics.py"} <= set(sections["Bylaw"])
    assert "review_queue.py" in sections["Parking"]
    at = ok(AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run())
    for name, title in (("bylaw_intake.py", "Sign in"), ("bylaw_casework.py", "Sign in"), ("bylaw_monitoring.py", "Sign in")):
        ok(at.switch_page(f"app_pages/{name}").run())
        assert title in texts(at, "subheader")
        assert at.text_input(key="auth_password") is not None


def test_wrong_password_is_refused_and_roles_are_checked(env):
    at = sign_in(INTAKE, "clerk", "not-the-password")
    assert any("Wrong user id or password" in e for e in texts(at, "error"))
    assert "bylaw_user" not in at.session_state
    at = sign_in(INTAKE, "clerk")
    assert at.session_state["bylaw_user"].user_id == "clerk" and at.session_state["bylaw_role"] == "clerk"
    assert texts(at, "header") == ["Bylaw intake"]
    refused = {(page, role) for page in (INTAKE, CASEWORK, MONITORING) for role in ROLES
               if any("is not available" in w for w in texts(sign_in(page, role), "warning"))}
    assert refused == {(INTAKE, "officer"), (INTAKE, "analyst"), (INTAKE, "council_viewer"),
                       (CASEWORK, "clerk"), (CASEWORK, "analyst"), (CASEWORK, "council_viewer"),
                       (MONITORING, "clerk"), (MONITORING, "officer"), (MONITORING, "council_viewer")}
    at = sign_in(MONITORING, "council_viewer")
    ok(at.button(key="auth_sign_out").click().run())
    assert "bylaw_user" not in at.session_state and "Sign in" in texts(at, "subheader")


# --------------------------------------------------------------------------- #
# Intake
# --------------------------------------------------------------------------- #


def test_intake_looks_up_the_roll_saves_and_explains_the_assignment(env):
    at = sign_in(INTAKE, "clerk")
    captions = " ".join(texts(at, "caption"))
    assert "ops database" in captions and "(live)" in captions and "read at" in captions and "assessment roll" in captions
    at.selectbox(key="intake_channel").select("walk_in")
    at.selectbox(key="intake_type").select("noise")
    ok(at.text_input(key="intake_address").input("102 king st.").run())
    assert at.selectbox(key="intake_roll_pick").value == ADDRESS
    assert any("roll 3012010000000010000" in s and "Victoria Walker Developments Inc." in s for s in texts(at, "success"))
    assert any("No open case of this type" in c for c in texts(at, "caption"))
    at.text_area(key="intake_description").input("Amplified music after midnight")
    at.text_input(key="intake_name").input(IDENTITY[0])
    at.text_input(key="intake_phone").input(IDENTITY[1])
    at.text_input(key="intake_email").input(IDENTITY[2])
    at.file_uploader(key="intake_photos_0").upload("porch.jpg", jpeg(), "image/jpeg")
    ok(at.button(key="intake_save").click().run())

    (c,) = rows(env, complaints)
    (case,) = rows(env, cases_table)
    assert (c["channel"], c["complainant_name"], c["complainant_phone"], c["complainant_email"], c["anonymous"]) == (
        "walk_in", *IDENTITY, False)
    assert (c["case_id"], case["complaint_source"], case["bylaw_type"], case["roll_number"], case["owner_name"]) == (
        case["case_id"], "intake", "noise", "3012010000000010000", "Victoria Walker Developments Inc.")
    assert case["assigned_officer_id"] == "BY-202" and "specialty noise" in case["assignment_reason"]
    (p,) = rows(env, photos)
    assert (p["kind"], p["complaint_id"], p["case_id"]) == ("complaint", c["complaint_id"], case["case_id"])
    assert p["gps_lat"] == pytest.approx(43.45048, abs=1e-4) and (env.data_dir / p["file_path"]).is_file()
    audited = {(r["table_name"], r["action"], r["user_id"]) for r in rows(env, audit_log)}
    assert {("cases", "insert", "clerk"), ("complaints", "insert", "clerk"), ("photos", "insert", "clerk")} <= audited

    m = {x.label: x.value for x in at.metric}
    assert m["Case number"] == case["case_id"] and re.fullmatch(r"CE-\d{4}-000001", case["case_id"])
    assert m["Priority"] == "standard"  # noise's default
    due = cases.get_case(env.db, case["case_id"], env.staff["supervisor"])["first_inspection_due_at"]
    assert m["First inspection due"] == ui.format_local(due, "%Y-%m-%d %H:%M")
    assert m["Resolution due"] != ui.MISSING
    text = " ".join(texts(at, "markdown")).replace("\\", "")
    assert "Assigned officer:** BY-202" in text and "specialty noise" in text
    ok(at.button(key="intake_new").click().run())
    assert at.text_input(key="intake_name").value == ""  # a clean form for the next complaint


def test_intake_shows_duplicates_and_attaches_to_the_chosen_case(env):
    first = complaint(env)
    at = sign_in(INTAKE, "clerk")
    at.selectbox(key="intake_type").select("noise")
    ok(at.radio(key="intake_location_mode").set_value("map point").run())
    at.number_input(key="intake_lat").set_value(43.45048)
    ok(at.number_input(key="intake_lon").set_value(-80.49567).run())
    assert any("nearest property" in s for s in texts(at, "success"))
    dups = frame(at, "intake_duplicates")
    assert list(dups["Case"]) == [first["case_id"]] and dups.loc[0, "Same property"] == "yes"
    assert IDENTITY[0] in " ".join(texts(at, "markdown"))  # the clerk may see who complained before
    at.checkbox(key="intake_anonymous").check()
    ok(at.radio(key="intake_attach").set_value(first["case_id"]).run())
    ok(at.button(key="intake_save").click().run())
    assert len(rows(env, cases_table)) == 1
    second = rows(env, complaints, complaints.c.complaint_id != first["complaint_id"])[0]
    assert (second["case_id"], second["anonymous"], second["complainant_name"], second["lat"]) == (
        first["case_id"], True, None, pytest.approx(43.45048))
    assert any(f"attached to the existing case **{first['case_id']}**" in s for s in texts(at, "success"))


# --------------------------------------------------------------------------- #
# Case work: plan, case file, inspection, notice, closure
# --------------------------------------------------------------------------- #


def test_officer_plan_inspection_notice_and_closure(env):
    far = complaint(env, bylaw_type="noise", address="104 King St", complainant_name=None)["case_id"]
    urgent = complaint(env, bylaw_type="noise", address=ADDRESS, priority="urgent")["case_id"]
    prior = cases.open_case(env.db, env.staff["supervisor"], bylaw_type="signs", address=ADDRESS, reference=env.ref)
    prior_case = cases.get_case(env.db, prior["case_id"], env.staff["supervisor"])
    cases.close_case(env.db, env.staff["supervisor"], prior["case_id"], prior_case["version"], "dismissed", "no sign")

    at = sign_in(CASEWORK, "officer")
    plan = frame(at, "casework_plan")
    assert list(plan["Case"]) == [urgent, far] and list(plan["Stop"]) == [1, 2]  # urgent first
    assert any("nearest neighbour from the centre of home zone Z02" in c for c in texts(at, "caption"))
    assert at.selectbox(key="casework_case").value == urgent
    text = " ".join(texts(at, "markdown")).replace("\\", "")
    assert "Victoria Walker Developments Inc." in text and "roll 3012010000000010000" in text
    assert list(frame(at, "casework_prior")["Case"]) == [prior["case_id"]]
    assert "received" in " ".join(frame(at, "casework_timeline")["Summary"])

    # inspection with the noise checklist (reference data) and a photo whose GPS/time come from EXIF
    assert [r.label for r in at.radio if (r.key or "").startswith("casework_chk_")] == list(catalogue.checklist("noise"))
    at.radio(key="casework_chk_0").set_value("contravention")
    at.radio(key="casework_chk_2").set_value("ok")
    at.selectbox(key="casework_result").select("violation_found")
    at.text_area(key="casework_notes").input("Bass audible 30 m away")
    at.selectbox(key="casework_photo_kind").select("before")
    at.file_uploader(key="casework_photos_0").upload("night.jpg", jpeg(), "image/jpeg")
    ok(at.button(key="casework_inspect_submit").click().run())
    (ins,) = rows(env, inspections)
    assert (ins["case_id"], ins["result"], ins["officer_id"], ins["inspection_type"], ins["notes"]) == (
        urgent, "violation_found", "BY-202", "initial", "Bass audible 30 m away")
    assert ins["checklist"]["Sound audible at the property line"] == "contravention"
    assert ins["checklist"]["Source identified"] == "ok" and ins["lat"] == pytest.approx(43.45048, abs=1e-4)
    (p,) = rows(env, photos, photos.c.case_id == urgent)
    assert (p["kind"], p["inspection_id"]) == ("before", ins["inspection_id"])
    assert p["taken_at"] == dt.datetime(2026, 11, 20, 15, 15)  # 10:15 EST, stored in UTC
    assert any("now investigated" in s for s in texts(at, "success"))
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"Download {ins['inspection_id']}_inspection_report.pdf" in labels  # just recorded
    assert f"Inspection report {ins['inspection_id']} (PDF)" in labels  # in the case file, for every inspection
    assert len(at.get("image")) == 1 and "43.450475" in " ".join(i.proto.imgs[0].caption for i in at.get("image"))

    # a compliance notice: rendered to PDF, offered for download, service recorded
    deadline = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=21)
    at.selectbox(key="casework_notice_type").select("compliance_notice")
    at.date_input(key="casework_deadline").set_value(deadline)
    at.text_area(key="casework_violation").input("Amplified sound audible at the property line at 01:10")
    at.text_area(key="casework_work").input("Cease amplified sound between 23:00 and 07:00")
    at.selectbox(key="casework_served_method").select("personal")
    ok(at.button(key="casework_notice_submit").click().run())
    (n,) = rows(env, notices)
    assert (n["case_id"], n["notice_type"], n["served_method"], n["compliance_deadline"], n["issued_by"]) == (
        urgent, "compliance_notice", "personal", deadline, "officer")
    assert n["served_at"] is not None and n["document_path"] == f"ops/documents/{urgent}/{n['notice_id']}.pdf"
    pdf = (env.data_dir / n["document_path"]).read_bytes()
    assert pdf.startswith(b"%PDF") and IDENTITY[0].encode() not in pdf
    assert any(b.proto.label == f"Download {n['notice_id']}.pdf" for b in at.get("download_button"))
    assert cases.get_case(env.db, urgent, env.staff["supervisor"])["status"] == "notice_issued"

    # closing is refused from notice_issued (the state machine); a re-inspection finds it complied
    assert at.button(key="casework_close_submit").disabled
    assert "Inspection report — re-inspection" in " ".join(texts(at, "markdown"))
    at.selectbox(key="casework_result").select("complied")
    at.selectbox(key="casework_photo_kind").select("after")
    at.file_uploader(key="casework_photos_1").upload("quiet.jpg", jpeg(gps=False), "image/jpeg")
    ok(at.button(key="casework_inspect_submit").click().run())
    assert [r["inspection_type"] for r in rows(env, inspections)] == ["initial", "re_inspection"]
    assert [r["kind"] for r in rows(env, photos, photos.c.case_id == urgent)] == ["before", "after"]

    # closure with an outcome and reason; the whole timeline stays
    at.selectbox(key="casework_outcome").select("voluntary_compliance")
    at.text_input(key="casework_reason").input("Owner installed a limiter; quiet on re-visit")
    ok(at.button(key="casework_close_submit").click().run())
    closed = cases.get_case(env.db, urgent, env.staff["supervisor"])
    assert (closed["status"], closed["outcome"], closed["closure_reason"]) == (
        "closed", "voluntary_compliance", "Owner installed a limiter; quiet on re-visit")
    steps = [(r["from_status"], r["to_status"]) for r in rows(env, case_status_changes, case_status_changes.c.case_id == urgent)]
    assert steps == [(None, "received"), ("received", "investigated"), ("investigated", "notice_issued"),
                     ("notice_issued", "complied"), ("complied", "closed")]
    assert at.selectbox(key="casework_case").value == urgent  # still on screen, read-only
    assert not [b for b in at.button if b.key == "casework_close_submit"]
    assert "closed" in " ".join(texts(at, "markdown"))


def test_a_change_saved_by_someone_else_first_is_refused_and_the_case_reloaded(env):
    case_id = complaint(env)["case_id"]
    at = sign_in(CASEWORK, "officer")
    assert "(version 1)" in " ".join(texts(at, "markdown"))
    # a supervisor raises the priority while the officer has the case open
    cases.update_case(env.db, env.staff["supervisor"], case_id, 1, priority="urgent")
    at.selectbox(key="casework_result").select("no_violation")
    ok(at.button(key="casework_inspect_submit").click().run())
    (warning,) = texts(at, "warning")
    assert "Not saved" in warning and "changed by someone else" in warning and "supervisor" in warning
    assert "reloaded" in warning
    assert rows(env, inspections) == []  # nothing written
    text = " ".join(texts(at, "markdown"))
    assert "(version 2)" in text and "Priority:** urgent" in text
    # after the reload the same change goes through
    at.selectbox(key="casework_result").select("no_violation")
    ok(at.button(key="casework_inspect_submit").click().run())
    assert [r["result"] for r in rows(env, inspections)] == ["no_violation"]
    assert any("recorded" in s for s in texts(at, "success"))


def audits(env, table, key) -> list[dict]:
    return rows(env, audit_log, audit_log.c.table_name == table, audit_log.c.row_key == key)


def test_supervisor_reassigns_and_schedules_a_reinspection(env):
    case_id = complaint(env)["case_id"]
    at = sign_in(CASEWORK, "supervisor")
    ok(at.selectbox(key="casework_officer").select("BY-202").run())
    assert at.selectbox(key="casework_case").value == case_id
    target = at.selectbox(key="casework_assign_officer").options[0]
    assert target != "BY-202"
    # a reassignment without a reason is refused
    at.selectbox(key="casework_assign_officer").select(target)
    ok(at.button(key="casework_assign_submit").click().run())
    assert any("give a reason" in e for e in texts(at, "error"))
    # a colleague changes the case first: refused, nothing written, the case reloaded
    cases.update_case(env.db, env.staff["clerk"], case_id, 1, priority="urgent")
    at.selectbox(key="casework_assign_officer").select(target)
    at.text_input(key="casework_assign_reason").input("BY-202 on leave")
    ok(at.button(key="casework_assign_submit").click().run())
    assert any("Not saved" in w and "changed by someone else" in w for w in texts(at, "warning"))
    assert rows(env, cases_table)[0]["assigned_officer_id"] == "BY-202"
    at.selectbox(key="casework_assign_officer").select(target)
    at.text_input(key="casework_assign_reason").input("BY-202 on leave")
    ok(at.button(key="casework_assign_submit").click().run())
    (case,) = rows(env, cases_table)
    assert case["assigned_officer_id"] == target and case["version"] == 3
    assert case["assignment_reason"] == f"{target}: assigned by supervisor: BY-202 on leave"
    (audit,) = [a for a in audits(env, "cases", case_id)
                if a["action"] == "update" and "assigned_officer_id" in a["changes"]]
    assert (audit["user_id"], audit["action"], audit["changes"]["assigned_officer_id"]) == (
        "supervisor", "update", ["BY-202", target])
    assert any(f"reassigned to {target}" in s for s in texts(at, "success"))
    assert at.selectbox(key="casework_case").value == case_id  # still on screen

    # schedule an initial inspection for the new officer, tomorrow 10:30 local
    day = dt.datetime.now(ui.LOCAL_TZ).date() + dt.timedelta(days=1)
    assert at.selectbox(key=f"casework_sched_officer_{case_id}_{target}").value == target
    at.selectbox(key="casework_sched_type").select("initial")
    at.date_input(key="casework_sched_day").set_value(day)
    at.time_input(key="casework_sched_time").set_value(dt.time(10, 30))
    ok(at.button(key="casework_sched_submit").click().run())
    (ins,) = rows(env, inspections)
    when = dt.datetime.combine(day, dt.time(10, 30), tzinfo=ui.LOCAL_TZ).astimezone(dt.timezone.utc)
    assert (ins["case_id"], ins["inspection_type"], ins["officer_id"], ins["inspected_at"]) == (
        case_id, "initial", target, None)
    assert ins["scheduled_for"].replace(tzinfo=dt.timezone.utc) == when
    assert [(a["action"], a["user_id"]) for a in audits(env, "inspections", ins["inspection_id"])] == [
        ("insert", "supervisor")]
    assert "scheduled for" in " ".join(texts(at, "markdown")) and ins["inspection_id"] in " ".join(texts(at, "markdown"))
    # the inspection form now completes the scheduled one
    assert f"completes scheduled {ins['inspection_id']}" in " ".join(texts(at, "markdown"))


def test_officer_cannot_reassign_but_schedules_a_reinspection(env):
    case_id = complaint(env)["case_id"]
    sup = env.staff["supervisor"]
    cases.record_inspection(env.db, sup, case_id, 1, inspection_type="initial", result="violation_found")
    at = sign_in(CASEWORK, "officer")
    assert not [b for b in at.button if b.key == "casework_assign_submit"]
    assert at.selectbox(key="casework_sched_type").value == "re_inspection"  # the initial one is done
    ok(at.button(key="casework_sched_submit").click().run())
    planned = rows(env, inspections, inspections.c.inspected_at.is_(None))
    assert [(r["inspection_type"], r["officer_id"]) for r in planned] == [("re_inspection", "BY-202")]
    assert audits(env, "inspections", planned[0]["inspection_id"])[0]["user_id"] == "officer"


# --------------------------------------------------------------------------- #
# Monitoring
# --------------------------------------------------------------------------- #


def _due_for_reinspection(env) -> str:
    sup = env.staff["supervisor"]
    now = dt.datetime.now(dt.timezone.utc)
    case_id = complaint(env, bylaw_type="long_grass", address="104 King St")["case_id"]
    v = cases.record_inspection(env.db, sup, case_id, 1, inspection_type="initial", result="violation_found")["case"]["version"]
    v = cases.issue_notice(env.db, sup, case_id, v, notice_type="order_to_comply", served_method="personal",
                           compliance_deadline=(now - dt.timedelta(days=3)).date(),
                           issued_at=now - dt.timedelta(days=20))["case"]["version"]
    cases.change_status(env.db, sup, case_id, v, "reinspection_due")
    return case_id


def test_monitoring_orders_and_updates_remediation(env):
    case_id = _due_for_reinspection(env)
    at = sign_in(MONITORING, "supervisor")
    assert at.selectbox(key="monitoring_rem_case").value == case_id
    at.text_input(key="monitoring_rem_contractor").input("Green Cut Ltd.")
    at.number_input(key="monitoring_rem_cost").set_value(420.0)
    at.text_area(key="monitoring_rem_description").input("Cut the grass and remove debris")
    ok(at.button(key="monitoring_rem_submit").click().run())
    (work,) = rows(env, remediation_works)
    assert (work["case_id"], work["contractor"], work["cost"], work["description"], work["created_by"]) == (
        case_id, "Green Cut Ltd.", 420.0, "Cut the grass and remove debris", "supervisor")
    assert cases.get_case(env.db, case_id, env.staff["supervisor"])["status"] == "escalated"
    assert [(a["action"], a["user_id"]) for a in audits(env, "remediation_works", work["work_id"])] == [
        ("insert", "supervisor")]
    assert any(f"{work['work_id']} ordered" in s and "escalated" in s for s in texts(at, "success"))
    assert list(frame(at, "monitoring_works")["Work"]) == [work["work_id"]]

    # completed, final cost, invoiced, on the tax roll, part recovered
    w = work["work_id"]
    assert at.selectbox(key="monitoring_upd_work").value == w
    today = dt.datetime.now(ui.LOCAL_TZ).date()
    at.date_input(key=f"monitoring_upd_completed_{w}").set_value(today - dt.timedelta(days=2))
    at.number_input(key=f"monitoring_upd_cost_{w}").set_value(455.0)
    at.date_input(key=f"monitoring_upd_invoiced_{w}").set_value(today - dt.timedelta(days=1))
    at.date_input(key=f"monitoring_upd_tax_roll_{w}").set_value(today)
    at.number_input(key=f"monitoring_upd_recovered_{w}").set_value(100.0)
    at.date_input(key=f"monitoring_upd_recovered_on_{w}").set_value(today)
    ok(at.button(key="monitoring_upd_submit").click().run())
    (work,) = rows(env, remediation_works)
    assert (work["cost"], work["added_to_tax_roll_on"], work["recovered_amount"], work["version"]) == (
        455.0, today, 100.0, 2)
    assert all(work[k] is not None for k in ("completed_at", "invoiced_at", "recovered_at"))
    (upd,) = [a for a in audits(env, "remediation_works", w) if a["action"] == "update"]
    assert upd["user_id"] == "supervisor" and upd["changes"]["cost"] == [420.0, 455.0]
    assert {"completed_at", "invoiced_at", "added_to_tax_roll_on", "recovered_amount", "recovered_at"} <= set(upd["changes"])
    assert any(f"{w} updated" in s for s in texts(at, "success"))
    tax = frame(at, "monitoring_tax_roll")
    assert (tax.loc[0, "work_id"], tax.loc[0, "amount"]) == (w, "355.00")  # 455 - 100 recovered

    # a colleague's save first is refused; nothing is written
    ok(at.button(key="monitoring_upd_submit").click().run())
    cases.update_remediation(env.db, env.staff["supervisor"], w, rows(env, remediation_works)[0]["version"],
                             recovered_amount=200.0)
    before = rows(env, remediation_works)[0]
    at.number_input(key=f"monitoring_upd_recovered_{w}").set_value(455.0)
    ok(at.button(key="monitoring_upd_submit").click().run())
    assert any("Not saved" in x and "changed by someone else" in x for x in texts(at, "warning"))
    assert rows(env, remediation_works)[0] == before


def test_monitoring_remediation_refuses_a_stale_case_and_hides_from_analysts(env):
    case_id = _due_for_reinspection(env)
    at = sign_in(MONITORING, "supervisor")
    cases.update_case(env.db, env.staff["supervisor"], case_id,
                      rows(env, cases_table, cases_table.c.case_id == case_id)[0]["version"], priority="urgent")
    at.text_input(key="monitoring_rem_contractor").input("Green Cut Ltd.")
    at.number_input(key="monitoring_rem_cost").set_value(420.0)
    ok(at.button(key="monitoring_rem_submit").click().run())
    assert any("Not saved" in x and case_id in x for x in texts(at, "warning"))
    assert rows(env, remediation_works) == []
    at = sign_in(MONITORING, "analyst")
    assert not [b for b in at.button if b.key in ("monitoring_rem_submit", "monitoring_upd_submit")]



def test_monitoring_breaches_photos_remediation_and_tax_roll_export(env):
    sup = env.staff["supervisor"]
    now = dt.datetime.now(dt.timezone.utc)
    late = complaint(env, received_at=now - dt.timedelta(days=10))["case_id"]  # first inspection was due in 5 days
    cases.add_photo(env.db, sup, jpeg(stamp="2026:11:01 09:00:00"), kind="before", case_id=late, file_name="b.jpg")
    cases.add_photo(env.db, sup, jpeg(gps=False, stamp="2026:11:15 09:00:00"), kind="after", case_id=late, file_name="a.jpg")
    yard = complaint(env, bylaw_type="waste", address="104 King St")["case_id"]
    v = cases.get_case(env.db, yard, sup)["version"]
    v = cases.record_inspection(env.db, sup, yard, v, inspection_type="initial", result="violation_found")["case"]["version"]
    v = cases.issue_notice(env.db, sup, yard, v, notice_type="order_to_comply", served_method="personal",
                           compliance_deadline=(now - dt.timedelta(days=3)).date(),
                           issued_at=now - dt.timedelta(days=20))["case"]["version"]
    cases.change_status(env.db, sup, yard, v, "reinspection_due")
    v = cases.get_case(env.db, yard, sup)["version"]
    work = cases.order_remediation(env.db, sup, yard, v, contractor="Tidy Yards Ltd.", cost=850.0)["work_id"]
    cases.update_remediation(env.db, sup, work, 1, completed_at=now, added_to_tax_roll_on=now.date())

    at = sign_in(MONITORING, "supervisor")
    m = {x.label: x.value for x in at.metric}
    assert (m["Open cases"], m["SLA breaches"]) == ("2", "1")
    assert list(frame(at, "monitoring_breaches")["Case"]) == [late]
    assert frame(at, "monitoring_breaches").loc[0, "Target missed"] == "first_inspection"
    rem = frame(at, "monitoring_remediation")
    assert (rem.loc[0, "Contractor"], rem.loc[0, "Cost"], rem.loc[0, "Outstanding"]) == ("Tidy Yards Ltd.", "$850.00", "$850.00")
    tax = frame(at, "monitoring_tax_roll")
    assert list(tax.columns) == ["roll_number", "case_id", "work_id", "amount", "description", "date"]
    assert (tax.loc[0, "case_id"], tax.loc[0, "amount"], tax.loc[0, "roll_number"]) == (yard, "850.00", rows(
        env, cases_table, cases_table.c.case_id == yard)[0]["roll_number"])
    assert any("Download the tax-roll file (1 row(s), $850.00)" == b.proto.label for b in at.get("download_button"))
    assert at.selectbox(key="monitoring_photo_case").value == late
    captions = [i.proto.imgs[0].caption for i in at.get("image")]
    assert len(captions) == 2 and "43.450475" in captions[0] and "no GPS" in captions[1]  # before | after
    assert any("bylaw.monitoring" in c for c in texts(at, "caption"))

    # an analyst sees the figures but neither the finance file nor the status button
    at = sign_in(MONITORING, "analyst")
    assert {x.label: x.value for x in at.metric}["SLA breaches"] == "1"
    assert not at.get("download_button") and not [b for b in at.button if b.key == "monitoring_mark"]


def test_monitoring_moves_cases_past_their_deadline(env):
    sup = env.staff["supervisor"]
    case_id = complaint(env)["case_id"]
    v = cases.record_inspection(env.db, sup, case_id, 1, inspection_type="initial", result="violation_found")["case"]["version"]
    cases.issue_notice(env.db, sup, case_id, v, notice_type="compliance_notice", served_method="digital",
                       # yesterday in the city: deadlines are local dates (a UTC "today" is a day
                       # ahead of Toronto's every evening)
                       compliance_deadline=dt.datetime.now(ZoneInfo(CITY_TZ)).date() - dt.timedelta(days=1),
                       issued_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=15))
    at = sign_in(MONITORING, "supervisor")
    assert list(frame(at, "monitoring_overdue")["Case"]) == [case_id]
    ok(at.button(key="monitoring_mark").click().run())
    assert any(case_id in s for s in texts(at, "success"))
    assert cases.get_case(env.db, case_id, sup)["status"] == "reinspection_due"
    assert rows(env, case_status_changes, case_status_changes.c.to_status == "reinspection_due")[0]["changed_by"] == "supervisor"


# --------------------------------------------------------------------------- #
# Confidentiality: the complainant's identity on every bylaw page, for every role
# --------------------------------------------------------------------------- #


def _visit(page: str, role: str) -> str:
    """The page as ``role`` sees it, driven to where a complainant could show."""
    at = sign_in(page, role)
    if page == INTAKE and not at.warning:
        at.selectbox(key="intake_type").select("noise")
        ok(at.text_input(key="intake_address").input(ADDRESS).run())
        assert not frame(at, "intake_duplicates").empty  # the case with the identity is listed
    if page == CASEWORK and not at.warning:
        if role == "supervisor":
            ok(at.selectbox(key="casework_officer").select("BY-202").run())
        assert at.selectbox(key="casework_case").value is not None
    return all_text(at)


def test_complainant_identity_only_on_intake_and_supervisor_views(env):
    case_id = complaint(env)["case_id"]
    cases.add_photo(env.db, env.staff["clerk"], jpeg(), kind="complaint", case_id=case_id, file_name="c.jpg")
    seen = {(page, role): _visit(page, role) for page in (INTAKE, CASEWORK, MONITORING) for role in ROLES}
    for (page, role), text in seen.items():
        shown = [s for s in IDENTITY if s in text]
        if role in ("officer", "analyst", "council_viewer"):
            assert shown == [], (Path(page).name, role, shown)
    for page, role in ((INTAKE, "clerk"), (INTAKE, "supervisor"), (CASEWORK, "supervisor")):
        assert all(s in seen[(page, role)] for s in IDENTITY), (Path(page).name, role)
    assert case_id in seen[(CASEWORK, "officer")] and "[confidential]" in seen[(CASEWORK, "officer")].replace("\\", "")
