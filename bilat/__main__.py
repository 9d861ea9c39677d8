"""``python -m bilat`` runs the command-line interface."""

from bilat.cli import main

main()
