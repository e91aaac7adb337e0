"""Sitemaps: urlset, index, Google News, gzip, text; URL and size caps; robots Sitemap: lines."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime

import pytest

from scraper.discover.sitemaps import parse_sitemap
from scraper.discover.xmlsafe import XMLError, XMLTooLarge
from tests import paths

FIXTURES = paths.FIXTURES / "discovery"
BASE = "https://news.example.com/sitemap.xml"
MB = 1024 * 1024


def sitemap(name: str, max_urls: int = 50_000):
    return parse_sitemap((FIXTURES / name).read_bytes(), BASE, max_bytes=MB, max_urls=max_urls)


def test_news_sitemap_uses_publication_date_then_lastmod() -> None:
    doc = sitemap("news_sitemap.xml")
    assert doc.sitemaps == [] and not doc.truncated
    assert [(e.url.rsplit("/", 1)[1], e.published, e.title) for e in doc.urls] == [
        (
            "minister-resigns-over-leak",
            datetime(2024, 5, 2, 7, tzinfo=UTC),
            "Minister resigns over leak",
        ),
        (
            "local-team-wins-cup-final",
            datetime(2024, 5, 1, tzinfo=UTC),
            "Local team wins cup final",
        ),
        ("plain-entry-no-news-block", datetime(2024, 4, 20, tzinfo=UTC), None),
    ]  # the <url> without <loc> is skipped; image:loc is not taken for the article


def test_sitemap_index_children_with_lastmod() -> None:
    doc = sitemap("sitemap_index.xml")
    assert doc.urls == []
    assert doc.sitemaps == [
        "https://news.example.com/sitemaps/2024-05.xml",
        "https://news.example.com/sitemaps/2019-01.xml.gz",
        "https://news.example.com/sitemaps/undated.xml",
    ]
    assert [c.published for c in doc.children] == [
        datetime(2024, 5, 2, tzinfo=UTC),
        datetime(2019, 1, 31, tzinfo=UTC),
        None,
    ]


def test_gzip_detected_by_magic_not_name() -> None:
    doc = sitemap("sitemap_2024-05.xml.gz")
    assert len(doc.urls) == 3
    assert doc.urls[0].url == "https://news.example.com/economy/rates-held-steady-in-may"
    assert doc.urls[1].url == doc.urls[0].url  # utm_ variant canonicalised (de-dup is later)


def test_url_cap_sets_truncated() -> None:
    doc = sitemap("news_sitemap.xml", max_urls=2)
    assert len(doc.urls) == 2 and doc.truncated


def test_over_50000_urls_capped_quickly() -> None:
    rows = b"".join(
        b"<url><loc>https://news.example.com/a/story-%d</loc></url>" % i for i in range(50_001)
    )
    data = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + rows + b"</urlset>"
    start = time.perf_counter()
    doc = parse_sitemap(data, BASE, max_bytes=50 * MB, max_urls=50_000)
    elapsed = time.perf_counter() - start
    assert len(doc.urls) == 50_000 and doc.truncated
    assert doc.urls[-1].url == "https://news.example.com/a/story-49999"
    assert elapsed < 10, f"50,001-URL sitemap took {elapsed:.1f}s"


def test_size_cap_plain_and_gzip_bomb() -> None:
    big = b"<urlset>" + b" " * (2 * MB) + b"</urlset>"
    with pytest.raises(XMLTooLarge):
        parse_sitemap(big, BASE, max_bytes=MB, max_urls=10)
    bomb = gzip.compress(b"<urlset>" + b" " * (30 * MB))
    start = time.perf_counter()
    with pytest.raises(XMLTooLarge):
        parse_sitemap(bomb, BASE, max_bytes=MB, max_urls=10)
    assert time.perf_counter() - start < 1.0


def test_text_sitemap() -> None:
    data = (
        b"https://news.example.com/a/one-story\n\nnot a url\r\nhttps://NEWS.example.com/b/two#x\n"
    )
    doc = parse_sitemap(data, BASE, max_bytes=MB, max_urls=10)
    assert [e.url for e in doc.urls] == [
        "https://news.example.com/a/one-story",
        "https://news.example.com/b/two",
    ]


def test_feed_accepted_as_sitemap() -> None:
    doc = parse_sitemap((FIXTURES / "atom.xml").read_bytes(), BASE, max_bytes=MB, max_urls=2)
    assert len(doc.urls) == 2 and doc.truncated


@pytest.mark.parametrize(
    "data", [b"", b"\x00\xff garbage", b"<html><body>404</body></html>", b"no urls here\n"]
)
def test_garbage_is_an_xml_error(data: bytes) -> None:
    with pytest.raises(XMLError):
        parse_sitemap(data, BASE, max_bytes=MB, max_urls=10)


def test_truncated_urlset_keeps_complete_entries() -> None:
    data = (
        b"<urlset><url><loc>https://news.example.com/a/complete-one</loc></url>"
        b"<url><loc>https://news.example.com/a/compl"
    )
    doc = parse_sitemap(data, BASE, max_bytes=MB, max_urls=10)
    assert [e.url for e in doc.urls] == ["https://news.example.com/a/complete-one"]
