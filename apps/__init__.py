"""Streamlit apps of the Civic Enforcement Platform (entry point: ``apps/streamlit_app.py``)."""
