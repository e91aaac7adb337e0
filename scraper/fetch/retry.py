"""Retry policy as data: which failures retry, how long to wait, and Retry-After parsing.

tenacity's default retries forever with no wait on any exception (``docs/hardening.md``,
"Retries"), so
every knob is explicit here: a bounded number of tries, jittered exponential back-off,
and a server's ``Retry-After`` (RFC 9110 §10.2.3: seconds or an HTTP-date) honoured but
capped. Other 4xx are never retried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scraper.errors import FetchError

# Tries of a request that ran into its total deadline: a body dripping slowly enough to
# use the whole deadline once will do it again, so it gets one more try, not max_tries.
DEADLINE_TRIES = 2


@dataclass(frozen=True)
class RetryPolicy:
    """How many tries and how long to wait between them."""

    max_tries: int = 4
    base: float = 1.0
    max_wait: float = 60.0
    max_retry_after: float = 300.0

    def should_retry(self, exc: BaseException, *, deadlines: int = 0) -> bool:
        """Whether to try again; ``deadlines``: tries so far that ran into the deadline."""
        if deadlines >= DEADLINE_TRIES:
            return False
        return isinstance(exc, FetchError) and exc.retryable

    def wait(self, attempt: int, rng: random.Random) -> float:
        """Seconds of back-off after failed try number ``attempt`` (1-based).

        A Retry-After is not waited here: the fetcher pauses the whole host for it.
        """
        # "equal jitter": uniform in [c/2, c] for c = base·2^(n-1) (capped), so clients do
        # not retry in step, yet each wait is at least half the exponential one
        ceiling = min(self.max_wait, self.base * 2 ** (attempt - 1))
        return rng.uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (an HTTP-date counts from ``now``), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
