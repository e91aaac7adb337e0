"""Fetcher behaviour a user relies on: retries, caps, redirects, guards (mock transport).

Faults that need a real socket (resets, drips, truncation) are in tests/test_faults.py.
"""

from __future__ import annotations

import gzip

import httpx
import pytest

from scraper.errors import (
    DeferredError,
    FetchError,
    HTTPStatusError,
    RedirectError,
    RefusedError,
    TooLargeError,
)
from scraper.fetch.fetcher import HTML_TYPES
from tests.httpmock import Script, make_fetcher, resp


async def test_503_then_200_is_retried_with_backoff():
    script = Script(resp(503), resp(200, body=b"<p>ok</p>"))
    sleeps: list[float] = []
    page = await make_fetcher(script, sleeps=sleeps).fetch("http://news.example/a")
    assert page.status == 200 and page.body == b"<p>ok</p>"
    assert len(script.requests) == 2
    assert sleeps and 0 < sleeps[0] <= 1.0  # jittered, first back-off under the base


async def test_404_is_not_retried():
    script = Script(resp(404))
    with pytest.raises(HTTPStatusError) as info:
        await make_fetcher(script).fetch("http://news.example/missing")
    assert info.value.reason == "http_404"
    assert len(script.requests) == 1


async def test_retries_are_bounded():
    script = Script(resp(500))
    with pytest.raises(HTTPStatusError):
        await make_fetcher(script).fetch("http://news.example/a")
    assert len(script.requests) == 3  # max_tries


async def test_retry_after_pauses_host_and_is_honoured():
    now = [1000.0]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    script = Script(resp(429, {"Retry-After": "7"}), resp(200))
    fetcher = make_fetcher(script, sleeps=sleeps, clock=lambda: now[0])
    fetcher._sleep = sleep
    fetcher.scheduler._sleep = sleep
    page = await fetcher.fetch("http://news.example/a")
    assert page.status == 200
    assert sum(sleeps) >= 7.0


async def test_retry_after_beyond_run_budget_defers():
    script = Script(resp(429, {"Retry-After": "3600"}))
    fetcher = make_fetcher(script, run_deadline=10.0, clock=lambda: 0.0)
    with pytest.raises(DeferredError):
        await fetcher.fetch("http://news.example/a")
    assert len(script.requests) == 1


async def test_content_length_over_cap_refused_before_body():
    script = Script(resp(200, {"Content-Length": "99999999"}, b"x"))
    with pytest.raises(TooLargeError):
        await make_fetcher(script).fetch("http://news.example/big")


async def test_gzip_bomb_cut_at_cap():
    bomb = gzip.compress(b"\0" * 5_000_000)
    script = Script(resp(200, {"Content-Encoding": "gzip"}, bomb))
    with pytest.raises(TooLargeError):
        await make_fetcher(script).fetch("http://news.example/bomb")


async def test_gzip_body_decoded():
    body = "<p>Grüße “quoted”</p>".encode()
    script = Script(resp(200, {"Content-Encoding": "gzip"}, gzip.compress(body)))
    page = await make_fetcher(script).fetch("http://news.example/a")
    assert page.body == body


async def test_stacked_encodings_refused():
    body = gzip.compress(gzip.compress(gzip.compress(b"x")))
    script = Script(resp(200, {"Content-Encoding": "gzip, gzip, gzip"}, body))
    with pytest.raises(FetchError) as info:
        await make_fetcher(script).fetch("http://news.example/a")
    assert info.value.reason == "stacked_encoding"


async def test_redirect_followed_and_recorded():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return resp(301, {"Location": "/new"})
        return resp(200, body=b"fine")

    page = await make_fetcher(handler).fetch("http://news.example/old")
    assert page.final_url == "http://news.example/new"
    assert page.redirects == ("http://news.example/old",)


async def test_redirect_loop_stops_and_is_not_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        target = "/b" if request.url.path == "/a" else "/a"
        return resp(302, {"Location": target})

    with pytest.raises(RedirectError) as info:
        await make_fetcher(handler).fetch("http://news.example/a")
    assert info.value.reason == "redirect_loop"
    assert len(calls) == 2


@pytest.mark.parametrize("target", [
    "file:///etc/passwd", "ftp://news.example/x", "data:text/html,hi", "javascript:alert(1)",
])
async def test_redirect_to_non_http_refused(target):
    script = Script(resp(302, {"Location": target}))
    with pytest.raises(RefusedError):
        await make_fetcher(script).fetch("http://news.example/a")


@pytest.mark.parametrize("target", [
    "http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/",
    "http://2130706433/", "http://10.0.0.8/", "http://evil.example/", "http://meta.example/",
])
async def test_redirect_into_private_network_refused_before_connecting(target):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return resp(302, {"Location": target})

    with pytest.raises(RefusedError) as info:
        await make_fetcher(handler).fetch("http://news.example/a")
    assert info.value.reason == "private_address"
    assert seen == ["http://news.example/a"]  # the private target was never requested


async def test_non_html_skipped_by_content_type():
    script = Script(resp(200, {"Content-Type": "application/pdf"}, b"%PDF"))
    with pytest.raises(FetchError) as info:
        await make_fetcher(script).fetch("http://news.example/a.pdf", accept_types=HTML_TYPES)
    assert info.value.reason == "not_html"


async def test_conditional_headers_sent_and_304_returned():
    script = Script(resp(304))
    page = await make_fetcher(script).fetch("http://news.example/feed", etag='"v1"',
                                            last_modified="Wed, 21 Oct 2026 07:28:00 GMT")
    assert page.not_modified
    sent = script.requests[0].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 21 Oct 2026 07:28:00 GMT"


async def test_budget_exhausted_starts_no_fetch():
    script = Script(resp(200))
    fetcher = make_fetcher(script, run_deadline=5.0, clock=lambda: 6.0)
    with pytest.raises(DeferredError) as info:
        await fetcher.fetch("http://news.example/a")
    assert info.value.reason == "budget"
    assert script.requests == []


async def test_the_injected_wall_clock_stamps_pages_and_dates_retry_after():
    from datetime import UTC, datetime

    from scraper.fetch.fetcher import Fetcher
    from scraper.fetch.guard import AddressGuard
    from scraper.fetch.politeness import HostScheduler
    from scraper.settings import Settings

    then = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    replies = iter([resp(503, {"Retry-After": "Wed, 02 Jan 2030 03:04:25 GMT"}), resp(200)])
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: next(replies)))

    sleeps: list[float] = []  # a monotonic clock that only sleeping advances

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def public(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    scheduler = HostScheduler(global_concurrency=1, per_host_concurrency=1, per_host_delay=0.0,
                              sleep=no_sleep, clock=lambda: sum(sleeps))
    fetcher = Fetcher(client, Settings(per_host_delay=0.0), guard=AddressGuard(resolver=public),
                      scheduler=scheduler, sleep=no_sleep, now=lambda: then)
    page = await fetcher.fetch("http://news.example/a")
    assert page.fetched_at == then
    assert any(19.0 < s <= 20.0 for s in sleeps), sleeps  # the date is 20 s after `then`
