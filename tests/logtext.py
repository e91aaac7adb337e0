"""Reading the command's log lines as cron sees them (stderr is not a terminal in tests)."""

from __future__ import annotations

import re

STAMPED = re.compile(
    r"^(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z) (?P<level>DEBUG|INFO|WARNING|ERROR) "
    r"(?P<message>.*)$"
)


def messages(output: str, level: str | None = None) -> list[str]:
    """The messages of ``output``'s log lines (of ``level`` only, if given).

    Fails the test if any line lacks the ISO-8601 UTC timestamp and level prefix.
    """
    found = []
    for line in output.strip().splitlines():
        match = STAMPED.match(line)
        assert match is not None, f"log line without timestamp and level: {line!r}"
        if level is None or match["level"] == level:
            found.append(match["message"])
    return found
