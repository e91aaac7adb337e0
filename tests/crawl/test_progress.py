"""The end-of-run summary: what an operator reads in the cron mail."""

from __future__ import annotations

from scraper.crawl.progress import MALFORMED_LISTED, RunStats


def test_summary_names_documents_that_did_not_parse_and_counts_the_rest() -> None:
    stats = RunStats()
    urls = [f"https://paper.example/feed-{i}.xml" for i in range(MALFORMED_LISTED + 3)]
    urls[0] = "https://paper.example/feed\x1b[31m.xml"  # a control character from a sitemap
    stats.malformed_urls = urls
    lines = stats.summary_lines()
    start = lines.index(f"discovery documents that did not parse: {len(urls)}")
    listed = lines[start + 1:start + 1 + MALFORMED_LISTED]
    assert listed[0] == "  https://paper.example/feed?[31m.xml"
    assert listed[1:] == [f"  {u}" for u in urls[1:MALFORMED_LISTED]]
    assert lines[start + 1 + MALFORMED_LISTED] == "  … and 3 more"
    assert all(line.isprintable() for line in lines)


def test_summary_is_quiet_about_discovery_when_everything_parsed() -> None:
    assert not any("did not parse" in line for line in RunStats().summary_lines())
