"""The ``scraper`` command: argument parsing (``main``) and the subcommands (``commands``)."""

from scraper.cli.main import main

__all__ = ["main"]
