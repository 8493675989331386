"""Bylaw case work: an officer's day.

Today's work plan ordered for travel (``bylaw.monitoring.officer_worklist``: urgent cases
first, then nearest neighbour starting from the centre of the officer's home zone), the case
file (property and owner from the assessment roll, prior cases at the property, the
timeline, photos), the inspection form with the bylaw type's checklist and photo evidence
(time and GPS from the image's EXIF) and its inspection report (PDF, for every inspection
done), scheduling an inspection or re-inspection, reassigning the case (supervisors),
issuing a notice or order (rendered to PDF by ``bylaw.documents``, service recorded), and
closure with outcome and reason. The checklists are reference data
(``bylaw.catalogue.checklist``).

For officers and supervisors (``inspection.record``). Officers never see who complained
(``bylaw.cases.get_case`` redacts it for their role); supervisors do. Every change names the
case version the user saw: when a colleague saved the case first, nothing is written and the
page says so and shows the case as it is now.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import shapely
import streamlit as st

from apps import auth, ui
from bylaw import cases, catalogue, documents, lifecycle, monitoring, roles
from bylaw.ops_schema import INSPECTION_RESULTS, INSPECTION_TYPES, NOTICE_TYPES, PHOTO_KINDS, SERVED_METHODS
from warehouse.config import paths

FLASH_KEY = "casework_flash"
PDF_KEY = "casework_pdf"
REPORT_KEY = "casework_report"
CASE_KEY = "casework_case"

ANSWERS = ("not checked", "ok", "contravention", "n/a")
RESULT_LABELS = {"violation_found": "Violation found", "no_violation": "No violation",
                 "complied": "Complied", "not_complied": "Not complied"}


def checklist_items(bylaw_type: str) -> tuple[str, ...]:
    """The bylaw type's inspection checklist (reference data: ``bylaw/reference/checklists.csv``)."""
    return catalogue.checklist(bylaw_type)


def zone_centre(ref, zone_id: str | None) -> tuple[float, float] | None:
    """(lat, lon) of the zone's centroid, the start of an officer's route."""
    geom = next((g for z, g in ref.zones if z == zone_id), None)
    if geom is None:
        return None
    c = shapely.centroid(geom)
    return (c.y, c.x)


def local_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=ui.LOCAL_TZ).astimezone(dt.timezone.utc)


def served_at(day: dt.date) -> dt.datetime:
    now = dt.datetime.now(dt.timezone.utc)
    return now if day == now.astimezone(ui.LOCAL_TZ).date() else local_noon(day)


def officer_details(db, ref, officer_id: str | None, user=None) -> dict:
    """{name, badge} of an officer: the signed-in user when it is them, else the user account
    linked to the officer id; the badge from the roster."""
    name = None
    if user is not None and officer_id is not None and user.officer_id == officer_id:
        name = user.display_name
    if name is None and officer_id is not None:
        name = next((u.display_name for u in roles.list_users(db) if u.officer_id == officer_id), None)
    badge = None
    roster = ref.officers
    if officer_id is not None and not roster.empty and "badge_number" in roster:
        hit = roster[roster["officer_id"] == officer_id]
        badge = None if hit.empty or ui.is_missing(hit.iloc[0]["badge_number"]) else str(hit.iloc[0]["badge_number"])
    return {"name": name or officer_id or (user.display_name if user else None), "badge": badge or officer_id}


def inspection_report_pdf(db, ref, case: dict, inspection: dict, user=None) -> tuple[str, bytes]:
    """(file name, PDF) of an inspection's report (``bylaw.documents.render_inspection_report``):
    the case, property, checklist, result, notes and photos, never the complainant."""
    ctx = documents.inspection_report_context(
        case, inspection, case.get("photos") or [], officer_details(db, ref, inspection["officer_id"], user),
        ref.property_by_roll(case["roll_number"]) or {})
    return f"{inspection['inspection_id']}_inspection_report.pdf", documents.render_inspection_report(ctx)


def _stale(exc: Exception, case_id: str) -> None:
    auth.flash("warning", f"Not saved: case {case_id} was changed by someone else before you saved ({exc}). "
               "The case below has been reloaded as it is now: check it and make your change again.", FLASH_KEY)


# --------------------------------------------------------------------------- #
# Writes (button callbacks bound to the case version that was on the screen)
# --------------------------------------------------------------------------- #


def _record_inspection(db, user, ref, case: dict, inspection_type: str, planned_id: str | None,
                       photo_key: str) -> None:
    s = st.session_state
    items = checklist_items(case["bylaw_type"])
    checklist = {item: s.get(f"casework_chk_{i}") for i, item in enumerate(items)}
    uploads = list(s.get(photo_key) or [])
    metas = [cases.photo_metadata(f.getvalue()) for f in uploads]
    gps = next(((m["gps_lat"], m["gps_lon"]) for m in metas if m["gps_lat"] is not None), (None, None))
    try:
        res = cases.record_inspection(
            db, user, case["case_id"], case["version"], inspection_type=inspection_type,
            result=s["casework_result"], checklist=checklist, notes=(s.get("casework_notes") or "").strip() or None,
            lat=gps[0], lon=gps[1], inspection_id=planned_id)
    except cases.StaleCase as exc:
        _stale(exc, case["case_id"])
        return
    except (ValueError, lifecycle.InvalidTransition) as exc:
        auth.flash("error", f"Not saved: {exc}", FLASH_KEY)
        return
    kind = s.get("casework_photo_kind") or "evidence"
    for f in uploads:
        cases.add_photo(db, user, f.getvalue(), kind=kind, case_id=case["case_id"],
                        inspection_id=res["inspection_id"], file_name=f.name)
    s["casework_photo_round"] = s.get("casework_photo_round", 0) + 1
    fresh = cases.get_case(db, case["case_id"], user)
    done = next(i for i in fresh["inspections"] if i["inspection_id"] == res["inspection_id"])
    try:
        s[REPORT_KEY] = (*inspection_report_pdf(db, ref, fresh, done, user), case["case_id"])
        offer = " Download the inspection report below."
    except documents.DocumentValidationError as exc:
        s.pop(REPORT_KEY, None)
        offer = f" (No inspection report: {exc}.)"
    auth.flash("success", f"Inspection {res['inspection_id']} recorded ({RESULT_LABELS[s['casework_result']]}); "
               f"case {case['case_id']} is now {res['case']['status']}"
               + (f"; {len(uploads)} photo(s) stored" if uploads else "") + "." + offer, FLASH_KEY)


def _document_inputs(case: dict, user, ref, notice_id: str | None = None) -> tuple[str, documents.DocumentContext]:
    s = st.session_state
    ntype = s["casework_notice_type"]
    served_on = s.get("casework_served_on") or dt.date.today()
    notice_row = dict(notice_type=ntype, notice_id=notice_id, issued_at=dt.datetime.now(dt.timezone.utc),
                      served_method=s["casework_served_method"], served_at=served_at(served_on),
                      compliance_deadline=s.get("casework_deadline") if ntype in ("compliance_notice", "order_to_comply") else None,
                      fine_amount=s.get("casework_fine") if ntype in ("part_i_ticket", "amp") else None,
                      bylaw_section=case["bylaw_section"], offence_at=dt.datetime.now(dt.timezone.utc))
    officer_id = user.officer_id or case["assigned_officer_id"]
    roster = ref.officers
    badge = None
    if not roster.empty and officer_id is not None:
        hit = roster[roster["officer_id"] == officer_id]
        badge = None if hit.empty else hit.iloc[0]["badge_number"]
    officer = {"name": user.display_name, "badge": badge or officer_id or user.user_id}
    prop = ref.property_by_roll(case["roll_number"]) or {}
    ctx = documents.context_from_case(case, notice_row, officer, prop,
                                      violation_description=(s.get("casework_violation") or "").strip() or None,
                                      work_required=(s.get("casework_work") or "").strip() or None)
    return ntype, ctx


def _issue_notice(db, user, case: dict, ref) -> None:
    s = st.session_state
    ntype, ctx = _document_inputs(case, user, ref)
    try:
        documents.validate(ctx, ctx.kind)  # nothing is issued that cannot be printed
    except documents.DocumentValidationError as exc:
        auth.flash("error", f"Not issued: the document cannot be produced: {exc}", FLASH_KEY)
        return
    try:
        res = cases.issue_notice(
            db, user, case["case_id"], case["version"], notice_type=ntype, served_method=s["casework_served_method"],
            compliance_deadline=ctx.compliance_deadline, fine_amount=float(ctx.fine_amount) if ctx.fine_amount else None,
            served_at=served_at(s.get("casework_served_on") or dt.date.today()))
    except cases.StaleCase as exc:
        _stale(exc, case["case_id"])
        return
    except (ValueError, lifecycle.InvalidTransition) as exc:
        auth.flash("error", f"Not issued: {exc}", FLASH_KEY)
        return
    ctx.notice_number = res["notice_id"]
    pdf = documents.render_document(ctx.kind, ctx)
    rel = Path("ops") / "documents" / case["case_id"] / f"{res['notice_id']}.pdf"
    target = paths().data_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pdf)
    cases.update_notice(db, user, res["notice_id"], res["notice_version"], document_path=rel.as_posix())
    s[PDF_KEY] = (f"{res['notice_id']}.pdf", pdf, case["case_id"])
    auth.flash("success", f"{documents.TITLES[ctx.kind]} {res['notice_id']} issued, served by "
               f"{s['casework_served_method'].replace('_', ' ')}; case {case['case_id']} is now "
               f"{res['case']['status']}. Download the PDF below.", FLASH_KEY)


def _record_service(db, user, notice: dict) -> None:
    s = st.session_state
    try:
        cases.update_notice(db, user, notice["notice_id"], notice["version"], served_method=s["casework_serve_method"],
                            served_at=served_at(s.get("casework_serve_on") or dt.date.today()))
    except cases.StaleRecord as exc:
        _stale(exc, notice["case_id"])
        return
    auth.flash("success", f"Service of {notice['notice_id']} recorded.", FLASH_KEY)


def _reassign(db, user, case: dict) -> None:
    s = st.session_state
    officer, reason = s.get("casework_assign_officer"), (s.get("casework_assign_reason") or "").strip()
    if not officer or not reason:
        auth.flash("error", "Not reassigned: choose an officer and give a reason.", FLASH_KEY)
        return
    try:
        cases.assign_case(db, user, case["case_id"], case["version"], officer, reason)
    except cases.StaleCase as exc:
        _stale(exc, case["case_id"])
        return
    auth.flash("success", f"Case {case['case_id']} reassigned to {officer}.", FLASH_KEY)


def _schedule(db, user, case: dict) -> None:
    s = st.session_state
    day, at = s.get("casework_sched_day"), s.get("casework_sched_time") or dt.time(9)
    if day is None:
        auth.flash("error", "Not scheduled: choose a day.", FLASH_KEY)
        return
    when = dt.datetime.combine(day, at, tzinfo=ui.LOCAL_TZ).astimezone(dt.timezone.utc)
    itype = s.get("casework_sched_type") or "initial"
    try:
        iid = cases.schedule_inspection(db, user, case["case_id"], when, inspection_type=itype,
                                        officer_id=s.get(f"casework_sched_officer_{case['case_id']}_"
                                                         f"{case['assigned_officer_id']}") or None)
    except (ValueError, cases.CaseNotFound) as exc:
        auth.flash("error", f"Not scheduled: {exc}", FLASH_KEY)
        return
    auth.flash("success", f"{itype.replace('_', '-').capitalize()} {iid} of case {case['case_id']} scheduled for "
               f"{ui.format_local(when, '%Y-%m-%d %H:%M')}.", FLASH_KEY)


def _close(db, user, case: dict) -> None:
    s = st.session_state
    try:
        cases.close_case(db, user, case["case_id"], case["version"], s["casework_outcome"], s.get("casework_reason") or "")
    except cases.StaleCase as exc:
        _stale(exc, case["case_id"])
        return
    except (ValueError, lifecycle.InvalidTransition) as exc:
        auth.flash("error", f"Not closed: {exc}", FLASH_KEY)
        return
    auth.flash("success", f"Case {case['case_id']} closed: {s['casework_outcome'].replace('_', ' ')}.", FLASH_KEY)


# --------------------------------------------------------------------------- #
# Sections
# --------------------------------------------------------------------------- #


def work_plan(db, user, ref, officer_id: str, day: dt.date) -> pd.DataFrame:
    officers = ref.bylaw_officers()
    row = officers[officers["officer_id"] == officer_id]
    home = None if row.empty else row.iloc[0]["home_zone_id"]
    home = None if ui.is_missing(home) or home == "" else home
    start = zone_centre(ref, home)
    plan = monitoring.officer_worklist(db, user, officer_id, day, start=start)
    st.subheader(f"Work plan for {officer_id}, {day.isoformat()}", anchor=False, divider="gray")
    how = (f"nearest neighbour from the centre of home zone {home}" if start else
           "nearest neighbour from the first stop (no home zone on the roster)")
    st.caption(f"Ordered for travel by `bylaw.monitoring.officer_worklist`: urgent cases first, then {how}. "
               "On the plan: inspections scheduled that day, re-inspections due, and assigned cases awaiting "
               "their first inspection.")
    if plan.empty:
        st.info("Nothing on the plan for this day.", icon=":material/event_available:")
        return plan
    table = pd.DataFrame({
        "Stop": plan["stop"], "Case": plan["case_id"], "Why": plan["reason"], "Priority": plan["priority"],
        "Type": plan["bylaw_type"], "Address": plan["address"],
        "Leg (m)": [None if ui.is_missing(v) else round(float(v)) for v in plan["leg_m"]],
        "First inspection due": [ui.format_local(t, "%Y-%m-%d %H:%M") for t in plan["first_inspection_due_at"]]})
    st.dataframe(table, hide_index=True, key="casework_plan")
    located = plan.dropna(subset=["lat", "lon"])
    if not located.empty:
        st.map(located[["lat", "lon"]].astype(float), zoom=14, height=260)
    return plan


def case_file(db, user, ref, case: dict) -> None:
    st.subheader(f"Case file {case['case_id']}", anchor=False, divider="gray")
    facts = {
        "Status": f"{case['status']} (version {case['version']})",
        "Bylaw": f"{case['bylaw_type']} — {case['bylaw_section'] or ui.MISSING}",
        "Priority": case["priority"],
        "Opened": ui.format_local(case["opened_at"]),
        "First inspection due": ui.format_local(case["first_inspection_due_at"]),
        "Resolution due": ui.format_local(case["resolution_due_at"]),
        "Assigned officer": f"{case['assigned_officer_id'] or ui.MISSING} ({case['assignment_reason'] or ui.MISSING})",
    }
    if case["closed_at"] is not None:
        facts["Closed"] = f"{ui.format_local(case['closed_at'])}: {case['outcome']} — {case['closure_reason']}"
    prop = ref.property_by_roll(case["roll_number"]) or {}
    facts["Property"] = (f"{case['address'] or ui.MISSING} · roll {case['roll_number'] or ui.MISSING} · "
                         f"{prop.get('property_class') or ui.MISSING} · {case['ward'] or ui.MISSING} · zone "
                         f"{case['zone_id'] or ui.MISSING}")
    facts["Owner (assessment roll)"] = case["owner_name"] or prop.get("owner_name") or ui.MISSING
    st.markdown("\n".join(f"- **{k}:** {ui.md_escape(v)}" for k, v in facts.items()))

    st.markdown("**Complaints**")
    for cmp in case["complaints"]:
        who = "anonymous" if cmp["anonymous"] else ", ".join(
            str(v) for v in (cmp["complainant_name"], cmp["complainant_phone"], cmp["complainant_email"]) if v)
        st.markdown(f"- {cmp['complaint_id']} · {ui.format_local(cmp['received_at'])} · {cmp['channel']} · from "
                    f"{ui.md_escape(who or 'no contact given')}: {ui.md_escape(cmp['description'] or '')}")
    if not case["complaints"]:
        st.caption("No complaint: a proactive case or one from the legacy system.")

    prior = [c for c in (cases.list_cases(db, user, roll_number=case["roll_number"]) if case["roll_number"] else [])
             if c["case_id"] != case["case_id"]]
    st.markdown(f"**Prior cases at this property** ({len(prior)})")
    if prior:
        st.dataframe(pd.DataFrame([{
            "Case": c["case_id"], "Type": c["bylaw_type"], "Opened": ui.format_local(c["opened_at"], "%Y-%m-%d"),
            "Status": c["status"], "Outcome": c["outcome"], "Closed": ui.format_local(c["closed_at"], "%Y-%m-%d")}
            for c in prior]), hide_index=True, key="casework_prior")

    timeline = monitoring.case_timeline(db, case["case_id"], user)
    st.markdown("**Timeline**")
    st.dataframe(pd.DataFrame([{"When": ui.format_local(e["at"]), "What": e["kind"], "Summary": e["summary"],
                                "By": e.get("by"), "Note": e.get("note") or e.get("notes")} for e in timeline]),
                 hide_index=True, key="casework_timeline")

    done = [i for i in case["inspections"] if i["inspected_at"] is not None]
    planned = [i for i in case["inspections"] if i["inspected_at"] is None]
    if done or planned:
        st.markdown("**Inspections**")
    for i in planned:
        st.markdown(f"- {i['inspection_id']} · {i['inspection_type'].replace('_', '-')} scheduled for "
                    f"{ui.format_local(i['scheduled_for'], '%Y-%m-%d %H:%M')} · officer {i['officer_id'] or ui.MISSING}")
    for i in done:
        st.markdown(f"- {i['inspection_id']} · {i['inspection_type'].replace('_', '-')} on "
                    f"{ui.format_local(i['inspected_at'], '%Y-%m-%d %H:%M')} by {i['officer_id'] or ui.MISSING}: "
                    f"{RESULT_LABELS.get(i['result'], i['result'])}")
        try:
            name, pdf = inspection_report_pdf(db, ref, case, i, user)
        except documents.DocumentValidationError as exc:
            st.caption(f"No report for {i['inspection_id']}: {exc}")
            continue
        ui.download_button(f"Inspection report {i['inspection_id']} (PDF)", pdf, file_name=name,
                           mime="application/pdf", key=f"casework_report_{i['inspection_id']}")

    if case["photos"]:
        st.markdown("**Photos** (time and position from the image's EXIF)")
        cols = st.columns(min(4, len(case["photos"])))
        for i, p in enumerate(case["photos"]):
            where = (f"{p['gps_lat']:.6f}, {p['gps_lon']:.6f}" if p["gps_lat"] is not None else "no GPS in the image")
            label = f"{p['kind']} · taken {ui.format_local(p['taken_at']) if p['taken_at'] else 'time unknown'} · {where}"
            f = cases.photo_file(p)
            with cols[i % len(cols)]:
                try:
                    st.image(str(f), caption=label)
                except Exception:  # missing file or not an image PIL reads
                    st.caption(f"{label} (file `{p['file_path']}` not readable)")

    for n in case["notices"]:
        line = (f"{n['notice_type']} {n['notice_id']} · issued {ui.format_local(n['issued_at'], '%Y-%m-%d')} · "
                f"served by {n['served_method']} " + (f"on {ui.format_local(n['served_at'], '%Y-%m-%d')}"
                                                      if n["served_at"] else "(service not yet recorded)")
                + (f" · comply by {n['compliance_deadline']}" if n["compliance_deadline"] else ""))
        st.markdown(f"- {ui.md_escape(line)}")
        if n["document_path"]:
            f = paths().data_dir / n["document_path"]
            if f.is_file():
                ui.download_button(f"Download {n['notice_id']} (PDF)", f.read_bytes(), file_name=f.name,
                                   mime="application/pdf", key=f"casework_doc_{n['notice_id']}")


def inspection_form(db, user, ref, case: dict) -> None:
    done_initial = any(i["inspection_type"] == "initial" and i["inspected_at"] is not None for i in case["inspections"])
    inspection_type = "re_inspection" if done_initial else "initial"
    planned = next((i for i in case["inspections"] if i["inspected_at"] is None
                    and i["inspection_type"] == inspection_type), None)
    photo_key = f"casework_photos_{st.session_state.get('casework_photo_round', 0)}"
    with st.form("casework_inspection"):
        st.markdown(f"**Inspection report — {inspection_type.replace('_', '-')}**"
                    + (f" (completes scheduled {planned['inspection_id']})" if planned else ""))
        st.caption(f"Checklist for {catalogue.bylaw_type(case['bylaw_type']).label}")
        for i, item in enumerate(checklist_items(case["bylaw_type"])):
            st.radio(item, ANSWERS, horizontal=True, key=f"casework_chk_{i}")
        st.selectbox("Result", list(INSPECTION_RESULTS), format_func=RESULT_LABELS.get, key="casework_result")
        st.text_area("Notes", key="casework_notes")
        c1, c2 = st.columns([1, 2])
        c1.selectbox("Photos are", list(PHOTO_KINDS[1:]), key="casework_photo_kind")
        c2.file_uploader("Photo evidence (time and GPS read from the image)", type=["jpg", "jpeg", "png", "heic", "webp"],
                         accept_multiple_files=True, key=photo_key)
        st.form_submit_button("Record inspection", type="primary", key="casework_inspect_submit",
                              on_click=_record_inspection,
                              args=(db, user, ref, case, inspection_type,
                                    planned["inspection_id"] if planned else None, photo_key))
    report = st.session_state.get(REPORT_KEY)
    if report and report[2] == case["case_id"]:
        ui.download_button(f"Download {report[0]}", report[1], file_name=report[0], mime="application/pdf",
                           key="casework_report_download", type="primary")


def notice_form(db, user, ref, case: dict) -> None:
    today = dt.datetime.now(ui.LOCAL_TZ).date()
    with st.form("casework_notice"):
        st.markdown("**Issue a notice or order** (rendered to PDF from the template; complainant never on it)")
        c1, c2, c3 = st.columns(3)
        c1.selectbox("Document", list(NOTICE_TYPES), key="casework_notice_type",
                     format_func=lambda t: documents.TITLES[documents.document_kind(t, case["bylaw_type"])])
        c2.date_input("Comply by (notice/order)", value=today + dt.timedelta(days=14), min_value=today,
                      key="casework_deadline")
        c3.number_input("Fine (ticket/AMP, $)", min_value=0.0, value=None, step=5.0, key="casework_fine")
        st.text_area("Violation observed", key="casework_violation")
        st.text_area("Work required", key="casework_work")
        c1, c2 = st.columns(2)
        c1.selectbox("Served by", list(SERVED_METHODS), key="casework_served_method",
                     format_func=lambda m: m.replace("_", " "))
        c2.date_input("Served on (mailed, handed over or sent)", value=today, key="casework_served_on")
        st.form_submit_button("Issue", type="primary", key="casework_notice_submit", on_click=_issue_notice,
                              args=(db, user, case, ref))
    pdf = st.session_state.get(PDF_KEY)
    if pdf and pdf[2] == case["case_id"]:
        ui.download_button(f"Download {pdf[0]}", pdf[1], file_name=pdf[0], mime="application/pdf",
                           key="casework_pdf_download", type="primary")


def service_form(db, user, case: dict) -> None:
    unserved = [n for n in case["notices"] if n["served_at"] is None]
    if not unserved:
        return
    rows = {n["notice_id"]: n for n in unserved}
    with st.form("casework_service"):
        st.markdown("**Record service of a notice**")
        c1, c2, c3 = st.columns(3)
        nid = c1.selectbox("Notice", list(rows), key="casework_serve_notice")
        c2.selectbox("Served by", list(SERVED_METHODS), key="casework_serve_method", format_func=lambda m: m.replace("_", " "))
        c3.date_input("Served on", value=dt.datetime.now(ui.LOCAL_TZ).date(), key="casework_serve_on")
        st.form_submit_button("Record service", key="casework_serve_submit", on_click=_record_service,
                              args=(db, user, rows[nid]))


def assignment_form(db, user, ref, case: dict) -> None:
    """Reassign the case (supervisors, ``case.assign``) and put an inspection or re-inspection on
    an officer's plan (``inspection.schedule``)."""
    officers = sorted(str(o) for o in ref.bylaw_officers()["officer_id"])
    current = case["assigned_officer_id"]
    if user.can("case.assign"):
        with st.form("casework_assign"):
            st.markdown(f"**Reassign the case** (now {ui.md_escape(current or 'unassigned')})")
            others = [o for o in officers if o != current] or officers
            c1, c2 = st.columns([1, 2])
            c1.selectbox("New officer", others, key="casework_assign_officer")
            c2.text_input("Reason", key="casework_assign_reason")
            st.form_submit_button("Reassign", key="casework_assign_submit", on_click=_reassign, args=(db, user, case))
    done_initial = any(i["inspection_type"] == "initial" and i["inspected_at"] is not None for i in case["inspections"])
    default_type = "re_inspection" if done_initial else "initial"
    with st.form("casework_schedule"):
        st.markdown("**Schedule an inspection or re-inspection** (it goes on the officer's work plan for that day)")
        c1, c2, c3, c4 = st.columns(4)
        c1.selectbox("Type", list(INSPECTION_TYPES), index=list(INSPECTION_TYPES).index(default_type),
                     key="casework_sched_type", format_func=lambda t: t.replace("_", "-"))
        c2.date_input("Day", value=dt.datetime.now(ui.LOCAL_TZ).date() + dt.timedelta(days=1), key="casework_sched_day")
        c3.time_input("Time", value=dt.time(9), key="casework_sched_time")
        choices = ([current] if current else []) + [o for o in officers if o != current]
        # keyed by the case's officer: after a reassignment the new officer is the default
        c4.selectbox("Officer", choices, key=f"casework_sched_officer_{case['case_id']}_{current}")
        st.form_submit_button("Schedule", key="casework_sched_submit", on_click=_schedule, args=(db, user, case))


def closure_form(db, user, case: dict) -> None:
    can_close = lifecycle.CLOSED_STATUS in {t.to_status for t in lifecycle.transitions_from(case["status"])}
    with st.form("casework_close"):
        st.markdown("**Close the case**" + ("" if can_close else f" (not possible from {case['status']})"))
        st.selectbox("Outcome", list(lifecycle.OUTCOMES), key="casework_outcome", format_func=lambda o: o.replace("_", " "))
        st.text_input("Reason", key="casework_reason")
        st.form_submit_button("Close case", key="casework_close_submit", on_click=_close, args=(db, user, case),
                              disabled=not can_close)


def main() -> None:
    user = auth.require("inspection.record", "Case work")
    db = auth.current_db()
    ref, loaded = auth.reference()
    auth.ops_header("Case work", reference_loaded=loaded)
    auth.show_flash(FLASH_KEY)

    officers = sorted(str(o) for o in ref.bylaw_officers()["officer_id"])
    c1, c2 = st.columns(2)
    if user.role == "officer":
        officer_id = user.officer_id
        c1.markdown(f"**Officer:** {ui.md_escape(officer_id or ui.MISSING)}")
        if not officer_id:
            st.warning("Your account is not linked to an officer of the roster: ask a supervisor.")
            st.stop()
    else:
        officer_id = c1.selectbox("Officer", officers, key="casework_officer")
    day = c2.date_input("Day", value=dt.datetime.now(ui.LOCAL_TZ).date(), key="casework_day")
    plan = work_plan(db, user, ref, officer_id, day)

    open_cases = [c["case_id"] for c in cases.list_cases(db, user, open_only=True, officer_id=officer_id)]
    options = list(dict.fromkeys([*(plan["case_id"] if not plan.empty else []), *open_cases]))
    if st.session_state.get(CASE_KEY) and st.session_state[CASE_KEY] not in options:
        options.append(st.session_state[CASE_KEY])  # just closed: keep showing it
    if not options:
        st.info("No open case assigned.", icon=":material/inbox:")
        return
    case_id = st.selectbox("Case", options, key=CASE_KEY)
    case = cases.get_case(db, case_id, user)
    case_file(db, user, ref, case)
    if case["status"] == lifecycle.CLOSED_STATUS:
        return
    st.subheader("Work on the case", anchor=False, divider="gray")
    # keyed: the tabs keep the officer's tab when an action adds to the case file above them
    # (unkeyed, their identity is their position, and a notice issued reset them to Inspection,
    # hiding the notice's download button)
    inspect_tab, plan_tab, notice_tab, close_tab = st.tabs(
        ["Inspection", "Assignment and scheduling", "Notice or order", "Closure"], key="casework_tabs")
    with inspect_tab:
        inspection_form(db, user, ref, case)
    with plan_tab:
        assignment_form(db, user, ref, case)
    with notice_tab:
        if user.can("notice.issue"):
            notice_form(db, user, ref, case)
        service_form(db, user, case)
    with close_tab:
        closure_form(db, user, case)


main()
