"""Civic Enforcement Platform — Streamlit entry point.

Run from the repository root::

    streamlit run apps/streamlit_app.py

Pages live in ``apps/app_pages/``. To add one, write ``apps/app_pages/<name>.py``
and add an ``st.Page`` to ``PAGES`` under its section. Pages read only the
serving snapshot (see ``apps/serving.py``), never the pipeline's warehouse.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run apps/streamlit_app.py` puts apps/ on sys.path, not the repository
# root; make `import apps...` work without installing the project.
_REPO_ROOT = Path(__file__).resolve().parent.parent
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

APP_TITLE = "Civic Enforcement Platform"
PAGES_DIR = Path(__file__).resolve().parent / "app_pages"


def page(filename: str, title: str, icon: str, **kwargs) -> st.Page:
    return st.Page(PAGES_DIR / filename, title=title, icon=icon, **kwargs)


# Section -> pages, in menu order. The first page of the first section is the default.
PAGES: dict[str, list[st.Page]] = {
    "Dashboards": [
        page("overview.py", "Overview", ":material/dashboard:", default=True),
    ],
    "Parking": [
        page("shift_analytics.py", "Shift analytics", ":material/badge:"),
        page("operations.py", "Operations", ":material/local_parking:"),
        page("review_queue.py", "Review queue", ":material/fact_check:"),
        page("route_plans.py", "Route plans", ":material/route:"),
    ],
    "Bylaw": [
        page("bylaw_intake.py", "Intake", ":material/add_call:"),
        page("bylaw_casework.py", "Case work", ":material/assignment_ind:"),
        page("bylaw_monitoring.py", "Monitoring", ":material/monitor_heart:"),
        page("bylaw_analytics.py", "Bylaw analytics", ":material/gavel:"),
    ],
    "Reports": [
        page("council_reports.py", "Council reports", ":material/summarize:"),
    ],
    "Pipeline": [
        page("data_status.py", "Data status", ":material/database:"),
    ],
}

st.set_page_config(
    page_title=APP_TITLE,
    page_icon=":material/local_parking:",
    layout="wide",
)
navigation = st.navigation(PAGES)
st.sidebar.caption(f"**{APP_TITLE}** · reads the published serving snapshot")
st.title(APP_TITLE, anchor=False)
navigation.run()
