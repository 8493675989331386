"""Inspection checklists as reference data (``bylaw.catalogue.checklist``), the inspection
report PDF (``bylaw.documents.render_inspection_report``) built from the ops database's rows,
and ``issue_notice`` returning the notice's version."""

from __future__ import annotations

import datetime as dt
import io
import re

from pypdf import PdfReader

from bylaw import catalogue, documents
from bylaw import cases as C

NOW = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.timezone.utc)
IDENTITY = ("Zebulon Quixwell", "905-555-0199", "zeb.quixwell@example.org")


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


def jpeg() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "2026:11:02 09:05:00"
    g = exif.get_ifd(0x8825)
    g[1], g[2], g[3], g[4] = "N", (43.0, 27.0, 1.71), "W", (80.0, 29.0, 44.42)
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), "red").save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_checklists_are_reference_data_for_every_required_bylaw_type():
    table = catalogue.checklists()
    for btype in ("property_standards", "zoning", "noise", "pool_enclosure", "signs", "long_grass", "waste"):
        assert btype in catalogue.bylaw_types() and len(table[btype]) >= 3, btype
    assert catalogue.checklist("pool_enclosure")[1] == "Gate self-closing and self-latching"
    assert catalogue.checklist("graffiti") == catalogue.checklist(None) == table["*"]  # the default
    assert set(table) - {"*"} <= set(catalogue.bylaw_types())  # no checklist for an unknown type


def test_inspection_report_has_the_inspection_and_never_the_complainant(db, staff, reference, tmp_path):
    case_id = C.create_complaint(db, staff["clerk"], channel="phone", bylaw_type="pool_enclosure",
                                 address="102 King St", description=f"Gate open, call {IDENTITY[0]}",
                                 complainant_name=IDENTITY[0], complainant_phone=IDENTITY[1],
                                 complainant_email=IDENTITY[2], reference=reference, now=NOW)["case_id"]
    items = catalogue.checklist("pool_enclosure")
    answers = {items[0]: "ok", items[1]: "contravention", items[2]: None, items[3]: "n/a"}
    res = C.record_inspection(db, staff["officer"], case_id, 1, inspection_type="initial", result="violation_found",
                              checklist=answers, notes="Gate latch broken;\nchildren's toys by the pool",
                              inspected_at=NOW, lat=43.4505, lon=-80.4957, now=NOW)
    C.add_photo(db, staff["officer"], jpeg(), kind="before", case_id=case_id, inspection_id=res["inspection_id"],
                file_name="gate.jpg", data_dir=tmp_path, now=NOW)
    case = C.get_case(db, case_id, staff["supervisor"])  # a supervisor's view: the identity is in the rows
    assert case["complaints"][0]["complainant_name"] == IDENTITY[0]
    (inspection,) = case["inspections"]
    ctx = documents.inspection_report_context(case, inspection, case["photos"], {"name": "Officer", "badge": "K4417"},
                                              reference.property_by_roll(case["roll_number"]))
    pdf = documents.render_inspection_report(ctx)
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF") and "Inspection Report" in text
    for expected in (case_id, res["inspection_id"], "Initial inspection", "November 2, 2026, 09:00 EST",
                     "Officer (badge K4417)", "102 King St", case["roll_number"], case["owner_name"],
                     "Chapter 447, Fences and Pool Enclosures, s.447.4", "Gate self-closing and self-latching contravention",
                     f"{items[2]} not checked", "Violation found", "Gate latch broken;", "children's toys by the pool",
                     case["photos"][0]["file_path"].rsplit("/", 1)[1], "(before): taken November 2, 2026, 09:05 EST",
                     "43.450475, -80.495672"):
        assert expected in text, expected
    for secret in IDENTITY:
        assert secret not in text and secret.encode() not in pdf
    assert "Gate open" not in text  # the complaint's own text neither


def test_inspection_report_refuses_an_inspection_not_done(db, staff, reference):
    case_id = C.open_case(db, staff["supervisor"], bylaw_type="noise", address="102 King St", reference=reference,
                          now=NOW)["case_id"]
    iid = C.schedule_inspection(db, staff["supervisor"], case_id, NOW + dt.timedelta(days=1), now=NOW)
    case = C.get_case(db, case_id, staff["supervisor"])
    ctx = documents.inspection_report_context(case, case["inspections"][0], [], {"name": "Officer"})
    try:
        documents.render_inspection_report(ctx)
    except documents.DocumentValidationError as exc:
        assert {"inspected_at", "result"} <= set(exc.missing) and iid == ctx.inspection_id
    else:
        raise AssertionError("a scheduled inspection has no report")


def test_issue_notice_returns_the_notice_version(db, staff, reference):
    case_id = C.open_case(db, staff["supervisor"], bylaw_type="noise", address="102 King St", reference=reference,
                          now=NOW)["case_id"]
    v = C.record_inspection(db, staff["officer"], case_id, 1, inspection_type="initial", result="violation_found",
                            now=NOW)["case"]["version"]
    res = C.issue_notice(db, staff["officer"], case_id, v, notice_type="compliance_notice", served_method="personal",
                         compliance_deadline=dt.date(2026, 11, 30), now=NOW)
    assert res["notice_version"] == 1
    row = C.update_notice(db, staff["officer"], res["notice_id"], res["notice_version"], document_path="ops/x.pdf")
    assert (row["version"], row["document_path"]) == (2, "ops/x.pdf")
