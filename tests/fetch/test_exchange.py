"""The Fetcher's ``on_exchange`` hook (WARC out): what it is given, and when (respx)."""

from __future__ import annotations

import gzip

import httpx
import pytest

from scraper.errors import HTTPStatusError
from scraper.fetch.exchange import Exchange
from tests.mockfetch import make_fetcher


async def test_raw_encoded_body_and_redirect_hop_are_handed_over(respx_mock):
    html = b"<html><body>" + b"story " * 200 + b"</body></html>"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(
            200,
            content=gzip.compress(html),
            headers={"Content-Encoding": "gzip", "Content-Type": "text/html"},
        )

    respx_mock.route().mock(side_effect=handler)
    seen: list[Exchange] = []
    page = await make_fetcher(on_exchange=seen.append).fetch("http://news.example/old")
    assert page.body == html
    assert [(ex.url, ex.status) for ex in seen] == [
        ("http://news.example/old", 301),
        ("http://news.example/new", 200),
    ]
    hop, final = seen
    assert hop.body == b"" and ("location", "/new") in _lower(hop.response_headers)
    assert gzip.decompress(final.body) == html and not final.decoded  # as received
    assert ("content-encoding", "gzip") in _lower(final.response_headers)
    assert final.method == "GET" and final.fetched_at.tzinfo is not None
    assert any(name.lower() == "user-agent" for name, _ in final.request_headers)


async def test_304_is_handed_over_and_errors_are_not(respx_mock):
    respx_mock.get("http://news.example/feed").mock(return_value=httpx.Response(304))
    respx_mock.get("http://news.example/gone").mock(return_value=httpx.Response(404))
    seen: list[Exchange] = []
    fetcher = make_fetcher(on_exchange=seen.append)
    await fetcher.fetch("http://news.example/feed", etag='"v1"')
    with pytest.raises(HTTPStatusError):
        await fetcher.fetch("http://news.example/gone")
    assert [(ex.status, ex.not_modified, ex.refers_to_uri) for ex in seen] == [
        (304, True, "http://news.example/feed")
    ]
    assert ("if-none-match", '"v1"') in _lower(seen[0].request_headers)


async def test_no_hook_reads_as_before(respx_mock):
    respx_mock.get("http://news.example/a").mock(return_value=httpx.Response(200, content=b"fine"))
    assert (await make_fetcher().fetch("http://news.example/a")).body == b"fine"


def _lower(headers: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(name.lower(), value) for name, value in headers]
