"""Retry-After parsing and back-off bounds."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from scraper.errors import HTTPStatusError
from scraper.fetch.retry import RetryPolicy, parse_retry_after

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_retry_after_seconds_and_date():
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after("Sun, 22 Nov 2026 12:01:30 GMT", NOW) == 90.0
    assert parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", NOW) == 0.0


def test_malformed_retry_after_is_ignored():
    for value in ("soon", "", None, "-5", "1.5e9x"):
        assert parse_retry_after(value, NOW) is None


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(max_tries=10, base=1.0, max_wait=8.0)
    rng = random.Random(0)
    waits = [policy.wait(n, rng) for n in range(1, 8)]
    assert waits[0] <= 1.0 and max(waits) <= 8.0 and waits[4] >= 4.0
    ceilings = [min(8.0, 2.0 ** (n - 1)) for n in range(1, 8)]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True))  # [c/2, c]


def test_which_statuses_retry():
    policy = RetryPolicy()
    assert all(policy.should_retry(HTTPStatusError(s, "u")) for s in (408, 429, 500, 502, 503, 504))
    assert not any(policy.should_retry(HTTPStatusError(s, "u")) for s in (400, 403, 404, 410))
