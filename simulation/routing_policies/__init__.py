"""Picker routing policies, one module per policy family.

The public entry point is :mod:`simulation.picking`; import from there.
"""
