"""Parking enforcement logic outside dbt: the live check of one plate read.

The violation rules have one definition, the dbt macros in ``dbt_project/macros/rules/``.
The warehouse applies them to every read (``int_plate_reads_evaluated``); this package
renders the same macro files with jinja2 and the same configuration (the dbt vars of
``dbt_project/dbt_project.yml``, environment overrides included) and runs them in DuckDB
against the serving snapshot's ``enforcement`` schema:

    from enforcement import check_read
    check_read("ABCD 123", "2026-10-28T10:15", 43.4516, -80.4925)   # -> dict (the verdict)

``civic alpr check`` prints that dict as JSON.
"""

from enforcement.live import check_read

__all__ = ["check_read"]
