"""Log lines an operator can read: standard ``logging``, set up once by the command line.

Two streams, as a nightly job's log needs them:

- ``scraper`` and its children (progress, failures, warnings, errors) go to stderr;
- ``scraper.summary`` (a command's result: the crawl's end-of-run summary, export and
  reextract counts) goes to stdout, so it can be piped or captured on its own.

When a stream is not a terminal (cron, a pipe, a file) every line starts with an
ISO-8601 UTC timestamp and the level: ``2026-12-02T02:15:03Z INFO crawl run 12: ...``.
On a terminal, lines are plain (warnings and errors say so), and while the crawl's live
table is up they are printed above it through the same rich console. ``--log-format json``
writes one JSON object per line instead, for log shippers; ``--log-file`` appends the same
lines, always timestamped, to a file as well.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import TextIO

from rich.console import Console

LOGGER = "scraper"
SUMMARY = "scraper.summary"
LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")


def utc_timestamp(created: float) -> str:
    """``2026-12-02T02:15:03Z`` for a ``time.time()`` value (seconds, UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created))


class StampedFormatter(logging.Formatter):
    """``<ISO-8601 UTC> <LEVEL> <message>``: the form for cron, pipes and files."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{utc_timestamp(record.created)} {record.levelname} {record.getMessage()}"


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": utc_timestamp(record.created),
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
            },
            ensure_ascii=False,
        )


class TerminalFormatter(logging.Formatter):
    """Plain lines for a person at a terminal; warnings and errors name their level."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


class ConsoleHandler(logging.Handler):
    """Writes through a rich console, so lines appear above a live display, not in it."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)
        except Exception:  # noqa: BLE001 - logging must never take the command down
            self.handleError(record)


_consoles: dict[int, Console] = {}


def terminal_console(stream: TextIO | None = None) -> Console | None:
    """The rich console that log lines use on ``stream`` (stderr), if it is a terminal."""
    return _consoles.get(id(stream or sys.stderr))


def configure(
    level: str = "info",
    *,
    fmt: str = "text",
    log_file: Path | None = None,
    stderr: TextIO | None = None,
    stdout: TextIO | None = None,
) -> None:
    """Set up the ``scraper`` loggers for one command; safe to call again (tests do)."""
    stderr = stderr or sys.stderr
    stdout = stdout or sys.stdout
    root = logging.getLogger(LOGGER)
    summary = logging.getLogger(SUMMARY)
    for logger in (root, summary):
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
    _consoles.clear()
    root.setLevel(level.upper())
    root.propagate = False
    summary.setLevel(logging.INFO)  # a command's result is shown whatever the level
    summary.propagate = False  # it has its own stream
    root.addHandler(_stream_handler(stderr, fmt))
    summary.addHandler(_stream_handler(stdout, fmt))
    if log_file is not None:
        for logger in (root, summary):
            handler = logging.FileHandler(log_file, encoding="utf-8")
            handler.setFormatter(JSONFormatter() if fmt == "json" else StampedFormatter())
            logger.addHandler(handler)


def _stream_handler(stream: TextIO, fmt: str) -> logging.Handler:
    if fmt == "json":
        handler: logging.Handler = logging.StreamHandler(stream)
        handler.setFormatter(JSONFormatter())
    elif _is_terminal(stream):
        console = _consoles.setdefault(id(stream), Console(file=stream))
        handler = ConsoleHandler(console)
        handler.setFormatter(TerminalFormatter())
    else:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(StampedFormatter())
    return handler


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-less stream
        return False
