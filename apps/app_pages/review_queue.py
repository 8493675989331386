"""Review queue: an officer confirms or rejects every ALPR detection before it becomes a
ticket (the Kitchener way).

The pending detections come from the serving snapshot (``enforcement.enf_review_queue``:
the plate in clear, the evidence) less what the ops database (``warehouse/ops.py``) has
decided since; decisions and tickets are written to the ops database at once, with who and
when, and reach the warehouse with the next pipeline run (its first step exports them to
landing files). This is the one page that shows plates in clear: it is for officers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from apps import serving, ui
from warehouse import ops
from warehouse.config import paths

QUEUE_TABLE = "enforcement.enf_review_queue"
ALL = "__all__"
DETECTION_KEY = "review_detection"
FLASH_KEY = "review_flash"

PENDING_COLUMNS: list[tuple[str, str]] = [
    ("captured_local", "Detected"),
    ("plate", "Plate"),
    ("province", "Prov."),
    ("violation_type", "Violation"),
    ("fine_amount", "Fine ($)"),
    ("zone_id", "Zone"),
    ("street_address", "Where"),
    ("confidence", "Confidence"),
]


@st.cache_resource(show_spinner=False)
def ops_db(url: str) -> ops.OpsDB:
    return ops.OpsDB(url)


# --------------------------------------------------------------------------- #
# Pure helpers
# --------------------------------------------------------------------------- #


def officer_label(officer_id: Any, badge_number: Any) -> str:
    return f"{badge_number} ({officer_id})" if not ui.is_missing(badge_number) else str(officer_id)


def pending(queue: pd.DataFrame, decided: set[str]) -> pd.DataFrame:
    """The queue less the detections decided in the ops database, oldest first."""
    out = queue[~queue["read_id"].isin(decided)]
    return out.sort_values(["captured_at", "read_id"], kind="stable").reset_index(drop=True)


def pending_table(df: pd.DataFrame) -> pd.DataFrame:
    view = df.assign(captured_local=[ui.format_local(t, "%Y-%m-%d %H:%M") for t in df["captured_at"]])
    out = pd.DataFrame({header: view[col].tolist() for col, header in PENDING_COLUMNS})
    out.index = list(df["read_id"])
    return out


def chalk_text(row: dict[str, Any]) -> str:
    """First and last read on the blockface and the minutes between (the digital chalk)."""
    if ui.is_missing(row.get("first_read_at")):
        return ui.MISSING
    minutes = row.get("minutes_since_first_read")
    limit = row.get("time_limit_minutes")
    text = (f"first read {ui.format_local(row['first_read_at'], '%H:%M')}, last read "
            f"{ui.format_local(row['last_read_at'], '%H:%M')}: "
            f"{ui.format_value(minutes, 'min') if not ui.is_missing(minutes) else ui.MISSING}")
    return text + (f" (limit {int(limit)} min)" if not ui.is_missing(limit) else "")


def scofflaw_text(row: dict[str, Any]) -> str:
    n, total = row.get("scofflaw_unpaid_tickets"), row.get("scofflaw_unpaid_total")
    if ui.is_missing(n) or not n:
        return "no unpaid tickets past the scofflaw age"
    return f"{int(n)} unpaid ticket(s), {ui.format_value(total, '$')} outstanding" + (
        " — scofflaw" if row.get("is_scofflaw") else "")


def evidence_photo(image_ref: Any, data_dir: Path) -> Path | None:
    """The photo's file under the data directory, when it is there."""
    if ui.is_missing(image_ref):
        return None
    f = (data_dir / str(image_ref)).resolve()
    return f if f.is_file() and f.is_relative_to(data_dir.resolve()) else None


def local_midnight(now: dt.datetime | None = None) -> dt.datetime:
    today = (now or dt.datetime.now(dt.timezone.utc)).astimezone(ui.LOCAL_TZ).date()
    return dt.datetime.combine(today, dt.time(0), tzinfo=ui.LOCAL_TZ)


def safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


# --------------------------------------------------------------------------- #
# Page sections
# --------------------------------------------------------------------------- #


def render_filters(options: dict[str, Any]) -> tuple[Any, Any, str | None, str | None]:
    c1, c2, c3 = st.columns([2, 1, 1])
    with c1:
        picked = st.date_input("Detected between", value=(options["start"], options["end"]),
                               min_value=options["start"], max_value=options["end"], key="review_dates",
                               help="Local days of the camera read.")
        start, end = (tuple(picked) + (None, None))[:2] if isinstance(picked, (tuple, list)) else (picked, picked)
        end = end or start
    with c2:
        zone = st.selectbox("Zone", [ALL, *options["zones"]], key="review_zone",
                            format_func=lambda z: "All zones" if z == ALL else z)
    with c3:
        vtype = st.selectbox("Violation", [ALL, *options["violation_types"]], key="review_violation",
                             format_func=lambda v: "All violations" if v == ALL else v)
    return start, end, (None if zone == ALL else zone), (None if vtype == ALL else vtype)


def render_evidence(row: dict[str, Any], data_dir: Path) -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        photo, ref = evidence_photo(row.get("image_ref"), data_dir), row.get("image_ref")
        try:
            if photo is not None:
                st.image(str(photo), caption=str(ref))
        except OSError:  # not an image PIL can read (PIL's UnidentifiedImageError)
            photo = None
        if photo is None:
            st.info(f"Photo: `{ref}` (no readable file in the data directory)" if not ui.is_missing(ref)
                    else "The camera kept no photo of this read.", icon=":material/photo_camera:")
    with right:
        st.markdown(f"### {ui.md_escape(row['plate'])} · {ui.md_escape(row['province'])}")
        facts = {
            "Violation": f"{row['violation_type']} — bylaw {row['bylaw_code']}, fine {ui.format_value(row['fine_amount'], '$')}",
            "Detected": ui.format_local(row["captured_at"]),
            "Read confidence": f"{float(row['confidence']):.1%}" if not ui.is_missing(row.get("confidence")) else ui.MISSING,
            "Digital chalk": chalk_text(row),
            "Scofflaw": scofflaw_text(row),
            "Where": f"{row['street_address'] or ui.MISSING} · blockface {row['blockface_id'] or ui.MISSING} · "
                     f"zone {row['zone_id'] or ui.MISSING} · {float(row['lat']):.6f}, {float(row['lon']):.6f}",
            "Camera": f"{row['camera_id']} (unit {row['unit_id']}, {row['detected_by_officer_id']})",
            "Reasons": row.get("reasons") or ui.MISSING,
        }
        st.markdown("\n".join(f"- **{k}:** {ui.md_escape(v)}" for k, v in facts.items()))


def _flash(kind: str, message: str, next_detection: bool) -> None:
    st.session_state[FLASH_KEY] = (kind, message)
    if next_detection:
        st.session_state.pop(DETECTION_KEY, None)  # the oldest pending one shows next


# Decisions run as the submit buttons' callbacks, bound to the detection that was on the
# screen when the officer pressed the button: the rerun that follows may list another one
# first (a colleague decided this one meanwhile), and the decision must not move to it.
def _confirm(row: dict[str, Any], officer_id: str, db: ops.OpsDB) -> None:
    s = st.session_state
    method = s["review_issue_method"]
    try:
        d = db.confirm(ops.Detection.from_row(row), officer_id, method, make=s.get("review_make"),
                       model=s.get("review_model"), colour=s.get("review_colour"),
                       street_address=s.get(f"review_address_{row['read_id']}"))
    except ops.AlreadyDecided as exc:
        _flash("warning", f"Not saved: {exc}.", True)
        return
    _flash("success", f"Confirmed {row['plate']}: ticket {d['ticket_number']} ({method}).", True)


def _reject(row: dict[str, Any], officer_id: str, db: ops.OpsDB) -> None:
    s = st.session_state
    reason = s["review_reason"]
    try:
        db.reject(row["read_id"], officer_id, reason, s.get("review_note"))
    except ops.AlreadyDecided as exc:
        _flash("warning", f"Not saved: {exc}.", True)
        return
    except ValueError as exc:  # 'other' without a note
        _flash("error", f"Not saved: {exc}.", False)
        return
    _flash("success", f"Rejected {row['plate']}: {ops.REJECT_REASONS[reason]}.", True)


def render_decision(row: dict[str, Any], officer_id: str, db: ops.OpsDB) -> None:
    confirm_col, reject_col = st.columns(2, gap="large")
    with confirm_col, st.form("review_confirm", clear_on_submit=True):
        st.markdown("**Confirm — issue a ticket**")
        st.radio("Issue", list(ops.ISSUE_METHODS), horizontal=True, key="review_issue_method",
                 format_func={"windshield": "On the windshield", "mail": "By mail (MTO owner look-up)"}.get)
        c1, c2, c3 = st.columns(3)
        c1.text_input("Make", key="review_make")
        c2.text_input("Model", key="review_model")
        c3.text_input("Colour", key="review_colour")
        st.text_input("Address on the ticket", value=row["street_address"] or "",
                      key=f"review_address_{row['read_id']}")
        st.form_submit_button("Confirm", type="primary", key="review_confirm_submit",
                              on_click=_confirm, args=(row, officer_id, db))
    with reject_col, st.form("review_reject", clear_on_submit=True):
        st.markdown("**Reject**")
        st.selectbox("Reason", list(ops.REJECT_REASONS), format_func=ops.REJECT_REASONS.get, key="review_reason")
        st.text_input("Note (required for Other)", key="review_note")
        st.form_submit_button("Reject", key="review_reject_submit", on_click=_reject, args=(row, officer_id, db))


def main() -> None:
    info = ui.page_header("Review queue")
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        {"success": st.success, "warning": st.warning, "error": st.error}[flash[0]](flash[1])
    try:
        officers = serving.parking_officers()
        options = serving.review_queue_options()
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the review queue")
        st.stop()

    labels = {str(o): officer_label(o, b) for o, b in zip(officers["officer_id"], officers["badge_number"])}
    officer = st.selectbox("You are", list(labels), index=None, format_func=labels.get, key="review_officer",
                           placeholder="Choose your badge to decide")
    if options["start"] is None:
        st.info("No detections are waiting for review in this snapshot.")
        st.stop()
    start, end, zone, vtype = render_filters(options)

    url = ops.ops_db_url()
    db = ops_db(url)
    try:
        queue = serving.review_queue(start, end, zone, vtype)
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "the review queue")
        st.stop()
    todo = pending(queue, db.decided_read_ids())
    today = db.decisions(since=local_midnight())
    c1, c2, c3 = st.columns(3)
    c1.metric("Pending (this selection)", f"{len(todo):,}")
    c2.metric("Decided today", f"{len(today):,}")
    c3.metric("Decided today by you", f"{sum(d['officer_id'] == officer for d in today):,}" if officer else ui.MISSING)
    st.caption(f"Source: `{QUEUE_TABLE}` (serving snapshot) less the decisions in the ops database "
               f"(`{safe_url(url)}`, live) · data as of {ui.format_local((info or {}).get('data_as_of'))} · "
               "times in Toronto local time · decided today = since local midnight")

    if todo.empty:
        st.info("Nothing pending in this selection.")
        st.stop()
    st.subheader("Pending, oldest first", anchor=False, divider="gray")
    st.dataframe(pending_table(todo), key="review_pending", hide_index=True)

    st.subheader("Detection", anchor=False, divider="gray")
    rows = {r["read_id"]: r for r in todo.to_dict("records")}
    read_id = st.selectbox("Detection", list(rows), key=DETECTION_KEY, format_func=lambda r: (
        f"{ui.format_local(rows[r]['captured_at'], '%Y-%m-%d %H:%M')} · {rows[r]['plate']} · "
        f"{rows[r]['violation_type']} · {rows[r]['street_address']}"))
    row = rows[read_id]
    render_evidence(row, paths().data_dir)
    if officer is None:
        st.info("Choose who you are (above) to confirm or reject.", icon=":material/badge:")
        return
    render_decision(row, officer, db)


main()
