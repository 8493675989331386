"""Bylaw monitoring: what a supervisor watches.

SLA breaches (first inspection or resolution overdue), compliance deadlines passed with no
re-inspection, re-inspections due, before-and-after photos side by side, remediation by
contractor with costs and their recovery, and the tax-roll export for finance (a CSV in the
finance system's columns). All from ``bylaw.monitoring`` on the live ops database; nothing
here names a complainant.

For supervisors and analysts (``monitoring.view``); moving cases past their deadline and
the finance export need a supervisor (``status.change``, ``finance.export``), and so do
ordering remedial work by a contractor on a case due for re-inspection or escalated, and
recording its completion, final cost, invoice, addition to the tax roll and recovery
(``remediation.manage``; each change names the version the supervisor saw).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from apps import auth, ui
from bylaw import cases, lifecycle, monitoring
from bylaw.ops_schema import photos, remediation_works

FLASH_KEY = "monitoring_flash"


def _mark_deadlines(db, user) -> None:
    moved = cases.mark_deadlines_passed(db, actor=user)
    auth.flash("success" if moved else "info",
               f"{len(moved)} case(s) moved to re-inspection due: {', '.join(moved)}." if moved
               else "No case had a passed compliance deadline to move.", FLASH_KEY)


REMEDIABLE = ("reinspection_due", "escalated")  # order_remediation escalates the one, adds to the other


def _local_noon(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(12), tzinfo=ui.LOCAL_TZ).astimezone(dt.timezone.utc)


def _stale(exc: Exception, what: str) -> None:
    auth.flash("warning", f"Not saved: {what} was changed by someone else before you saved ({exc}). "
               "It has been reloaded below as it is now: check it and make your change again.", FLASH_KEY)


def _order_remediation(db, user, case: dict) -> None:
    s = st.session_state
    contractor = (s.get("monitoring_rem_contractor") or "").strip()
    cost = s.get("monitoring_rem_cost")
    if not contractor or cost is None:
        auth.flash("error", "Not ordered: name the contractor and the estimated cost.", FLASH_KEY)
        return
    try:
        res = cases.order_remediation(db, user, case["case_id"], case["version"], contractor=contractor,
                                      cost=float(cost), description=(s.get("monitoring_rem_description") or "").strip() or None)
    except cases.StaleCase as exc:
        _stale(exc, f"case {case['case_id']}")
        return
    except (ValueError, lifecycle.InvalidTransition) as exc:
        auth.flash("error", f"Not ordered: {exc}", FLASH_KEY)
        return
    auth.flash("success", f"Remediation {res['work_id']} ordered from {contractor} (${float(cost):,.2f}); case "
               f"{case['case_id']} is now {res['case']['status']}.", FLASH_KEY)


def _update_remediation(db, user, work: dict) -> None:
    s, w = st.session_state, work["work_id"]
    def moment(field: str, key: str) -> dt.datetime | None:
        day = s.get(f"monitoring_upd_{key}_{w}")
        return None if day == _local_day(work[field]) else _local_noon(day)  # an unchanged day keeps its time

    try:
        cases.update_remediation(
            db, user, w, work["version"], completed_at=moment("completed_at", "completed"),
            cost=s.get(f"monitoring_upd_cost_{w}"), invoiced_at=moment("invoiced_at", "invoiced"),
            added_to_tax_roll_on=s.get(f"monitoring_upd_tax_roll_{w}"), recovered_amount=s.get(f"monitoring_upd_recovered_{w}"),
            recovered_at=moment("recovered_at", "recovered_on"))
    except cases.StaleRecord as exc:
        _stale(exc, f"remediation {work['work_id']}")
        return
    except ValueError as exc:
        auth.flash("error", f"Not saved: {exc}", FLASH_KEY)
        return
    auth.flash("success", f"Remediation {work['work_id']} updated.", FLASH_KEY)


def _local_day(v) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return ui.to_local(v).date()  # naive from SQLite means UTC
    return v


def remediation_forms(db, user) -> None:
    """Order remedial work on a case (``bylaw.cases.order_remediation``) and record what follows
    (``update_remediation``): completion, final cost, invoice, tax roll, recovery."""
    import sqlalchemy as sa

    st.markdown("**Order remedial work** (Municipal Act s.446: the city has the work done at the owner's cost)")
    eligible = {c["case_id"]: c for c in cases.list_cases(db, user, status=REMEDIABLE)}
    if not eligible:
        st.caption("No case is due for re-inspection or escalated: remedial work is ordered when an order was not "
                   "complied with.")
    else:
        case_id = st.selectbox("Case", list(eligible), key="monitoring_rem_case",
                               format_func=lambda k: f"{k} · {eligible[k]['status']} · {eligible[k]['address'] or ''}")
        case = eligible[case_id]
        with st.form("monitoring_rem_order"):
            c1, c2 = st.columns([2, 1])
            c1.text_input("Contractor", key="monitoring_rem_contractor")
            c2.number_input("Estimated cost ($)", min_value=0.0, value=None, step=50.0, key="monitoring_rem_cost")
            st.text_area("Work to be done", key="monitoring_rem_description")
            st.form_submit_button("Order remediation", key="monitoring_rem_submit", on_click=_order_remediation,
                                  args=(db, user, case))

    with db.engine.connect() as c:
        works = [dict(r) for r in c.execute(sa.select(remediation_works).order_by(remediation_works.c.ordered_at,
                                                                                  remediation_works.c.work_id)).mappings()]
    if not works:
        return
    st.markdown("**Remedial works**")
    st.dataframe(pd.DataFrame([{
        "Work": w["work_id"], "Case": w["case_id"], "Done by": w["contractor"],
        "Ordered": ui.format_local(w["ordered_at"], "%Y-%m-%d"), "Completed": ui.format_local(w["completed_at"], "%Y-%m-%d"),
        "Cost ($)": ui.format_value(w["cost"], "$"), "Invoiced": ui.format_local(w["invoiced_at"], "%Y-%m-%d"),
        "Added to tax roll": str(w["added_to_tax_roll_on"] or ui.MISSING),
        "Recovered ($)": ui.format_value(w["recovered_amount"], "$"),
        "Recovered on": ui.format_local(w["recovered_at"], "%Y-%m-%d")} for w in works]),
        hide_index=True, key="monitoring_works")
    by_id = {w["work_id"]: w for w in works}
    work_id = st.selectbox("Work to update", list(by_id), key="monitoring_upd_work",
                           format_func=lambda k: f"{k} · {by_id[k]['case_id']} · {by_id[k]['contractor']}")
    work = by_id[work_id]
    with st.form(f"monitoring_rem_update_{work_id}"):
        st.markdown(f"**Update {work_id}** (version {work['version']}; a field left empty keeps its value)")
        c1, c2, c3 = st.columns(3)
        c1.date_input("Completed on", value=_local_day(work["completed_at"]), key=f"monitoring_upd_completed_{work_id}")
        c2.number_input("Final cost ($)", min_value=0.0, value=float(work["cost"]), step=50.0, key=f"monitoring_upd_cost_{work_id}")
        c3.date_input("Invoiced on", value=_local_day(work["invoiced_at"]), key=f"monitoring_upd_invoiced_{work_id}")
        c1, c2, c3 = st.columns(3)
        c1.date_input("Added to the tax roll on", value=work["added_to_tax_roll_on"], key=f"monitoring_upd_tax_roll_{work_id}")
        c2.number_input("Recovered ($)", min_value=0.0, value=work["recovered_amount"], step=50.0,
                        key=f"monitoring_upd_recovered_{work_id}")
        c3.date_input("Recovered on", value=_local_day(work["recovered_at"]), key=f"monitoring_upd_recovered_on_{work_id}")
        st.form_submit_button("Save", key="monitoring_upd_submit", on_click=_update_remediation, args=(db, user, work))


def _table(df: pd.DataFrame, columns: dict[str, str], key: str, times: tuple[str, ...] = ()) -> None:
    view = df.copy()
    for c in times:
        view[c] = [ui.format_local(t, "%Y-%m-%d %H:%M") for t in view[c]]
    st.dataframe(view[list(columns)].rename(columns=columns), hide_index=True, key=key)


def cases_with_before_after(db) -> list[str]:
    import sqlalchemy as sa

    with db.engine.connect() as c:
        return sorted({r.case_id for r in c.execute(
            sa.select(photos.c.case_id).where(photos.c.kind.in_(["before", "after"]), photos.c.case_id.is_not(None)))})


def photo_column(rows: list[dict], title: str) -> None:
    st.markdown(f"**{title}**")
    if not rows:
        st.caption(f"No {title.lower()} photo.")
    for p in rows:
        when = ui.format_local(p["taken_at"] or p["created_at"])  # naive from SQLite means UTC
        where = f"{p['gps_lat']:.6f}, {p['gps_lon']:.6f}" if p["gps_lat"] is not None else "no GPS"
        try:
            st.image(str(cases.photo_file(p)), caption=f"{when} · {where}")
        except Exception:
            st.caption(f"{when} · {where} (file `{p['file_path']}` not readable)")


def main() -> None:
    user = auth.require("monitoring.view", "Monitoring")
    db = auth.current_db()
    auth.ops_header("Bylaw monitoring")
    auth.show_flash(FLASH_KEY)
    now = dt.datetime.now(dt.timezone.utc)
    today = now.astimezone(ui.LOCAL_TZ).date()

    breaches = monitoring.sla_breaches(db, now=now)
    overdue = monitoring.overdue_deadlines(db, today=today)
    due = monitoring.reinspections_due(db, today=today)
    open_cases = cases.list_cases(db, user, open_only=True)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Open cases", f"{len(open_cases):,}")
    c2.metric("SLA breaches", f"{len(breaches):,}")
    c3.metric("Compliance deadlines passed", f"{len(overdue):,}")
    c4.metric("Re-inspections due", f"{len(due):,}")
    st.caption(f"Source: `bylaw.monitoring` on the ops database · as of {ui.format_local(now)} · re-inspections due: "
               f"due now or a deadline within {os.environ.get(monitoring.REINSPECTION_LOOKAHEAD_DAYS_ENV, 7)} days")
    if user.can("status.change"):
        st.button("Move cases past their compliance deadline to re-inspection due", key="monitoring_mark",
                  on_click=_mark_deadlines, args=(db, user))

    st.subheader("SLA breaches", anchor=False, divider="gray")
    if breaches.empty:
        st.success("No open case is past an SLA target.")
    else:
        breaches = breaches.assign(overdue=[f"{h:,.1f} h" for h in breaches["overdue_hours"]])
        _table(breaches, {"case_id": "Case", "breach": "Target missed", "due_at": "Was due", "overdue": "Late by",
                          "priority": "Priority", "bylaw_type": "Type", "status": "Status",
                          "assigned_officer_id": "Officer", "address": "Address"}, "monitoring_breaches", ("due_at",))

    st.subheader("Compliance deadlines passed, not re-inspected", anchor=False, divider="gray")
    if overdue.empty:
        st.success("No passed deadline waits for a re-inspection.")
    else:
        _table(overdue, {"case_id": "Case", "compliance_deadline": "Deadline passed on", "status": "Status",
                         "bylaw_type": "Type", "assigned_officer_id": "Officer", "address": "Address"}, "monitoring_overdue")

    st.subheader("Re-inspections due", anchor=False, divider="gray")
    if due.empty:
        st.info("No re-inspection due.")
    else:
        _table(due, {"case_id": "Case", "compliance_deadline": "Deadline", "status": "Status", "bylaw_type": "Type",
                     "assigned_officer_id": "Officer", "address": "Address"}, "monitoring_due")

    st.subheader("Before and after", anchor=False, divider="gray")
    with_photos = cases_with_before_after(db)
    if not with_photos:
        st.caption("No case has before or after photos yet.")
    else:
        case_id = st.selectbox("Case", with_photos, key="monitoring_photo_case")
        pair = monitoring.before_after_photos(db, case_id, user)
        left, right = st.columns(2)
        with left:
            photo_column(pair["before"], "Before")
        with right:
            photo_column(pair["after"], "After")

    st.subheader("Remediation by contractor", anchor=False, divider="gray")
    rem = monitoring.remediation_by_contractor(db)
    if rem.empty:
        st.caption("No remedial work ordered.")
    else:
        view = rem.copy()
        for c in ("cost", "invoiced", "on_tax_roll", "recovered", "outstanding"):
            view[c] = [ui.format_value(v, "$") for v in view[c]]
        st.dataframe(view.rename(columns={"contractor": "Contractor", "works": "Works", "completed": "Completed",
                                          "cost": "Cost", "invoiced": "Invoiced", "on_tax_roll": "On the tax roll",
                                          "recovered": "Recovered", "outstanding": "Outstanding"}),
                     hide_index=True, key="monitoring_remediation")

    if user.can("remediation.manage"):
        remediation_forms(db, user)

    if user.can("finance.export"):
        st.subheader("Tax-roll export for finance", anchor=False, divider="gray")
        recov = monitoring.tax_roll_recoveries(db, user)
        st.caption("Remediation costs added to the tax roll and not yet recovered (Municipal Act s.446), one row per "
                   f"work, columns {', '.join(monitoring.TAX_ROLL_COLUMNS)}.")
        if recov.empty:
            st.caption("Nothing to recover on the tax roll.")
        else:
            st.dataframe(recov, hide_index=True, key="monitoring_tax_roll")
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "tax_roll.csv"
                totals = monitoring.export_tax_roll_csv(db, user, out)
                data = out.read_bytes()
            ui.download_button(f"Download the tax-roll file ({totals['rows']} row(s), "
                               f"{ui.format_value(totals['amount'], '$')})", data,
                               file_name=f"tax_roll_recoveries_{today.isoformat()}.csv", mime="text/csv",
                               key="monitoring_tax_roll_download", type="primary")


main()
