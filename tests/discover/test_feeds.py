"""Feeds: RSS 0.91, RSS 1.0 (RDF), RSS 2.0 and Atom give canonical URLs and aware dates."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest

from scraper.discover.feeds import FeedEntry, parse_feed, parse_feed_date
from scraper.discover.xmlsafe import XMLError
from tests import paths

FIXTURES = paths.FIXTURES / "discovery"
BASE = "https://news.example.com/feed.xml"
MB = 1024 * 1024


def feed(name: str) -> list[FeedEntry]:
    return parse_feed((FIXTURES / name).read_bytes(), BASE, max_bytes=MB)


def test_rss091_latin1_with_doctype() -> None:
    entries = feed("rss091.xml")
    assert [e.url for e in entries] == [
        "https://news.example.com/local/cafe-owners-rally-parking-rules",
        "https://news.example.com/local/river-levels-fall-dry-week",
    ]
    assert entries[0].title == "Café owners rally against the new parking rules"
    assert entries[0].published is None


def test_rss10_rdf() -> None:
    entries = feed("rss10.rdf")
    assert [e.url for e in entries] == [
        "https://news.example.com/science/comet-visible-this-weekend",
        "https://news.example.com/science/lab-grown-coral-reef",  # from rdf:about
    ]
    assert entries[0].published == datetime(2024, 5, 2, 19, 15, tzinfo=UTC)
    assert entries[1].published == datetime(2024, 5, 1, tzinfo=UTC)


def test_rss20_links_guid_origlink_and_dates() -> None:
    entries = feed("rss20.xml")
    by_title = {e.title: e for e in entries}
    assert list(by_title) == [
        "Council approves new budget",
        "Storm closes the coastal road",
        "Guid only item",
        "Relative link item",
    ]  # the link-less and mailto items are dropped
    budget = by_title["Council approves new budget"]
    assert budget.url == "https://news.example.com/politics/council-approves-new-budget?page=2"
    assert budget.published == datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
    storm = by_title["Storm closes the coastal road"]
    assert storm.url == "https://news.example.com/weather/storm-closes-coastal-road"
    assert storm.published == datetime(2024, 5, 1, 16, 5, tzinfo=UTC)
    assert by_title["Guid only item"].url.endswith("/business/guid-only-permalink-item")
    relative = by_title["Relative link item"]
    assert relative.url == "https://news.example.com/culture/museum-reopens-after-renovation"
    assert relative.published is None  # "not a date at all"


def test_atom_xml_base_alternate_links_and_dates() -> None:
    entries = feed("atom.xml")
    assert [e.url for e in entries] == [
        "https://news.example.com/world/summit-ends-without-a-deal",  # xml:base resolved
        "https://news.example.com/world/elections-called-in-the-north",
        "https://news.example.com/world/id-only-entry-with-url",
    ]
    assert entries[0].title == "Summit ends without a deal"
    assert entries[0].published == datetime(2024, 5, 2, 10, 0, 0, 123456, tzinfo=UTC)
    assert entries[1].published == datetime(2024, 5, 1, 7, 0, tzinfo=UTC)  # naive → UTC


def test_all_dates_timezone_aware() -> None:
    for name in ("rss091.xml", "rss10.rdf", "rss20.xml", "atom.xml"):
        for entry in feed(name):
            assert entry.published is None or entry.published.tzinfo is not None


def test_truncated_feed_keeps_complete_items_only() -> None:
    entries = feed("truncated_feed.xml")
    assert [e.url for e in entries] == [
        "https://news.example.com/local/first-complete-item-here",
        "https://news.example.com/local/second-complete-item-here",
    ]


def test_truncated_after_last_item_keeps_everything() -> None:
    data = (FIXTURES / "rss091.xml").read_bytes()
    cut = data[: data.rindex(b"</item>") + len(b"</item>") + 3]
    assert len(parse_feed(cut, BASE, max_bytes=MB)) == 2


def test_xxe_content_never_reaches_output() -> None:
    with pytest.raises(XMLError, match="entities refused"):
        feed("xxe_feed.xml")


def test_gzipped_feed() -> None:
    data = gzip.compress((FIXTURES / "atom.xml").read_bytes())
    assert len(parse_feed(data, BASE, max_bytes=MB)) == 3


@pytest.mark.parametrize("data", [b"<html><body><a href='/x'>x</a></body></html>", b"{}"])
def test_not_a_feed_is_an_error(data: bytes) -> None:
    with pytest.raises(XMLError):
        parse_feed(data, BASE, max_bytes=MB)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu, 02 May 2024 09:30:00 GMT", datetime(2024, 5, 2, 9, 30, tzinfo=UTC)),
        ("02 May 2024 09:30:00 +0200", datetime(2024, 5, 2, 7, 30, tzinfo=UTC)),
        ("Thu, 02 May 2024 09:30:00 EST", datetime(2024, 5, 2, 14, 30, tzinfo=UTC)),
        ("2024-05-02T09:30:00Z", datetime(2024, 5, 2, 9, 30, tzinfo=UTC)),
        ("2024-05-02 09:30:00", datetime(2024, 5, 2, 9, 30, tzinfo=UTC)),
        ("2024-05-02", datetime(2024, 5, 2, tzinfo=UTC)),
        ("2024-05", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024-05-02T09:30:00.123456789-05:00", datetime(2024, 5, 2, 14, 30, 0, 123456, UTC)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    parsed = parse_feed_date(text)
    assert parsed == expected and parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-45", "Thu, 99 Foo 2024", "9" * 80])
def test_parse_date_garbage(text: str) -> None:
    assert parse_feed_date(text) is None


def test_parse_date_keeps_offset() -> None:
    parsed = parse_feed_date("2024-05-02T09:30:00+05:30")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=5, minutes=30)
    assert parsed.tzinfo == timezone(timedelta(hours=5, minutes=30))


def test_json_feed_items_with_dates_and_relative_urls() -> None:
    data = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
        b'{"id": "1", "url": "/2026/01/storm-hits-coast", "title": "Storm <b>hits</b>",'
        b' "date_published": "2026-01-15T09:00:00+01:00"},'
        b'{"id": "2", "external_url": "https://example.com/b"}, {"id": "3"}, 7]}'
    )
    entries = parse_feed(data, "https://example.com/feed.json", max_bytes=1 << 20)
    assert entries == [
        FeedEntry(
            "https://example.com/2026/01/storm-hits-coast",
            datetime(2026, 1, 15, 8, tzinfo=UTC),
            "Storm hits",
        ),
        FeedEntry("https://example.com/b"),
    ]


@pytest.mark.parametrize(
    "data",
    [b'{"items": []}', b'{"version": "https://jsonfeed.org/version/1", "items": {}}', b"{not json"],
)
def test_not_a_json_feed_is_an_error(data: bytes) -> None:
    with pytest.raises(XMLError):
        parse_feed(data, "https://example.com/feed.json", max_bytes=1 << 20)
