"""Streamlit pages, one script per page; registered in ``apps/streamlit_app.py``."""
