"""robots.txt per RFC 9309: which answers allow, which disallow, longest match, caps."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from scraper.fetch.robots import RobotsCache
from scraper.settings import Settings
from tests.mockfetch import make_fetcher

pytestmark = pytest.mark.usefixtures("respx_mock")  # respx answers; handlers are its routes


def cache_for(handler, settings: Settings | None = None, **kw) -> RobotsCache:
    respx.route().mock(side_effect=handler)
    fetcher = make_fetcher(settings=settings or Settings(max_tries=2, per_host_delay=0.0))
    return RobotsCache(
        fetcher,
        max_bytes=kw.get("max_bytes", 500 * 1024),
        max_crawl_delay=kw.get("max_crawl_delay", 30.0),
    )


def robots(body: str, status: int = 200):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(status, headers={"Content-Type": "text/plain"}, content=body.encode())

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


async def test_longest_match_wins_and_is_fetched_once():
    handler = robots("User-agent: *\nDisallow: /\nAllow: /news/\n")
    cache = cache_for(handler)
    assert await cache.allowed("http://pub.example/news/a.html")
    assert not await cache.allowed("http://pub.example/about")
    assert handler.calls == ["/robots.txt"]


async def test_404_allows_everything():
    cache = cache_for(robots("Disallow: /", status=404))
    assert await cache.allowed("http://pub.example/anything")


async def test_5xx_and_429_disallow_the_host_for_the_run():
    for status in (500, 503, 429):
        cache = cache_for(robots("User-agent: *\nAllow: /", status=status))
        assert not await cache.allowed("http://pub.example/news/a.html")
        assert (await cache.policy("http://pub.example/")).state == "unreachable"


async def test_crawl_delay_capped_and_applied_to_host():
    handler = robots("User-agent: *\nCrawl-delay: 86400\nSitemap: http://pub.example/s.xml\n")
    cache = cache_for(handler)
    policy = await cache.policy("http://pub.example/")
    assert policy.crawl_delay == 30.0
    assert policy.sitemaps == ("http://pub.example/s.xml",)
    assert cache._fetcher.scheduler.delay_of("pub.example") == 30.0


async def test_only_first_500_kib_parsed():
    body = "User-agent: *\nDisallow: /early/\n" + "#" * (600 * 1024) + "\nDisallow: /late/\n"
    cache = cache_for(robots(body))
    assert not await cache.allowed("http://pub.example/early/x")
    assert await cache.allowed("http://pub.example/late/x")


async def test_our_token_group_applies():
    body = "User-agent: newsarchiver\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n"
    cache = cache_for(robots(body))
    assert await cache.allowed("http://pub.example/news/x")
    assert not await cache.allowed("http://pub.example/private/x")


async def test_429_with_a_long_retry_after_is_not_waited_out():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(429, headers={"Retry-After": "3600"}, content=b"slow down")

    cache = cache_for(handler)
    # Waiting out the pause would take 300 s (Retry-After capped); the run must go on.
    policy = await asyncio.wait_for(cache.policy("http://pub.example/"), timeout=5)
    assert policy.state == "unreachable" and policy.reason == "http_429"
    assert calls == ["/robots.txt"]
    assert not await cache.allowed("http://pub.example/news/a.html")


async def test_429_with_a_short_retry_after_is_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "1"}, content=b"slow down")
        return httpx.Response(
            200, headers={"Content-Type": "text/plain"}, content=b"User-agent: *\nAllow: /\n"
        )

    cache = cache_for(handler)
    policy = await asyncio.wait_for(cache.policy("http://pub.example/"), timeout=10)
    assert policy.state == "parsed" and calls == ["/robots.txt", "/robots.txt"]


async def test_the_group_for_the_configured_user_agent_applies():
    body = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: gazettebot\nDisallow: /private/\nCrawl-delay: 2\n"
    )

    def load(agent: str) -> RobotsCache:
        settings = Settings(max_tries=2, per_host_delay=0.0, user_agent=agent)
        return cache_for(robots(body), settings)

    ours = load("GazetteBot/1.0 (+https://gazette.example/bot)")
    assert await ours.allowed("http://pub.example/news/a.html")
    assert not await ours.allowed("http://pub.example/private/b.html")
    assert (await ours.policy("http://pub.example/")).crawl_delay == 2.0
    default = load(Settings().user_agent)  # newsarchiver/…: only the * group names it
    assert not await default.allowed("http://pub.example/news/a.html")
