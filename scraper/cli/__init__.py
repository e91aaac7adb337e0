"""The ``scraper`` command: argument parsing (``main``) and the subcommands.

``commands`` runs check, health, export, search and reextract (``output``: where an export
writes, through what stands at its path); ``add`` writes a new publisher's seed file.
"""

from scraper.cli.main import main

__all__ = ["main"]
