"""Listing pages: article links come out absolute, canonical, in page order, once each."""

from __future__ import annotations

import pytest

from scraper.discover.listing import listing_links, looks_like_article, parse_listing
from tests import paths

FIXTURES = paths.FIXTURES / "discovery"
PAGE = "https://news.example.com/world/"


def html() -> bytes:
    return (FIXTURES / "listing.html").read_bytes()


def test_parse_listing_article_links_in_order() -> None:
    assert parse_listing(html(), PAGE) == [
        "https://news.example.com/world/2024/05/02/summit-ends",
        "https://news.example.com/world/elections-called-in-the-north",  # utm + #comments: once
        "https://news.example.com/world/world/floods-hit-the-river-delta-again",  # relative
        "https://news.example.com/world/story/1234567",
    ]


def test_publisher_domain_admits_sibling_subdomains() -> None:
    links = parse_listing(html(), PAGE, domain="example.com")
    assert "https://live.example.com/world/live-blog-the-vote-count-as-it-happens" in links
    assert not any("other-site" in u for u in links)


def test_listing_links_keeps_on_site_non_articles_but_not_the_page_itself() -> None:
    links = listing_links(html(), PAGE)
    assert "https://news.example.com/tag/elections" in links
    assert PAGE not in links
    assert all(u.startswith("https://news.example.com/") for u in links)
    assert len(links) == len(set(links))


def test_base_href_respected() -> None:
    page = (
        b'<html><head><base href="https://news.example.com/archive/"></head><body>'
        b'<a href="old-story-from-the-archive-vault">x</a></body></html>'
    )
    assert parse_listing(page, PAGE) == [
        "https://news.example.com/archive/old-story-from-the-archive-vault"
    ]


@pytest.mark.parametrize("page", [b"", b"\xff\xfe\x00\x00garbage<<", "<a href='http://[::1'>x</a>"])
def test_garbage_pages_give_nothing(page: bytes | str) -> None:
    assert parse_listing(page, PAGE) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/news/2024/05/quiet-day", True),
        ("https://x.com/politics/minister-resigns-over-leak-report", True),
        ("https://x.com/p/12345678", True),
        ("https://x.com/story/minister-resigns-over-the-leak.html", True),
        ("https://x.com/politics/", False),
        ("https://x.com/health-and-science/", False),
        ("https://x.com/tag/minister-resigns-over-leak", False),
        ("https://x.com/page/12345", False),
        ("https://x.com/img/minister-resigns-over-leak.jpg", False),
        ("https://x.com/", False),
    ],
)
def test_looks_like_article(url: str, expected: bool) -> None:
    assert looks_like_article(url) is expected
