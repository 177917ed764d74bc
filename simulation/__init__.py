"""Warehouse picking simulation (SimPy). Depends on :mod:`optimizer`, never the reverse."""
