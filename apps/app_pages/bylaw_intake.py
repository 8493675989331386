"""Bylaw intake: the front counter records a complaint from any channel and opens (or joins)
a case.

Location by address (looked up against the assessment roll) or a map point; before saving,
the likely duplicates (open cases of the same type at the property or within
``CIVIC_DUPLICATE_RADIUS_M``) are listed and the clerk attaches the complaint to one of them
or opens a new case. After saving: the case number, priority, SLA due times and the officer
assigned, with why. For clerks and supervisors (``complaint.create``): the complainant's
identity is shown here, to them only.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import streamlit as st

from apps import auth, ui
from bylaw import catalogue, cases
from bylaw.ops_schema import CHANNELS, PRIORITIES
from bylaw.properties import normalize_address

FLASH_KEY = "intake_flash"
RESULT_KEY = "intake_result"
NEW_CASE = "__new__"
DEFAULT_PRIORITY = "__default__"
CHANNEL_LABELS = {"311_call": "311 call", "portal": "Online portal", "phone": "Phone", "email": "Email",
                  "walk_in": "Walk-in", "council_referral": "Council referral"}
FORM_KEYS = ("intake_address", "intake_roll_pick", "intake_lat", "intake_lon", "intake_description",
             "intake_name", "intake_phone", "intake_email", "intake_anonymous", "intake_attach")


def roll_suggestions(properties: pd.DataFrame, text: str, limit: int = 20) -> list[str]:
    """Roll addresses containing what was typed (an exact match first)."""
    key = normalize_address(text)
    if not key or properties.empty:
        return []
    hits = properties[properties["_address_key"].str.contains(key, regex=False)]
    exact = hits[hits["_address_key"] == key]
    return list(dict.fromkeys([*exact["address"], *hits["address"]]))[:limit]


def location_inputs(ref) -> dict[str, Any]:
    """The complaint's location: address (with the roll's match) or a map point."""
    mode = st.radio("Location by", ["address", "map point"], horizontal=True, key="intake_location_mode")
    loc: dict[str, Any] = {"address": None, "lat": None, "lon": None}
    if mode == "address":
        typed = st.text_input("Address", key="intake_address", placeholder="e.g. 102 King St")
        options = roll_suggestions(ref.properties, typed)
        if typed and options:
            picked = st.selectbox("Assessment roll match", [*options, typed] if typed not in options else options,
                                  key="intake_roll_pick",
                                  format_func=lambda a: a if a in options else f"{a} (as typed, not on the roll)")
            loc["address"] = picked
        else:
            loc["address"] = typed.strip() or None
    else:
        c1, c2 = st.columns(2)
        lat = c1.number_input("Latitude", value=None, format="%.6f", key="intake_lat", min_value=-90.0, max_value=90.0)
        lon = c2.number_input("Longitude", value=None, format="%.6f", key="intake_lon", min_value=-180.0, max_value=180.0)
        loc["lat"], loc["lon"] = lat, lon
        if lat is not None and lon is not None:
            st.map(pd.DataFrame({"lat": [lat], "lon": [lon]}), zoom=15, height=220)
    prop = ref.find_property(address=loc["address"], lat=loc["lat"], lon=loc["lon"]) if (
        loc["address"] or loc["lat"] is not None) else None
    if prop:
        how = (f"nearest property, {prop['distance_m']:.0f} m away" if prop["match"] == "nearest"
               else f"matched by {prop['match'].replace('_', ' ')} on the roll")
        st.success(f"Property: **{ui.md_escape(prop['address'])}** · roll {prop['roll_number']} · owner "
                   f"{ui.md_escape(prop['owner_name'] or ui.MISSING)} · {prop['ward'] or ui.MISSING} · zone "
                   f"{prop['zone_id'] or ui.MISSING} ({how})", icon=":material/home_pin:")
    elif loc["address"] or loc["lat"] is not None:
        st.info("No property on the assessment roll matches this location: the case will have no owner "
                "until the location is corrected.", icon=":material/location_off:")
    loc["property"] = prop
    return loc


def duplicate_panel(db, user, bylaw_type: str, loc: dict) -> list[str]:
    prop = loc["property"]
    lat = loc["lat"] if loc["lat"] is not None else (prop or {}).get("lat")
    lon = loc["lon"] if loc["lon"] is not None else (prop or {}).get("lon")
    dups = cases.find_likely_duplicates(db, bylaw_type, roll_number=(prop or {}).get("roll_number"), lat=lat, lon=lon)
    st.subheader("Likely duplicates", anchor=False, divider="gray")
    if not dups:
        st.caption("No open case of this type at this property or nearby: a new case will be opened.")
        return []
    st.warning(f"{len(dups)} open {bylaw_type} case(s) at this property or within "
               f"{float(os.environ.get(cases.DUPLICATE_RADIUS_ENV, cases.DEFAULT_DUPLICATE_RADIUS_M)):g} m: "
               "attach the complaint to one of them, or open a new case.", icon=":material/content_copy:")
    table = pd.DataFrame([{
        "Case": d["case_id"], "Status": d["status"], "Address": d["address"],
        "Same property": "yes" if d["same_property"] else "no",
        "Distance (m)": None if d["distance_m"] is None else round(d["distance_m"]),
        "Opened": ui.format_local(d["opened_at"], "%Y-%m-%d"), "Officer": d["assigned_officer_id"]} for d in dups])
    st.dataframe(table, hide_index=True, key="intake_duplicates")
    for d in dups:
        full = cases.get_case(db, d["case_id"], user)
        with st.expander(f"{d['case_id']}: its complaints ({len(full['complaints'])})"):
            for cmp in full["complaints"]:
                who = "anonymous" if cmp["anonymous"] else " · ".join(
                    v for v in (cmp["complainant_name"], cmp["complainant_phone"], cmp["complainant_email"]) if v)
                st.markdown(f"- {ui.format_local(cmp['received_at'])} · {CHANNEL_LABELS.get(cmp['channel'], cmp['channel'])}"
                            f" · {ui.md_escape(who or 'no contact given')}: {ui.md_escape(cmp['description'] or '')}")
    return [d["case_id"] for d in dups]


def _save(db, user, loc: dict, bylaw_type: str, photo_key: str) -> None:
    s = st.session_state
    anonymous = bool(s.get("intake_anonymous"))
    attach = s.get("intake_attach")
    priority = s.get("intake_priority")
    try:
        res = cases.create_complaint(
            db, user, channel=s["intake_channel"], bylaw_type=bylaw_type, address=loc["address"], lat=loc["lat"],
            lon=loc["lon"], description=(s.get("intake_description") or "").strip() or None,
            complainant_name=None if anonymous else s.get("intake_name"),
            complainant_phone=None if anonymous else s.get("intake_phone"),
            complainant_email=None if anonymous else s.get("intake_email"), anonymous=anonymous,
            priority=None if priority in (None, DEFAULT_PRIORITY) else priority,
            attach_to_case_id=None if attach in (None, NEW_CASE) else attach, reference=auth.reference()[0])
    except (ValueError, cases.CaseNotFound) as exc:
        auth.flash("error", f"Not saved: {exc}", FLASH_KEY)
        return
    stored = []
    for f in s.get(photo_key) or []:
        stored.append(cases.add_photo(db, user, f.getvalue(), kind="complaint", case_id=res["case_id"],
                                      complaint_id=res["complaint_id"], file_name=f.name))
    s[RESULT_KEY] = {**res, "photos": len(stored)}
    for k in FORM_KEYS:
        s.pop(k, None)
    s["intake_photo_round"] = s.get("intake_photo_round", 0) + 1  # a fresh (empty) uploader


def show_result(db, user, res: dict) -> None:
    case = cases.get_case(db, res["case_id"], user)
    verb = "opened" if res["created_case"] else "attached to the existing case"
    st.success(f"Complaint {res['complaint_id']} saved and {verb} **{case['case_id']}**"
               + (f" ({res['photos']} photo(s) stored)." if res.get("photos") else "."), icon=":material/check_circle:")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Case number", case["case_id"])
    c2.metric("Priority", case["priority"])
    c3.metric("First inspection due", ui.format_local(case["first_inspection_due_at"], "%Y-%m-%d %H:%M"))
    c4.metric("Resolution due", ui.format_local(case["resolution_due_at"], "%Y-%m-%d"))
    st.markdown(f"**Assigned officer:** {ui.md_escape(case['assigned_officer_id'] or 'nobody yet')} — "
                f"why: {ui.md_escape(case['assignment_reason'] or ui.MISSING)}")
    st.markdown(f"**Bylaw:** {ui.md_escape(case['bylaw_section'])} · **owner (roll):** "
                f"{ui.md_escape(case['owner_name'] or ui.MISSING)} · **address:** {ui.md_escape(case['address'] or ui.MISSING)}")
    if st.button("Record another complaint", key="intake_new"):
        st.session_state.pop(RESULT_KEY, None)
        st.rerun()


def main() -> None:
    user = auth.require("complaint.create", "Intake")
    db = auth.current_db()
    ref, loaded = auth.reference()
    auth.ops_header("Bylaw intake", reference_loaded=loaded)
    auth.show_flash(FLASH_KEY)
    res = st.session_state.get(RESULT_KEY)
    if res:
        show_result(db, user, res)
        return

    types = catalogue.bylaw_types()
    c1, c2, c3 = st.columns(3)
    c1.selectbox("Channel", list(CHANNELS), format_func=CHANNEL_LABELS.get, key="intake_channel")
    bylaw_type = c2.selectbox("Bylaw type", list(types), format_func=lambda t: types[t].label, key="intake_type")
    c3.selectbox("Priority", [DEFAULT_PRIORITY, *PRIORITIES], key="intake_priority",
                 format_func=lambda p: f"default for the type ({types[bylaw_type].default_priority})"
                 if p == DEFAULT_PRIORITY else p)
    loc = location_inputs(ref)
    st.text_area("What is the complaint about?", key="intake_description")

    st.subheader("Complainant (optional)", anchor=False, divider="gray")
    anonymous = st.checkbox("Anonymous: keep no name or contact", key="intake_anonymous")
    c1, c2, c3 = st.columns(3)
    c1.text_input("Name", key="intake_name", disabled=anonymous)
    c2.text_input("Phone", key="intake_phone", disabled=anonymous)
    c3.text_input("Email", key="intake_email", disabled=anonymous)
    st.caption("Confidential: only intake and supervisors see who complained; never on notices, exports or "
               "other roles' screens.")
    photo_key = f"intake_photos_{st.session_state.get('intake_photo_round', 0)}"
    st.file_uploader("Photos", type=["jpg", "jpeg", "png", "heic", "webp"], accept_multiple_files=True, key=photo_key)

    has_location = bool(loc["address"]) or (loc["lat"] is not None and loc["lon"] is not None)
    if not has_location:
        st.info("Give an address or a map point to see likely duplicates and save.", icon=":material/location_on:")
        return
    dup_ids = duplicate_panel(db, user, bylaw_type, loc)
    if dup_ids:
        st.radio("This complaint", [NEW_CASE, *dup_ids], key="intake_attach",
                 format_func=lambda c: "opens a new case" if c == NEW_CASE else f"joins {c}")
    st.button("Save complaint", type="primary", key="intake_save", on_click=_save,
              args=(db, user, loc, bylaw_type, photo_key))


main()
