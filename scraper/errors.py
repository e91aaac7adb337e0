"""The scraper's exception tree; third-party errors are translated at the boundary.

    ScraperError
    ├── ConfigError            bad seeds file or option            → exit 2
    ├── LockHeld               another run holds the lock          → exit 75
    ├── OutputError            an export could not be written      → exit 1
    └── FetchError             one URL could not be fetched (an outcome, never fatal)
        ├── RefusedError       blocked before connecting (scheme, address, robots)
        ├── HTTPStatusError    non-2xx final status
        ├── TooLargeError      body or decoded body over the cap
        ├── RedirectError      loop, too many hops, bad target
        ├── TimeoutError_      deadline or read timeout
        ├── TruncatedError     connection closed mid-body
        ├── TransportError     refused, reset, DNS failure
        └── DeferredError      host asked us to wait longer than the run has left, or
                               stopped answering (suspended for the run)

Each FetchError carries ``reason``: a :class:`archive.Reason`, the short stable word used
in counts and in the archive (``timeout``, ``http_404``, ``too_large`` …).
"""

from __future__ import annotations

from archive import Reason


class ScraperError(Exception):
    """Base of every error the scraper raises on purpose."""


class ConfigError(ScraperError):
    """Configuration (seeds file, option) is invalid; message is one line for the user."""


class LockHeld(ScraperError):
    """Another crawl run holds the lock."""


class OutputError(ScraperError):
    """An output (an export) could not be written: a full disk, an I/O error; fatal."""


class FetchError(ScraperError):
    """A URL could not be fetched; ``reason`` is a short machine-readable word."""

    reason: str = Reason.FETCH_ERROR
    retryable = False

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class RefusedError(FetchError):
    reason = Reason.REFUSED


class HTTPStatusError(FetchError):
    def __init__(self, status: int, url: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status} for {url}", reason=Reason.of_status(status))
        self.status = status
        self.retry_after = retry_after
        self.retryable = status in (408, 429) or 500 <= status <= 599


class TooLargeError(FetchError):
    reason = Reason.TOO_LARGE


class RedirectError(FetchError):
    reason = Reason.REDIRECT


class TimeoutError_(FetchError):  # noqa: N801 - avoid shadowing the builtin
    reason = Reason.TIMEOUT
    retryable = True


class TruncatedError(FetchError):
    reason = Reason.TRUNCATED
    retryable = True


class TransportError(FetchError):
    reason = Reason.TRANSPORT
    retryable = True


class DeferredError(FetchError):
    reason = Reason.DEFERRED


# Reasons a later run cannot fix by trying again (the page or its host must change first).
_PERMANENT = frozenset(
    {
        Reason.NOT_HTML,
        Reason.TOO_LARGE,
        Reason.STACKED_ENCODING,
        Reason.BAD_ENCODING,
        Reason.REDIRECT_LOOP,
        Reason.TOO_MANY_REDIRECTS,
        Reason.BAD_REDIRECT,
        Reason.BAD_SCHEME,
        Reason.BAD_URL,
        Reason.PRIVATE_ADDRESS,
        Reason.ROBOTS,
    }
)


def is_permanent(reason: str | None) -> bool:
    """True for a failure reason that retrying in a later run would not change."""
    if not reason:
        return False
    if reason.startswith("http_"):
        code = reason[5:]
        return code.isdigit() and 400 <= int(code) < 500 and int(code) not in (408, 429)
    return reason in _PERMANENT
