"""The outer layer: the ``tournee`` command line (and, later, the HTTP service)."""
