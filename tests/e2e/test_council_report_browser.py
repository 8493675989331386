"""A council member in a real browser (Debian's /usr/bin/chromium through Playwright)
against `streamlit run apps/streamlit_app.py` on the built ci city: opens Reports ›
Council reports, switches to the quarter, prepares the PDF and downloads it and the
workbook — both the quarter's, both readable."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from helpers import CHROMIUM, CHROMIUM_ARGS, streamlit_app

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")]
playwright_api = pytest.importorskip("playwright.sync_api")


def test_a_council_member_downloads_the_quarters_report(ci_city, tmp_path):
    from pypdf import PdfReader

    expect = playwright_api.expect
    with streamlit_app({"CIVIC_DATA_DIR": str(ci_city)}) as base, playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(accept_downloads=True).new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{base}/council_reports")
            expect(page.get_by_role("heading", name="Council reports")).to_be_visible()
            expect(page.get_by_text("October 2026").first).to_be_visible()
            page.get_by_role("radio", name="Quarter").click()
            expect(page.get_by_text("Q4 2026 (October–December)").first).to_be_visible()
            expect(page.get_by_text("is not complete in the warehouse").first).to_be_visible()
            page.get_by_role("button", name="Prepare the PDF").click()
            with page.expect_download(timeout=120_000) as pdf_dl:
                page.get_by_role("button", name="Download PDF").click()
            pdf_path = tmp_path / pdf_dl.value.suggested_filename
            pdf_dl.value.save_as(pdf_path)
            with page.expect_download() as xlsx_dl:
                page.get_by_role("button", name="Download XLSX").click()
            xlsx_path = tmp_path / xlsx_dl.value.suggested_filename
            xlsx_dl.value.save_as(xlsx_path)
        finally:
            browser.close()
    assert pdf_path.name == "council-report-2026-Q4.pdf" and xlsx_path.name == "council-report-2026-Q4.xlsx"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(pdf_path)).pages).split())
    assert "Q4 2026 (October–December)" in text and "Chart description:" in text
    sheets = pd.read_excel(io.BytesIO(xlsx_path.read_bytes()), sheet_name=None)
    assert {"About", "summary", "parking_tickets_by_type", "bylaw_cost_per_case", "Definitions"} <= set(sheets)
    about = dict(zip(sheets["About"]["Item"], sheets["About"]["Value"]))
    assert about["Period"].startswith("Q4 2026")
