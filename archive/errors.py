"""The archive's one exception: its message is a single line meant for the user."""

from __future__ import annotations


class ArchiveError(Exception):
    """The archive cannot do what was asked (corrupt or newer database, disk full, bad query)."""
