"""Fetcher behaviour a user relies on: retries, caps, redirects, guards (respx for HTTP).

Faults that need a real socket (resets, drips, truncation) are in tests/test_faults_*.py.
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
from scraper.models import HTML_TYPES
from tests.mockfetch import make_fetcher


async def test_503_then_200_is_retried_with_backoff(respx_mock):
    script = respx_mock.route().mock(
        side_effect=[httpx.Response(503), httpx.Response(200, content=b"<p>ok</p>")]
    )
    sleeps: list[float] = []
    page = await make_fetcher(sleeps=sleeps).fetch("http://news.example/a")
    assert page.status == 200 and page.body == b"<p>ok</p>"
    assert script.call_count == 2
    assert sleeps and 0 < sleeps[0] <= 1.0  # jittered, first back-off under the base


async def test_404_is_not_retried(respx_mock):
    script = respx_mock.route().mock(return_value=httpx.Response(404))
    with pytest.raises(HTTPStatusError) as info:
        await make_fetcher().fetch("http://news.example/missing")
    assert info.value.reason == "http_404"
    assert script.call_count == 1


async def test_retries_are_bounded(respx_mock):
    script = respx_mock.route().mock(return_value=httpx.Response(500))
    with pytest.raises(HTTPStatusError):
        await make_fetcher().fetch("http://news.example/a")
    assert script.call_count == 3  # max_tries


async def test_retry_after_pauses_host_and_is_honoured(respx_mock):
    now = [1000.0]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    respx_mock.route().mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)]
    )
    fetcher = make_fetcher(sleeps=sleeps, clock=lambda: now[0])
    fetcher._sleep = sleep
    fetcher.scheduler._sleep = sleep
    page = await fetcher.fetch("http://news.example/a")
    assert page.status == 200
    assert sum(sleeps) >= 7.0


async def test_retry_after_beyond_run_budget_defers(respx_mock):
    script = respx_mock.route().mock(
        return_value=httpx.Response(429, headers={"Retry-After": "3600"})
    )
    fetcher = make_fetcher(run_deadline=10.0, clock=lambda: 0.0)
    with pytest.raises(DeferredError):
        await fetcher.fetch("http://news.example/a")
    assert script.call_count == 1


async def test_content_length_over_cap_refused_before_body(respx_mock):
    respx_mock.route().mock(
        return_value=httpx.Response(200, headers={"Content-Length": "99999999"}, content=b"x")
    )
    with pytest.raises(TooLargeError):
        await make_fetcher().fetch("http://news.example/big")


async def test_gzip_bomb_cut_at_cap(respx_mock):
    bomb = gzip.compress(b"\0" * 5_000_000)
    respx_mock.route().mock(
        return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)
    )
    with pytest.raises(TooLargeError):
        await make_fetcher().fetch("http://news.example/bomb")


async def test_gzip_body_decoded(respx_mock):
    body = "<p>Grüße “quoted”</p>".encode()
    respx_mock.route().mock(
        return_value=httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(body)
        )
    )
    page = await make_fetcher().fetch("http://news.example/a")
    assert page.body == body


async def test_stacked_encodings_refused(respx_mock):
    body = gzip.compress(gzip.compress(gzip.compress(b"x")))
    respx_mock.route().mock(
        return_value=httpx.Response(
            200, headers={"Content-Encoding": "gzip, gzip, gzip"}, content=body
        )
    )
    with pytest.raises(FetchError) as info:
        await make_fetcher().fetch("http://news.example/a")
    assert info.value.reason == "stacked_encoding"


async def test_redirect_followed_and_recorded(respx_mock):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, content=b"fine")

    respx_mock.route().mock(side_effect=handler)
    page = await make_fetcher().fetch("http://news.example/old")
    assert page.final_url == "http://news.example/new"
    assert page.redirects == ("http://news.example/old",)


async def test_redirect_loop_stops_and_is_not_retried(respx_mock):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        target = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(302, headers={"Location": target})

    respx_mock.route().mock(side_effect=handler)
    with pytest.raises(RedirectError) as info:
        await make_fetcher().fetch("http://news.example/a")
    assert info.value.reason == "redirect_loop"
    assert len(calls) == 2


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        "ftp://news.example/x",
        "data:text/html,hi",
        "javascript:alert(1)",
    ],
)
async def test_redirect_to_non_http_refused(respx_mock, target):
    respx_mock.route().mock(return_value=httpx.Response(302, headers={"Location": target}))
    with pytest.raises(RefusedError):
        await make_fetcher().fetch("http://news.example/a")


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",
        "http://10.0.0.8/",
        "http://evil.example/",
        "http://meta.example/",
    ],
)
async def test_redirect_into_private_network_refused_before_connecting(respx_mock, target):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": target})

    respx_mock.route().mock(side_effect=handler)
    with pytest.raises(RefusedError) as info:
        await make_fetcher().fetch("http://news.example/a")
    assert info.value.reason == "private_address"
    assert seen == ["http://news.example/a"]  # the private target was never requested


async def test_non_html_skipped_by_content_type(respx_mock):
    respx_mock.route().mock(
        return_value=httpx.Response(
            200, headers={"Content-Type": "application/pdf"}, content=b"%PDF"
        )
    )
    with pytest.raises(FetchError) as info:
        await make_fetcher().fetch("http://news.example/a.pdf", accept_types=HTML_TYPES)
    assert info.value.reason == "not_html"


async def test_conditional_headers_sent_and_304_returned(respx_mock):
    script = respx_mock.route().mock(return_value=httpx.Response(304))
    page = await make_fetcher().fetch(
        "http://news.example/feed", etag='"v1"', last_modified="Wed, 21 Oct 2026 07:28:00 GMT"
    )
    assert page.not_modified
    sent = script.calls[0].request.headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 21 Oct 2026 07:28:00 GMT"


@pytest.mark.respx(assert_all_called=False)
async def test_budget_exhausted_starts_no_fetch(respx_mock):
    script = respx_mock.route().mock(return_value=httpx.Response(200))
    fetcher = make_fetcher(run_deadline=5.0, clock=lambda: 6.0)
    with pytest.raises(DeferredError) as info:
        await fetcher.fetch("http://news.example/a")
    assert info.value.reason == "budget"
    assert not script.called


async def test_the_injected_wall_clock_stamps_pages_and_dates_retry_after(respx_mock):
    from datetime import UTC, datetime

    then = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    respx_mock.route().mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "Wed, 02 Jan 2030 03:04:25 GMT"}),
            httpx.Response(200),
        ]
    )
    sleeps: list[float] = []
    fetcher = make_fetcher(sleeps=sleeps, now=lambda: then, virtual_time=True)
    page = await fetcher.fetch("http://news.example/a")
    assert page.fetched_at == then
    assert any(19.0 < s <= 20.0 for s in sleeps), sleeps  # the date is 20 s after `then`
