"""Bylaw enforcement: the ops database, case lifecycle, intake and enforcement documents."""
