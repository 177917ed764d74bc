"""``python -m api`` runs the ``tournee`` command."""

from api.cli import main

main()
