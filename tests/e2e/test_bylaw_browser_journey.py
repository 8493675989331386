"""A bylaw case's whole journey in a real browser (Debian's /usr/bin/chromium through
Playwright) against `streamlit run apps/streamlit_app.py`: a clerk takes the complaint at
intake, the officer inspects, issues a compliance notice (PDF), re-inspects and finds it
complied, and closes the case. Checked in the ops database at the end."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import CHROMIUM, CHROMIUM_ARGS, settle, streamlit_app

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed")]
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def app(tmp_path):
    from bylaw.roles import create_user
    from simulator import generate
    from warehouse.ops import OpsDB

    sim = tmp_path / "sim"
    generate("ci", 7, sim)
    data = tmp_path / "data"
    for source in ("assessment_roll", "zones", "officers"):
        shutil.copytree(sim / "landing" / source, data / "landing" / source)
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    db = OpsDB(url)
    create_user(db, "clerk", "Casey Clerk", "clerk", "clerk-password")
    create_user(db, "officer", "Pat Officer", "officer", "officer-password", officer_id="BY-201")
    try:
        with streamlit_app({"CIVIC_DATA_DIR": str(data), "CIVIC_OPS_DB_URL": url}) as base:
            yield base, db
    finally:
        db.dispose()


def _sign_in(page, base: str, path: str, user: str) -> None:
    page.goto(f"{base}/{path}")
    page.get_by_label("User id").fill(user)
    page.get_by_label("Password", exact=True).fill(f"{user}-password")
    page.get_by_role("button", name="Sign in").click()


def _select(page, label: str, option: str) -> None:
    # the visible selectbox with this label (Streamlit keeps other tabs' widgets in the page)
    box = page.locator('[data-testid="stSelectbox"]:visible').filter(
        has=page.get_by_text(label, exact=True)).first
    box.locator("input").click()
    box.locator("input").fill(option)  # the select filters its options as one types
    page.get_by_role("option", name=option, exact=True).click()


def test_intake_to_closure_in_a_browser(app):
    base, db = app
    sync_playwright = playwright_api.sync_playwright
    expect = playwright_api.expect
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()
            page.set_default_timeout(30_000)
            _sign_in(page, base, "bylaw_intake", "clerk")
            page.get_by_role("textbox", name="Address").fill("102 King St")
            page.get_by_role("textbox", name="Address").press("Enter")
            expect(page.get_by_text("Victoria Walker Developments Inc.").first).to_be_visible()
            page.get_by_label("What is the complaint about?").fill("Broken porch stairs")
            page.get_by_role("button", name="Save complaint").click()
            expect(page.get_by_text(re.compile(r"saved and opened"))).to_be_visible()
            case_id = page.get_by_text(re.compile(r"CE-\d{4}-\d{6}")).first.inner_text()
            case_id = re.search(r"CE-\d{4}-\d{6}", case_id).group(0)

            page = browser.new_context().new_page()
            page.set_default_timeout(30_000)
            _sign_in(page, base, "bylaw_casework", "officer")
            expect(page.get_by_text(f"Case file {case_id}")).to_be_visible()
            page.get_by_role("button", name="Record inspection").click()
            expect(page.get_by_text("is now investigated")).to_be_visible()
            settle(page)
            page.get_by_role("tab", name="Notice or order").click()
            page.get_by_label("Violation observed").fill("Front stairs broken")
            page.get_by_label("Work required").fill("Repair the front stairs")
            page.get_by_role("button", name="Issue", exact=True).click()
            expect(page.get_by_text("is now notice_issued")).to_be_visible()
            settle(page)
            # the officer stays on the tab they worked in, with the notice's PDF offered there
            expect(page.get_by_role("tab", name="Notice or order")).to_have_attribute("aria-selected", "true")
            expect(page.get_by_role("button", name=re.compile(r"Download ON-\d{8} \(PDF\)"))).to_be_visible()
            page.get_by_role("tab", name="Inspection").click()
            _select(page, "Result", "Complied")
            page.get_by_role("button", name="Record inspection").click()
            expect(page.get_by_text("is now complied")).to_be_visible()
            settle(page)
            expect(page.get_by_role("tab", name="Inspection")).to_have_attribute("aria-selected", "true")
            page.get_by_role("tab", name="Closure").click()
            page.get_by_label("Reason").fill("Stairs repaired")
            page.get_by_role("button", name="Close case").click()
            expect(page.get_by_text(f"Case {case_id} closed")).to_be_visible()
        finally:
            browser.close()

    with db.engine.connect() as c:
        steps = [tuple(r) for r in c.execute(sa.text(
            "SELECT from_status, to_status FROM case_status_changes WHERE case_id = :c ORDER BY change_id"), {"c": case_id})]
        outcome = c.execute(sa.text("SELECT outcome, closure_reason FROM cases WHERE case_id = :c"), {"c": case_id}).one()
    assert steps == [(None, "received"), ("received", "investigated"), ("investigated", "notice_issued"),
                     ("notice_issued", "complied"), ("complied", "closed")]
    assert tuple(outcome) == ("voluntary_compliance", "Stairs repaired")
