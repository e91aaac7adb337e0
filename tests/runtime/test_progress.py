"""The end-of-run summary: what an operator reads in the cron mail."""

from __future__ import annotations

from scraper.runtime.progress import MALFORMED_LISTED, RunStats


def test_summary_names_documents_that_did_not_parse_and_counts_the_rest() -> None:
    stats = RunStats()
    urls = [f"https://paper.example/feed-{i}.xml" for i in range(MALFORMED_LISTED + 3)]
    urls[0] = "https://paper.example/feed\x1b[31m.xml"  # a control character from a sitemap
    stats.malformed_urls = urls
    lines = stats.summary_lines()
    start = lines.index(f"discovery documents that did not parse: {len(urls)}")
    listed = lines[start + 1 : start + 1 + MALFORMED_LISTED]
    assert listed[0] == "  https://paper.example/feed?[31m.xml"
    assert listed[1:] == [f"  {u}" for u in urls[1:MALFORMED_LISTED]]
    assert lines[start + 1 + MALFORMED_LISTED] == "  … and 3 more"
    assert all(line.isprintable() for line in lines)


def test_summary_is_quiet_about_discovery_when_everything_parsed() -> None:
    assert not any("did not parse" in line for line in RunStats().summary_lines())


def test_per_publisher_tallies_become_rows() -> None:
    from datetime import UTC, datetime

    from archive import ArticleRecord, StoreOutcome

    stats = RunStats()
    day = datetime(2026, 12, 2, tzinfo=UTC)
    for text, published, authors in (
        ("a" * 300, day, ("Ann",)),
        ("b" * 500, None, ()),
        ("c" * 900, day, ()),
    ):
        record = ArticleRecord(
            url=f"https://d.example/{text[0]}",
            urls=(),
            text=text,
            fetched_at=day,
            site="Daily",
            published=published,
            authors=authors,
        )
        stats.publishers.stored(record, StoreOutcome.NEW)
    stats.publishers.fetched("Daily", 1000)
    stats.publishers.document_failed("Daily", "https://d.example/feed")
    stats.fail("d.example", "timeout", "Daily")
    daily, quiet = stats.publishers.rows(["Daily", "Weekly"], 7, day, stats.started)
    assert (daily.new, daily.median_chars, daily.bytes, daily.run_id) == (3, 500, 1000, 7)
    assert (daily.missing_date, daily.missing_author) == (0.333, 0.667)
    assert daily.failures == {"timeout": 1} and daily.failed == 1
    assert daily.failed_documents == ("https://d.example/feed",) and daily.documents_failed == 1
    assert quiet.publisher == "Weekly" and quiet.new == 0 and quiet.median_chars is None
