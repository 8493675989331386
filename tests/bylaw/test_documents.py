"""Enforcement documents (bylaw/documents.py): every kind renders to a PDF whose text carries the
statutory wording, deadlines and appeal rights; validation; service-date rules; and no complainant
data ever reaches a document."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from bylaw import documents as D
from bylaw.documents import (
    DOCUMENT_KINDS,
    DocumentContext,
    DocumentValidationError,
    appeal_deadline,
    context_from_case,
    deadline_after,
    deemed_service_date,
    render_document,
)

TODAY = dt.date(2026, 11, 22)  # a Sunday; the documents below are issued on Monday Nov 23, 2026

COMPLAINANT = {"complainant_name": "Zebulon Quixwell", "complainant_phone": "905-555-0199",
               "complainant_email": "zeb.quixwell@example.org"}


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def rows(notice_type: str = "order_to_comply", bylaw_type: str = "property_standards", **notice):
    """Ops-style plain rows, with the complainant's identity present in the source data."""
    case_row = {"case_id": "CE-2026-000123", "bylaw_type": bylaw_type, "priority": "standard",
                "bylaw_section": "Chapter 665 s.665.3 (Property Standards)", "address": "ignored if property has one",
                "complaint_description": f"My neighbour at 42 Maple is a mess - call me, {COMPLAINANT['complainant_name']}",
                **COMPLAINANT}
    notice_row = {"notice_id": "ON-00000042", "case_id": "CE-2026-000123", "notice_type": notice_type,
                  "issued_at": "2026-11-23T14:05:00+00:00", "served_method": "registered_mail",
                  "served_at": "2026-11-23T15:00:00+00:00", "compliance_deadline": "2026-12-21",
                  "fine_amount": None, "bylaw_section": "Chapter 665 s.665.3 (Property Standards)",
                  "violation_description": "Front porch guard is loose and two balusters are missing.",
                  "work_required": "Repair or replace the porch guard so that it is secure.",
                  "complainant": COMPLAINANT["complainant_name"], **notice}
    officer = {"officer_id": "BY-201", "name": "Jordan Lee", "badge_number": "K4417",
               "email": "jordan.lee@demoharbour.example.ca"}
    prop = {"roll_number": "3012050010000420000", "address": "42 Maple Street, Demo Harbour",
            "owner_name": "Marie Tremblay", "owner_mailing_address": "PO Box 9, Demo Harbour, ON L0L 0A9"}
    return case_row, notice_row, officer, prop


TICKET = dict(notice_type="part_i_ticket", bylaw_type="noise", compliance_deadline=None, fine_amount=300.0,
              served_method="personal", bylaw_section="Chapter 450 s.450.2 (Noise)",
              violation_description="Amplified sound clearly audible at the property line at 23:40.",
              work_required=None)


def ctx_for(kind: str) -> DocumentContext:
    if kind in ("part_i_ticket", "amp"):
        t = dict(TICKET, notice_type=kind)
        case_row, notice_row, officer, prop = rows(t.pop("notice_type"), t.pop("bylaw_type"), **t)
    elif kind == "order_to_comply":
        case_row, notice_row, officer, prop = rows("order_to_comply", "long_grass",
                                                   bylaw_section="Chapter 660 s.660.4 (Long Grass and Weeds)")
    else:
        case_row, notice_row, officer, prop = rows("compliance_notice" if kind == "compliance_notice" else "order_to_comply")
    ctx = context_from_case(case_row, notice_row, officer, prop)
    assert ctx.kind == kind
    return ctx


# --- each kind renders with its statutory wording, deadlines and appeal rights ----------------------

COMMON = ["CE-2026-000123", "ON-00000042", "Marie Tremblay", "42 Maple Street, Demo Harbour", "Jordan Lee", "K4417",
          "November 23, 2026", "City of Demo Harbour", "TEMPLATE", "legal staff"]

EXPECTED = {
    "compliance_notice": ["3012050010000420000", "Chapter 665, Property Standards, s.665.3",
                          "Front porch guard is loose", "Repair or replace the porch guard",
                          "on or before December 21, 2026", "Municipal Act, 2001, s.446", "Building Code Act, 1992, s.15.2",
                          "Appeal rights", "no right of appeal", "deemed served on November 28, 2026"],
    "order_to_comply": ["3012050010000420000", "Municipal Act, 2001, S.O. 2001, c. 25, sections 445 and 446",
                        "Chapter 660, Long Grass and Weeds, s.660.4", "December 21, 2026",
                        "at your expense", "adding the costs to the tax roll for the property",
                        "same manner as property taxes", "s.446(3)", "Right of appeal", "within 14 days",
                        "on or before December 14, 2026"],
    "property_standards_order": ["3012050010000420000", "Building Code Act, 1992", "subsection 15.2(2)",
                                 "Property Standards Committee", "s.15.3", "within 14 days after being served",
                                 "on or before December 14, 2026", "deemed to be confirmed", "Superior Court of Justice",
                                 "registered mail", "fifth day after the day of mailing", "December 21, 2026",
                                 "added to the tax roll"],
    "part_i_ticket": ["Certificate of Offence", "Offence Notice", "Provincial Offences Act", "Part I",
                      "Chapter 450, Noise, s.450.2", "Amplified sound clearly audible", "Set fine $300.00",
                      "Victim fine surcharge $60.00", "Costs $5.00", "Total payable $365.00",
                      "Option 1", "Option 2", "Option 3", "Trial", "on or before December 8, 2026",
                      "deemed not to dispute"],
    "amp": ["Penalty Notice", "Administrative Monetary Penalty", "O. Reg. 333/07", "Chapter 450, Noise, s.450.2",
            "$300.00", "screening review", "Screening Officer", "Hearing Officer", "Within 15 days after this notice is served",
            "on or before December 8, 2026", "not subject to review", "tax roll"],
}


@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_each_kind_renders_with_statutory_wording_and_deadlines(kind):
    pdf = render_document(kind, ctx_for(kind), today=TODAY)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for needle in COMMON + EXPECTED[kind]:
        assert norm(needle) in text, f"{kind}: {needle!r} not in the rendered text"


def test_order_kind_follows_the_authority():
    c, n, o, p = rows("order_to_comply", "property_standards")
    assert context_from_case(c, n, o, p).kind == "property_standards_order"
    assert context_from_case(c, dict(n, order_authority="municipal_act"), o, p).kind == "order_to_comply"
    c2 = dict(c, bylaw_type="waste")
    assert context_from_case(c2, n, o, p).kind == "order_to_comply"
    assert context_from_case(c2, dict(n, order_authority="building_code_act"), o, p).kind == "property_standards_order"
    assert context_from_case(c2, n, o, p, kind="compliance_notice").kind == "compliance_notice"


def test_context_from_case_reads_ops_rows():
    ctx = context_from_case(*rows())
    assert ctx.case_number == "CE-2026-000123" and ctx.notice_number == "ON-00000042"
    assert (ctx.bylaw_reference, ctx.bylaw_section) == ("Chapter 665, Property Standards", "s.665.3")
    assert ctx.property_address == "42 Maple Street, Demo Harbour"  # the property row wins over the case row
    assert ctx.officer_badge == "K4417" and ctx.officer_name == "Jordan Lee"
    assert ctx.issue_date == dt.date(2026, 11, 23) and ctx.served_on == dt.date(2026, 11, 23)
    # a UTC timestamp early in the morning is the previous day in Ontario
    c, n, o, p = rows(issued_at="2026-11-24T03:30:00Z", served_at=dt.datetime(2026, 11, 24, 3, 30, tzinfo=dt.UTC))
    ctx = context_from_case(c, n, o, p)
    assert ctx.issue_date == ctx.served_on == dt.date(2026, 11, 23)
    assert context_from_case(c, dict(n, fine_amount="412.5"), o, p, kind="amp").fine_amount == Decimal("412.50")
    assert D.split_bylaw_section("By-law 2019-051 s.4.12 (Zoning)") == ("By-law 2019-051, Zoning", "s.4.12")


def test_explicit_findings_override_the_notice_row():
    ctx = context_from_case(*rows(), violation_description="Rotted stair treads.", work_required="Replace treads.")
    assert (ctx.violation_description, ctx.work_required) == ("Rotted stair treads.", "Replace treads.")


# --- confidentiality --------------------------------------------------------------------------------

def test_context_has_no_complainant_field():
    names = {f.name for f in dataclasses.fields(DocumentContext)}
    assert not any("complain" in n for n in names)
    assert not any("complain" in k for k in ctx_for("amp").template_vars())


@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_no_complainant_identity_in_any_document(kind):
    ctx = ctx_for(kind)
    blob = json.dumps(dataclasses.asdict(ctx), default=str)
    text = pdf_text(render_document(kind, ctx, today=TODAY))
    for slot in ("CE-2026-000123", "Marie Tremblay", "42 Maple Street, Demo Harbour", "3012050010000420000", "Jordan Lee"):
        assert slot in text
    for value in list(COMPLAINANT.values()) + ["Zebulon", "Quixwell", "555-0199", "My neighbour"]:
        assert value not in blob, f"{value!r} reached the context"
        assert value.lower() not in text.lower(), f"{kind}: complainant data {value!r} in the document"


# --- validation ---------------------------------------------------------------------------------------

def test_missing_slots_are_named():
    with pytest.raises(DocumentValidationError) as e:
        render_document("property_standards_order", DocumentContext(kind="property_standards_order",
                                                                    case_number="CE-1", issue_date=TODAY),
                        today=TODAY)
    err = e.value
    for slot in ("roll_number", "owner_name", "work_required", "compliance_deadline", "officer_badge",
                 "violation_description", "served_method"):
        assert slot in err.missing and slot in str(err)
    assert "case_number" not in err.missing
    ctx = dataclasses.replace(ctx_for("amp"), fine_amount=None)
    with pytest.raises(DocumentValidationError, match="missing required slots: fine_amount"):
        render_document("amp", ctx, today=TODAY)
    ctx = dataclasses.replace(ctx_for("compliance_notice"), work_required="   ")
    with pytest.raises(DocumentValidationError, match="work_required"):
        render_document("compliance_notice", ctx, today=TODAY)


def test_deadline_in_the_past_is_refused():
    ctx = ctx_for("order_to_comply")
    with pytest.raises(DocumentValidationError, match="compliance_deadline 2026-12-21 is in the past"):
        render_document("order_to_comply", ctx, today=dt.date(2026, 12, 22))
    early = dataclasses.replace(ctx, issue_date=dt.date(2026, 11, 20), served_on=dt.date(2026, 11, 20),
                                compliance_deadline=dt.date(2026, 11, 19))
    with pytest.raises(DocumentValidationError, match="before the issue date"):
        render_document("order_to_comply", early, today=dt.date(2026, 11, 1))


def test_service_before_issue_is_refused():
    ctx = dataclasses.replace(ctx_for("property_standards_order"), served_on=dt.date(2026, 11, 20))
    with pytest.raises(DocumentValidationError, match="served_on 2026-11-20 is before the issue date 2026-11-23"):
        render_document("property_standards_order", ctx, today=TODAY)


def test_appeal_date_before_service_is_refused(monkeypatch):
    ctx = ctx_for("property_standards_order")  # mailed Nov 23, deemed served Nov 28, statutory deadline Dec 14
    with pytest.raises(DocumentValidationError, match="appeal date 2026-11-25 is before service"):
        render_document("property_standards_order", dataclasses.replace(ctx, appeal_by=dt.date(2026, 11, 25)), today=TODAY)
    with pytest.raises(DocumentValidationError, match="earlier than the 14 days"):
        render_document("property_standards_order", dataclasses.replace(ctx, appeal_by=dt.date(2026, 12, 10)), today=TODAY)
    with pytest.raises(DocumentValidationError, match="no right of appeal"):
        render_document("compliance_notice", dataclasses.replace(ctx_for("compliance_notice"), appeal_by=dt.date(2026, 12, 30)),
                        today=TODAY)
    longer = dataclasses.replace(ctx_for("order_to_comply"), appeal_by=dt.date(2026, 12, 31))  # a by-law may give more
    assert "on or before December 31, 2026" in pdf_text(render_document("order_to_comply", longer, today=TODAY))
    monkeypatch.setenv("CIVIC_MA_ORDER_APPEAL_DAYS", "-3")
    with pytest.raises(DocumentValidationError, match="CIVIC_MA_ORDER_APPEAL_DAYS"):
        render_document("order_to_comply", ctx_for("order_to_comply"), today=TODAY)


def test_other_refusals():
    amp = ctx_for("amp")
    with pytest.raises(DocumentValidationError, match="served_method 'fax'"):
        render_document("amp", dataclasses.replace(amp, served_method="fax"), today=TODAY)
    with pytest.raises(DocumentValidationError, match="unknown document kind"):
        render_document("summons", amp, today=TODAY)
    with pytest.raises(DocumentValidationError, match="built for 'amp'"):
        render_document("part_i_ticket", amp, today=TODAY)
    ticket = ctx_for("part_i_ticket")
    with pytest.raises(DocumentValidationError, match="cannot exceed"):
        render_document("part_i_ticket", dataclasses.replace(ticket, fine_amount=Decimal("1500")), today=TODAY)
    with pytest.raises(DocumentValidationError, match="must be positive"):
        render_document("amp", dataclasses.replace(amp, fine_amount=Decimal("0")), today=TODAY)
    with pytest.raises(DocumentValidationError, match="offence_date"):
        render_document("amp", dataclasses.replace(amp, offence_date=dt.date(2026, 11, 30)), today=TODAY)


# --- service dates and deadlines ---------------------------------------------------------------------------

def test_deemed_service_dates():
    mon = dt.date(2026, 11, 23)
    assert deemed_service_date("personal", mon) == mon
    assert deemed_service_date("registered_mail", mon) == dt.date(2026, 11, 28)  # 5th day after mailing (a Saturday)
    assert deemed_service_date("digital", mon) == dt.date(2026, 11, 24)  # next business day
    assert deemed_service_date("digital", dt.date(2026, 11, 27)) == dt.date(2026, 11, 30)  # Friday -> Monday
    # Thursday Dec 24: Christmas (Fri), weekend, Boxing Day observed (Mon Dec 28) -> Tue Dec 29
    assert deemed_service_date("digital", dt.date(2026, 12, 24)) == dt.date(2026, 12, 29)
    with pytest.raises(ValueError, match="served_method"):
        deemed_service_date("pigeon", mon)


def test_appeal_deadlines_from_service():
    mon = dt.date(2026, 11, 23)
    # BCA s.15.3: 14 days after deemed service (Nov 28) = Sat Dec 12 -> Mon Dec 14
    assert appeal_deadline("registered_mail", mon, 14) == dt.date(2026, 12, 14)
    assert appeal_deadline("personal", mon, 15) == dt.date(2026, 12, 8)
    assert appeal_deadline("digital", mon, 14) == dt.date(2026, 12, 8)
    assert deadline_after(dt.date(2026, 12, 10), 15) == dt.date(2026, 12, 29)  # Dec 25 -> past the holidays
    assert deadline_after(dt.date(2026, 5, 4), 14) == dt.date(2026, 5, 19)  # Victoria Day, May 18, 2026


def test_ontario_holidays_2026():
    h = D.ontario_holidays(2026)
    for d, name in [((2, 16), "Family Day"), ((4, 3), "Good Friday"), ((5, 18), "Victoria Day"),
                    ((8, 3), "Civic Holiday"), ((9, 7), "Labour Day"), ((10, 12), "Thanksgiving Day"),
                    ((12, 25), "Christmas Day"), ((12, 28), "Boxing Day (observed)")]:
        assert h[dt.date(2026, *d)] == name
    # 2027: Christmas on a Saturday, Boxing Day on a Sunday -> observed Mon 27 and Tue 28
    h27 = D.ontario_holidays(2027)
    assert dt.date(2027, 12, 27) in h27 and dt.date(2027, 12, 28) in h27


def test_context_deadlines_follow_service_method():
    ctx = ctx_for("property_standards_order")
    assert ctx.deemed_served_on == dt.date(2026, 11, 28) and ctx.appeal_deadline == dt.date(2026, 12, 14)
    personal = dataclasses.replace(ctx, served_method="personal")
    assert personal.appeal_deadline == dt.date(2026, 12, 7)
    unserved = dataclasses.replace(ctx, served_on=None)  # planned service on the issue date
    assert unserved.appeal_deadline == ctx.appeal_deadline
    assert ctx_for("compliance_notice").appeal_deadline is None


# --- layout, escaping, configuration -------------------------------------------------------------------

def test_long_description_breaks_across_pages():
    long = "\n".join(f"Item {i}: the guard on the rear deck stair is loose and must be secured to the joists." for i in range(1, 121))
    ctx = dataclasses.replace(ctx_for("property_standards_order"), violation_description=long + "\nEND-OF-LIST")
    pdf = render_document("property_standards_order", ctx, today=TODAY)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 4
    text = pdf_text(pdf)
    assert "Item 1: the guard" in text and "Item 120: the guard" in text and "END-OF-LIST" in text
    assert "Right of appeal to the Property Standards Committee" in text
    for page in reader.pages:  # every page carries the header and the case number in its footer
        t = page.extract_text()
        assert "TEMPLATE - REQUIRES REVIEW BY LEGAL STAFF" in t and "CE-2026-000123" in t


def test_markup_in_values_is_escaped():
    ctx = dataclasses.replace(ctx_for("amp"), violation_description="Sign reads <b>OPEN & LOUD</b> :: really",
                              owner_name="O'Brien & Sons <Ltd>")
    text = pdf_text(render_document("amp", ctx, today=TODAY))
    assert "Sign reads <b>OPEN & LOUD</b> :: really" in text and "O'Brien & Sons <Ltd>" in text
    # a value is never read as layout markup: no table row, bullet or heading made from it
    markup = D.render_markup("amp", ctx)
    assert "Sign reads &lt;b&gt;OPEN &amp; LOUD&lt;/b&gt; &#58;&#58; really" in markup
    listed = dataclasses.replace(ctx, violation_description="- not a bullet\n# not a title")
    flow = D._markup_to_flowables(D.render_markup("amp", listed))
    assert not any(getattr(f, "bulletText", None) for f in flow if "not a bullet" in getattr(f, "text", ""))


def test_municipality_from_environment(monkeypatch):
    monkeypatch.setenv("CIVIC_MUNICIPALITY_NAME", "Town of Lakeshore Bay")
    monkeypatch.setenv("CIVIC_MUNICIPALITY_PHONE", "519-555-0142")
    monkeypatch.setenv("CIVIC_AMP_REVIEW_DAYS", "21")
    ctx = ctx_for("amp")
    text = pdf_text(render_document("amp", ctx, today=TODAY))
    assert "Town of Lakeshore Bay" in text and "519-555-0142" in text
    assert "Within 21 days after this notice is served" in text and "December 14, 2026" in text  # Nov 23 + 21 = Mon Dec 14


def test_rendering_is_deterministic():
    ctx = ctx_for("compliance_notice")
    assert render_document("compliance_notice", ctx, today=TODAY) == render_document("compliance_notice", ctx, today=TODAY)


def test_cli_render_notice(tmp_path, capsys):
    from civic.cli import main

    c, n, o, p = rows()
    n = dict(n, compliance_deadline=(dt.date.today() + dt.timedelta(days=30)).isoformat(),
             issued_at=dt.date.today().isoformat(), served_at=None)
    src = tmp_path / "case.json"
    src.write_text(json.dumps({"case": c, "notice": n, "officer": o, "property": p}))
    out = tmp_path / "order.pdf"
    assert main(["bylaw", "render-notice", "--case-json", str(src), "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "property_standards_order"
    text = pdf_text(out.read_bytes())
    assert "Property Standards Order" in text and "Quixwell" not in text
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"case": c, "notice": dict(n, compliance_deadline="2020-01-01"), "officer": o, "property": p}))
    assert main(["bylaw", "render-notice", "--kind", "order_to_comply", "--case-json", str(bad),
                 "--out", str(tmp_path / "x.pdf")]) == 2
    assert "is in the past" in capsys.readouterr().err
