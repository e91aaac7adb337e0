"""Published and modified dates: separate sources, zones kept, never crossed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scraper.extract.dates import parse_date, url_date
from scraper.extract.extractor import extract_page

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
PARA = (
    "The harbour authority said on Tuesday that the new ferry terminal would open in "
    "the spring, two years later than planned, after the contractor went bankrupt."
)


def _page(head: str, body: str) -> bytes:
    return (
        f"<html><head><title>Ferry terminal delayed</title>{head}</head><body><article>"
        f"<h1>Ferry terminal delayed</h1>{body}<p>{PARA}</p><p>{PARA} Passengers "
        f"will keep using the old pier.</p><p>{PARA} Fares stay the same.</p>"
        "</article></body></html>"
    ).encode()


def test_courier_page_keeps_published_and_modified_apart() -> None:
    body = (PAGES / "courier" / "council-budget.html").read_bytes()
    got = extract_page(body, "https://www.riverside-courier.example/news/2024/03/04/council")
    plus_one = timezone(timedelta(hours=1))
    assert got.published == datetime(2024, 3, 4, 7, 30, tzinfo=plus_one)
    assert got.published is not None and got.published.utcoffset() == timedelta(hours=1)
    assert got.published_source == "json-ld"
    assert got.modified == datetime(2024, 3, 5, 18, 2, tzinfo=plus_one)
    assert got.modified_source == "json-ld"


def test_modified_meta_alone_is_never_the_publication_date() -> None:
    head = '<meta property="article:modified_time" content="2024-06-02T10:00:00+02:00">'
    got = extract_page(_page(head, ""), "https://port.example/news/ferry-terminal")
    assert got.modified is not None and got.modified.isoformat() == "2024-06-02T10:00:00+02:00"
    assert got.modified_source == "meta"
    assert got.published != got.modified


def test_jsonld_date_modified_only_never_becomes_published() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"dateModified": "2024-06-02T10:00:00Z"}</script>'
    )
    got = extract_page(_page(head, ""), "https://port.example/news/ferry-terminal")
    assert got.modified_source == "json-ld"
    assert got.published != got.modified  # at most the day, guessed from the page text
    assert got.published_source in (None, "text")


def test_updated_time_element_is_the_modified_one() -> None:
    body = (
        '<p class="dateline">Published <time datetime="2024-05-30T08:00:00-04:00">May 30'
        '</time> · Updated <time datetime="2024-06-01T12:15:00-04:00">June 1</time></p>'
    )
    got = extract_page(_page("", body), "https://port.example/news/ferry-terminal")
    assert got.published is not None
    assert got.published.isoformat() == "2024-05-30T08:00:00-04:00"
    assert got.published_source == "time element"
    assert got.modified is not None and got.modified.isoformat() == "2024-06-01T12:15:00-04:00"
    assert got.modified_source == "time element"


def test_updated_time_element_first_in_page_does_not_win_published() -> None:
    body = (
        '<div class="article-updated">Updated <time datetime="2024-06-01T12:15:00Z">'
        'June 1</time></div><time datetime="2024-05-30T08:00:00Z">May 30</time>'
    )
    got = extract_page(_page("", body), "https://port.example/news/ferry-terminal")
    assert got.published == datetime(2024, 5, 30, 8, tzinfo=UTC)
    assert got.modified == datetime(2024, 6, 1, 12, 15, tzinfo=UTC)


def test_updated_line_in_text_and_date_in_url() -> None:
    body = '<p class="meta">Last updated: March 9, 2022</p>'
    got = extract_page(_page("", body), "https://port.example/2022/03/07/ferry-terminal/")
    assert got.published == datetime(2022, 3, 7, tzinfo=UTC)
    assert got.published_source == "url"
    assert got.modified == datetime(2022, 3, 9, tzinfo=UTC)
    assert got.modified_source == "text"


def test_meta_published_is_labelled_meta() -> None:
    head = '<meta property="article:published_time" content="2023-11-20T06:45:00+09:00">'
    got = extract_page(_page(head, ""), "https://port.example/news/ferry-terminal")
    assert got.published is not None and got.published.isoformat() == "2023-11-20T06:45:00+09:00"
    assert (got.published_source, got.modified) == ("meta", None)


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://a.example/2024/05/03/story", datetime(2024, 5, 3, tzinfo=UTC)),
        ("https://a.example/news/2024-05-03-story.html", datetime(2024, 5, 3, tzinfo=UTC)),
        ("https://a.example/articles/272222/20220308/x.htm", datetime(2022, 3, 8, tzinfo=UTC)),
        ("https://a.example/2024/13/40/story", None),
        ("https://a.example/story?d=2024/05/03/", None),
    ],
)
def test_url_dates(url: str, want: datetime | None) -> None:
    assert url_date(url) == want


def test_java_style_dates_keep_their_zone() -> None:
    got = parse_date("Fri Apr 28 19:20:36 CEST 2023")
    assert got == datetime(2023, 4, 28, 19, 20, 36, tzinfo=timezone(timedelta(hours=2)))
    assert parse_date("Fri Apr 28 19:20:36 XYZ 2023") is None


@pytest.mark.parametrize(
    ("stamp", "url", "day", "hours"),
    [
        # an evening post in the Americas: the next day in UTC, the permalink's day locally
        ("2023-11-09T05:30:59Z", "https://port.example/2023/11/08/ferry/", "2023-11-08", -6),
        # just after midnight in Europe: the day before in UTC
        ("2018-12-31T23:11:59Z", "https://port.example/2019/01/01/ferry/", "2019-01-01", 1),
        # a stamp with its own offset, or a UTC stamp on the URL's own day: kept as written
        ("2023-11-09T05:30:59+02:00", "https://port.example/2023/11/08/ferry/", "2023-11-09", 2),
        ("2023-11-09T05:30:59Z", "https://port.example/2023/11/09/ferry/", "2023-11-09", 0),
        # no offset in use puts noon UTC on the day before: the stamp stands
        ("2023-11-09T13:00:00Z", "https://port.example/2023/11/08/ferry/", "2023-11-09", 0),
    ],
)
def test_utc_publication_time_falls_on_the_permalink_day(
    stamp: str, url: str, day: str, hours: int
) -> None:
    head = f'<meta property="article:published_time" content="{stamp}">'
    got = extract_page(_page(head, ""), url)
    assert got.published is not None
    assert got.published.date().isoformat() == day
    assert got.published.utcoffset() == timedelta(hours=hours)
    assert got.published == parse_date(stamp)  # the same instant


def _revised(printed: str) -> bytes:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2023-01-10T09:00:00+01:00", '
        '"dateModified": "2024-02-20T16:30:00+01:00"}</script>'
    )
    return _page(head, f"<p class='byline'>By Jane Doe</p><p>{printed}</p>")


def test_the_revision_day_printed_as_the_articles_date_is_published() -> None:
    got = extract_page(_revised("February 20, 2024"), "https://port.example/news/ferry")
    assert got.published == datetime(2024, 2, 20, 16, 30, tzinfo=timezone(timedelta(hours=1)))
    assert got.published_source == "shown"
    assert got.modified == got.published


@pytest.mark.parametrize(
    "printed", ["Updated February 20, 2024", "January 10, 2023 · Updated February 20, 2024"]
)
def test_a_day_printed_as_updated_never_becomes_published(printed: str) -> None:
    got = extract_page(_revised(printed), "https://port.example/news/ferry")
    assert got.published == datetime(2023, 1, 10, 9, tzinfo=timezone(timedelta(hours=1)))
    assert got.published_source == "json-ld"


def test_printed_day_dates_a_page_that_declares_none() -> None:
    got = extract_page(_page("", "<p>3. März 2024</p>"), "https://port.example/news/ferry")
    assert got.published is not None and got.published.date().isoformat() == "2024-03-03"
    assert got.published_source == "shown"


def test_a_utc_publication_stamp_may_fall_on_the_printed_day() -> None:
    # 23:00 UTC is already the next day in Europe: the printed day is the declared one's
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2025-12-02T23:00:55Z", "dateModified": "2025-12-03T21:31:05Z"}'
        "</script>"
    )
    got = extract_page(_page(head, "<p>Published: 03 Dec 2025</p>"), "https://port.example/n")
    assert got.published == datetime(2025, 12, 2, 23, 0, 55, tzinfo=UTC)
    assert got.published_source == "json-ld"


def test_og_published_time_is_a_declared_publication() -> None:
    head = '<meta content="2024-10-08T00:00:00-04:00" property="og:published_time">'
    got = extract_page(_page(head, ""), "https://port.example/news/ferry")
    assert got.published == datetime(2024, 10, 8, tzinfo=timezone(timedelta(hours=-4)))
    assert got.published_source == "meta"
