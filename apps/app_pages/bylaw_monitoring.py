"""Bylaw monitoring: what a supervisor watches.

SLA breaches (first inspection or resolution overdue), compliance deadlines passed with no
re-inspection, re-inspections due, before-and-after photos side by side, remediation by
contractor with costs and their recovery, and the tax-roll export for finance (a CSV in the
finance system's columns). All from ``bylaw.monitoring`` on the live ops database; nothing
here names a complainant.

For supervisors and analysts (``monitoring.view``); moving cases past their deadline and
the finance export need a supervisor (``status.change``, ``finance.export``).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from apps import auth, ui
from bylaw import cases, monitoring
from bylaw.ops_schema import photos

FLASH_KEY = "monitoring_flash"


def _mark_deadlines(db, user) -> None:
    moved = cases.mark_deadlines_passed(db, actor=user)
    auth.flash("success" if moved else "info",
               f"{len(moved)} case(s) moved to re-inspection due: {', '.join(moved)}." if moved
               else "No case had a passed compliance deadline to move.", FLASH_KEY)


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
            st.download_button(f"Download the tax-roll file ({totals['rows']} row(s), "
                               f"{ui.format_value(totals['amount'], '$')})", data,
                               file_name=f"tax_roll_recoveries_{today.isoformat()}.csv", mime="text/csv",
                               key="monitoring_tax_roll_download", type="primary")


main()
