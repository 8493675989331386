"""Council reports: monthly and quarterly reports over the serving snapshot's marts,
rendered to PDF, XLSX and CSV with the privacy rules applied (``apps.reports.privacy``).

``build_report`` (content) → ``Report`` → ``render`` (formats). The Dagster assets,
``civic report council`` and the Streamlit page all call these same functions.
"""
