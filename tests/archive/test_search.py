"""Full-text search: one hit per article, in sync with edits, snippets, clear query errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.records import ArticleRecord
from archive.search import plain_query
from archive.store import Archive
from tests import paths

FIXTURES = paths.FIXTURES / "archive" / "articles"
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def text(name: str) -> str:
    """A fixture article body."""
    return (FIXTURES / f"{name}.txt").read_text("utf-8")


def rec(url: str, body: str, title: str = "Title", **kw: object) -> ArticleRecord:
    """An article record at T0."""
    fields: dict[str, object] = {"urls": (url,), "fetched_at": T0, "title": title, **kw}
    return ArticleRecord(url=url, text=body, **fields)  # type: ignore[arg-type]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "a.db") as opened:
        yield opened


def test_one_hit_per_article_across_variants_copies_and_reruns(archive: Archive) -> None:
    body = text("school_strike")
    urls = (
        "https://paper.example/strike",
        "https://paper.example/strike?utm_source=rss",
        "https://paper.example/amp/strike",
        "http://www.paper.example/strike",
    )
    for _ in range(2):  # the same run twice
        for url in urls:
            archive.articles.store(rec(url, body, site="paper"))
    archive.articles.store(rec("https://wire.example/strike", body, site="wire"))
    archive.articles.store(rec("https://blog.example/s", "By A. Blogger\n\n" + body, site="blog"))
    hits = archive.articles.search("picket")
    assert len(hits) == 1
    assert hits[0].url == urls[0]


def test_snippet_highlights_the_match(archive: Archive) -> None:
    archive.articles.store(rec("https://x.example/planet", text("exoplanet"), "Water world"))
    archive.articles.store(rec("https://x.example/fire", text("wildfire"), "Fire"))
    hits = archive.articles.search("spectrograph")
    assert len(hits) == 1
    assert "[spectrograph]" in hits[0].snippet
    assert hits[0].title == "Water world"


def test_title_match_ranks_before_body_mention(archive: Archive) -> None:
    archive.articles.store(rec("https://x.example/a", text("wildfire"), "Evacuations ordered"))
    archive.articles.store(rec("https://x.example/b", text("exoplanet"), "Telescope finds water"))
    hits = archive.articles.search("water")
    assert [h.url for h in hits][0] == "https://x.example/b"


def test_index_follows_new_versions(archive: Archive) -> None:
    body = text("earnings_chipmaker")
    archive.articles.store(rec("https://x.example/e", body))
    updated = body.replace("Ohio", "Arizona")
    archive.articles.store(replace(rec("https://x.example/e", updated), fetched_at=T0 + HOUR))
    assert archive.articles.search("Ohio") == []
    assert len(archive.articles.search("Arizona")) == 1


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "title:", "(water"])
def test_bad_query_syntax_is_one_line_error(archive: Archive, query: str) -> None:
    archive.articles.store(rec("https://x.example/p", text("exoplanet")))
    with pytest.raises(ArchiveError) as info:
        archive.articles.search(query)
    assert "\n" not in str(info.value) and "bad search query" in str(info.value)


def test_plain_query_makes_free_text_safe(archive: Archive) -> None:
    archive.articles.store(rec("https://x.example/p", text("exoplanet")))
    hits = archive.articles.search(plain_query('TOI-3318 "b'))
    assert len(hits) == 1


def test_common_term_ranks_within_the_newest_matches(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.search as search

    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    names = ["wildfire", "exoplanet", "football_final", "school_strike", "earnings_chipmaker"]
    ids = []
    for i, name in enumerate(names):  # "harbour" in every body; the oldest has it in its title
        title = "Harbour news" if i == 0 else f"Story {i}"
        body = text(name) + "\n\nFiled from the harbour."
        ids.append(archive.articles.store(rec(f"https://h.example/{i}", body, title)).article_id)
    hits = archive.articles.search("harbour")
    # only the three newest are ranked (the title match is older than the window) ...
    assert sorted(h.article_id for h in hits) == sorted(ids[-3:])
    assert all("[harbour]" in h.snippet for h in hits)
    monkeypatch.setattr(search, "RANK_WINDOW", 2_000)
    # ... while a window wider than the matches ranks them all, the title match first
    hits = archive.articles.search("harbour")
    assert len(hits) == 5 and hits[0].article_id == ids[0]
