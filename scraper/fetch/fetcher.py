"""One guarded HTTP fetch: address checks, own redirects, size caps, deadline, retries.

What httpx does not protect us from (``docs/hardening.md``, "Measured facts"), and what
this module does instead:
- bodies are read with ``aiter_raw()`` and decoded by :mod:`scraper.fetch.decoding` with an
  output cap, checked against Content-Length first and while streaming;
- redirects are followed here, a hop at a time, every hop's scheme and resolved address
  checked, a hop cap and loop detection; a 3xx body is read (and dropped) only when it
  announces a short length, so its connection is kept;
- httpx timeouts are per read, so each request runs under a total deadline;
- retries are bounded (tenacity), jittered, honour Retry-After, and never retry 4xx
  other than 408/429; a 429 pauses the whole host, and a wait longer than what is left
  of the run defers the URL to the next run instead of failing it;
- a request that ran into its total deadline is tried once more at most (a tarpit costs
  two deadlines, not ``max_tries``), and a host with ``host_failure_limit`` timeouts or
  connection failures in a row is suspended for the run (its URLs are deferred).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from archive import Reason
from scraper.errors import (
    DeferredError,
    FetchError,
    HTTPStatusError,
    RedirectError,
    RefusedError,
    TimeoutError_,
    TransportError,
    TruncatedError,
)
from scraper.fetch.exchange import OnExchange, exchange_of
from scraper.fetch.guard import AddressGuard
from scraper.fetch.politeness import HostScheduler
from scraper.fetch.responses import (
    check_length,
    check_type,
    discard_small_body,
    page_from,
    read_body,
)
from scraper.fetch.retry import RetryPolicy, parse_retry_after
from scraper.models import Page, utc_now
from scraper.settings import Settings
from scraper.urls import host_key

HopCheck = Callable[[str], Awaitable[None]]
REDIRECT_CODES = (301, 302, 303, 307, 308)


class Fetcher:
    """Fetches URLs politely and safely; shared by every stage of a run."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        *,
        guard: AddressGuard,
        scheduler: HostScheduler,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        run_deadline: float | None = None,
        rng: random.Random | None = None,
        on_exchange: OnExchange | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._guard = guard
        self._scheduler = scheduler
        self._sleep = sleep
        self._clock = clock  # deadlines (monotonic)
        self._now = now  # fetched_at, Retry-After dates (wall clock)
        self._run_deadline = run_deadline
        self._rng = rng or random.Random()
        self._on_exchange = on_exchange
        self.policy = RetryPolicy(
            settings.max_tries,
            settings.backoff_base,
            settings.backoff_max,
            settings.max_retry_after,
        )

    @property
    def scheduler(self) -> HostScheduler:
        return self._scheduler

    @property
    def settings(self) -> Settings:
        return self._settings

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        truncate: bool = False,
        accept_types: tuple[str, ...] | None = None,
        max_tries: int | None = None,
        hop_check: HopCheck | None = None,
        urgent: bool = False,
        longest_retry_after: float | None = None,
    ) -> Page:
        """GET ``url`` with retries; a 2xx or 304 Page, else a FetchError subclass.

        ``urgent`` (discovery documents, robots.txt) goes ahead of article requests waiting
        for a global slot. A 429/503 whose Retry-After (as capped by ``max_retry_after``) is
        over ``longest_retry_after`` is not retried in this call; the host stays paused.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        cap = max_bytes or self._settings.max_body_bytes
        deadlines: list[BaseException] = []  # this call's tries that ran into the deadline
        retrying = AsyncRetrying(
            stop=stop_after_attempt(max_tries or self.policy.max_tries),
            wait=self._wait,
            retry=retry_if_exception(partial(self._should_retry, longest_retry_after, deadlines)),
            sleep=self._sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._follow(
                    url, headers, cap, truncate, accept_types, hop_check, urgent
                )
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _should_retry(
        self, longest_retry_after: float | None, deadlines: list[BaseException], exc: BaseException
    ) -> bool:
        if isinstance(exc, TimeoutError_) and exc.reason == Reason.DEADLINE:
            deadlines.append(exc)
        if (
            longest_retry_after is not None
            and isinstance(exc, HTTPStatusError)
            and exc.retry_after is not None
            and min(exc.retry_after, self.policy.max_retry_after) > longest_retry_after
        ):
            return False  # the wait that the retry would take (capped) is too long
        return self.policy.should_retry(exc, deadlines=len(deadlines))

    def _wait(self, retry_state: object) -> float:
        outcome = getattr(retry_state, "outcome", None)
        exc = outcome.exception() if outcome is not None else None
        attempt = int(getattr(retry_state, "attempt_number", 1))
        if isinstance(exc, HTTPStatusError) and exc.retry_after is not None:
            return 0.0  # the host itself was paused by _check_status; its slot waits
        return self.policy.wait(attempt, self._rng)

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        cap: int,
        truncate: bool,
        accept_types: tuple[str, ...] | None,
        hop_check: HopCheck | None,
        urgent: bool = False,
    ) -> Page:
        seen = [url]
        current = url
        one = partial(
            self._one, headers=headers, cap=cap, truncate=truncate, accept_types=accept_types
        )
        while True:
            self._check_budget(current)
            host = host_key(current)
            self._scheduler.check_suspended(host)
            result = await self._counted(
                host, self._request(current, one, urgent, hop_check if current != url else None)
            )
            if isinstance(result, Page):
                return Page(
                    url,
                    result.final_url,
                    result.status,
                    result.headers,
                    result.body,
                    result.fetched_at,
                    tuple(seen[:-1]),
                )
            current = self._next_hop(seen, result)

    async def _request(
        self,
        url: str,
        one: Callable[[str], Awaitable[Page | str]],
        urgent: bool,
        hop_check: HopCheck | None,
    ) -> Page | str:
        """Check the address (and a redirect target's robots.txt), then one polite request."""
        await self._guard.check(url)
        if hop_check is not None:
            await hop_check(url)
        async with self._scheduler.slot(host_key(url), urgent=urgent):
            return await self._deadline(one(url), url)

    async def _counted(self, host: str, work: Awaitable[Page | str]) -> Page | str:
        """Run ``work`` and tell the scheduler whether ``host`` answered or not."""
        try:
            result = await work
        except (TimeoutError_, TransportError):  # deadline, timeouts, reset, refused, DNS
            self._scheduler.unresponsive(host)
            raise
        except (DeferredError, RefusedError):
            raise  # no request reached the host
        except FetchError:
            self._scheduler.responded(host)  # an error status, a bad body: it answered
            raise
        self._scheduler.responded(host)
        return result

    def _next_hop(self, seen: list[str], location: str) -> str:
        target = urljoin(seen[-1], location.strip())
        if urlsplit(target).scheme not in ("http", "https"):
            raise RefusedError(
                f"redirect to a non-HTTP URL refused: {target[:200]}", reason=Reason.BAD_REDIRECT
            )
        if target in seen:
            raise RedirectError(f"redirect loop at {target[:200]}", reason=Reason.REDIRECT_LOOP)
        if len(seen) > self._settings.max_redirects:
            raise RedirectError(
                f"more than {self._settings.max_redirects} redirects",
                reason=Reason.TOO_MANY_REDIRECTS,
            )
        seen.append(target)
        return target

    def _check_budget(self, url: str) -> None:
        if self._run_deadline is None:
            return
        remaining = self._run_deadline - self._clock()
        if remaining <= 0:
            raise DeferredError(f"run budget exhausted before {url[:200]}", reason=Reason.BUDGET)
        # A host paused (429 Retry-After) past the end of the run is deferred as a whole:
        # its other URLs go to the next run without another request.
        if self._scheduler.wait_time(host_key(url)) > remaining:
            raise DeferredError(
                f"host asks to wait beyond the run budget: {url[:200]}", reason=Reason.DEFERRED
            )

    async def _deadline(self, work: Awaitable[Page | str], url: str) -> Page | str:
        try:
            async with asyncio.timeout(self._settings.request_deadline):
                return await work
        except TimeoutError:
            raise TimeoutError_(
                f"no complete response within {self._settings.request_deadline:g}s: {url[:200]}",
                reason=Reason.DEADLINE,
            ) from None

    async def _one(
        self,
        url: str,
        headers: dict[str, str],
        cap: int,
        truncate: bool,
        accept_types: tuple[str, ...] | None,
    ) -> Page | str:
        """One request; returns the Page, or the Location of a redirect."""
        body_started = False
        try:
            request = self._client.build_request("GET", url, headers=headers)
            response = await _send(self._client, request, url)
            try:
                status = response.status_code
                fetched_at = self._now()
                if status in REDIRECT_CODES and "location" in response.headers:
                    await discard_small_body(response)
                    self._exchange(request, response, b"", fetched_at)
                    return response.headers["location"]
                if not 200 <= status < 300:  # a 304, or an error page about to be raised
                    await discard_small_body(response)
                self._check_status(url, response)
                if status == 304:
                    self._exchange(request, response, b"", fetched_at)
                    return page_from(url, response, b"", fetched_at)
                check_type(url, response, accept_types)
                check_length(url, response, cap, truncate)
                body_started = True
                raw: list[bytes] | None = [] if self._on_exchange is not None else None
                body = await read_body(response, cap, truncate, self._settings.max_encodings, raw)
                if raw is not None and not (truncate and len(body) >= cap):  # cut: not whole
                    self._exchange(request, response, b"".join(raw), fetched_at)
                return page_from(url, response, body, self._now())
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            raise TimeoutError_(f"{type(exc).__name__} for {url[:200]}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            if body_started:
                raise TruncatedError(f"connection closed mid-body: {url[:200]}") from None
            raise TransportError(f"{_short(exc)}: {url[:200]}", reason=Reason.RESET) from None
        except httpx.ConnectError as exc:
            raise TransportError(
                f"cannot connect: {_short(exc)}: {url[:200]}", reason=Reason.CONNECT
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise RefusedError(f"bad URL: {exc}", reason=Reason.BAD_URL) from None
        except httpx.HTTPError as exc:
            raise TransportError(f"{_short(exc)}: {url[:200]}") from None

    def _exchange(
        self, request: httpx.Request, response: httpx.Response, raw: bytes, fetched_at: datetime
    ) -> None:
        """Hand the exchange to ``on_exchange`` (the WARC writer), if one is set."""
        if self._on_exchange is not None:
            self._on_exchange(exchange_of(request, response, raw, fetched_at))

    def _check_status(self, url: str, response: httpx.Response) -> None:
        status = response.status_code
        if 200 <= status < 300 or status == 304:
            return
        retry_after = None
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._now())
        if retry_after is not None:
            wait = min(retry_after, self.policy.max_retry_after)
            remaining = (self._run_deadline - self._clock()) if self._run_deadline else None
            if remaining is not None and wait > remaining:
                self._scheduler.pause(host_key(url), wait)  # the host's other URLs defer too
                raise DeferredError(
                    f"host asks to wait {wait:.0f}s, beyond the run budget", reason=Reason.DEFERRED
                )
            self._scheduler.pause(host_key(url), wait)
        raise HTTPStatusError(status, url[:200], retry_after=retry_after)


async def _send(client: httpx.AsyncClient, request: httpx.Request, url: str) -> httpx.Response:
    """Send one request; a Location httpx cannot parse is a refused redirect, not a reset.

    Even with redirects off, httpx parses a 3xx's Location inside ``send`` (to offer
    ``next_request``) and raises there: ``data:``/``javascript:`` targets, octal hosts such
    as ``0177.0.0.1``. Our own request URL was parsed by ``build_request`` already, so a URL
    error here can only come from the Location header.
    """
    try:
        return await client.send(request, stream=True)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise RefusedError(
            f"bad redirect target ({_short(exc)}): {url[:200]}", reason=Reason.BAD_REDIRECT
        ) from None
    except httpx.RemoteProtocolError as exc:
        if "location header" not in str(exc).lower():
            raise
        raise RefusedError(
            f"bad redirect target ({_short(exc)}): {url[:200]}", reason=Reason.BAD_REDIRECT
        ) from None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
