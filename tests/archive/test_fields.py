"""Issue 16's fields in the archive: stored, versioned, filled by re-extraction, exported."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.export import export
from archive.records import ArticleImage, ArticleRecord, ArticleUpdate, StoreOutcome
from archive.store import Archive
from tests import paths

FIXTURES = paths.FIXTURES / "archive" / "articles"
FIRE = (FIXTURES / "wildfire.txt").read_text("utf-8")
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=2))
URL = "https://n.example/fire"
IMAGES = (
    ArticleImage("https://n.example/img/lead.jpg", "Smoke over the ridge", "Photo: A. Lee",
                 lead=True),
    ArticleImage("https://n.example/img/map.png", "The fire's extent", None),
)  # fmt: skip


def _entry(minute: int, text: str) -> ArticleUpdate:
    return ArticleUpdate(datetime(2024, 5, 1, 9, minute, tzinfo=CET), f"At 9:{minute:02}", text)


RECORD = ArticleRecord(
    url=URL, urls=(), text=FIRE, fetched_at=T0, title="Fire",
    published=datetime(2024, 4, 30, 22, 0, tzinfo=CET), published_source="json-ld",
    modified=datetime(2024, 5, 1, 5, 0, tzinfo=CET), modified_source="meta",
    language="en", language_source="detected", access="paywalled", images=IMAGES,
)  # fmt: skip


def _row(archive: Archive, article_id: int) -> dict[str, object]:
    return dict(archive.db.table("articles").get(article_id))


def test_every_field_is_stored_with_its_offset_and_order(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.db") as archive:
        row = _row(archive, archive.articles.store(RECORD).article_id)
    assert row["published"] == "2024-04-30T22:00:00+02:00"
    assert (row["published_source"], row["modified"], row["modified_source"]) == (
        "json-ld",
        "2024-05-01T05:00:00+02:00",
        "meta",
    )
    assert (row["language"], row["language_source"], row["access"]) == (
        "en",
        "detected",
        "paywalled",
    )
    assert json.loads(str(row["images"])) == [
        {"url": "https://n.example/img/lead.jpg", "caption": "Smoke over the ridge",
         "credit": "Photo: A. Lee", "lead": True},
        {"url": "https://n.example/img/map.png", "caption": "The fire's extent",
         "credit": None, "lead": False},
    ]  # fmt: skip
    assert json.loads(str(row["live_updates"])) == []


def test_an_unknown_access_level_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a.db") as archive:
        with pytest.raises(ValueError, match="access must be one of"):
            archive.articles.store(replace(RECORD, access="metered"))
        assert archive.db.table("articles").count == 0


def test_a_live_blog_that_gains_entries_is_a_new_version(tmp_path: Path) -> None:
    first = (_entry(5, "Crews reach the ridge road."), _entry(20, "Evacuation lifted in Elm."))
    later = (*first, _entry(45, "Rain is forecast for the evening."))

    def blog(updates: tuple[ArticleUpdate, ...], hours: int) -> ArticleRecord:
        text = "\n\n".join(u.text for u in updates) + "\n\n" + FIRE
        return replace(
            RECORD, text=text, live_updates=updates, fetched_at=T0 + timedelta(hours=hours)
        )

    with Archive.open(tmp_path / "a.db") as archive:
        stored = archive.articles.store(blog(first, 0))
        again = archive.articles.store(blog(later, 1))
        same = archive.articles.store(blog(later, 2))
        row = _row(archive, stored.article_id)
        history = list(archive.db.table("article_versions").rows)
    assert (again.outcome, again.version) == (StoreOutcome.UPDATED, 2)
    assert same.outcome == StoreOutcome.UNCHANGED
    assert [u["text"] for u in json.loads(str(row["live_updates"]))] == [
        "Crews reach the ridge road.", "Evacuation lifted in Elm.",
        "Rain is forecast for the evening."]  # fmt: skip
    assert json.loads(str(row["live_updates"]))[2]["time"] == "2024-05-01T09:45:00+02:00"
    assert len(history) == 1 and len(json.loads(history[0]["live_updates"])) == 2


def test_reextraction_fills_new_fields_in_place_and_keeps_the_feed_date(
    tmp_path: Path,
) -> None:
    feed_dated = replace(
        RECORD,
        published_source="feed",
        modified=None,
        modified_source=None,
        language_source=None,
        access="unknown",
        images=(),
    )
    with Archive.open(tmp_path / "a.db") as archive:
        article_id = archive.articles.store(feed_dated).article_id
        # the page itself gives no date: the feed's stays, with its source
        fresh = replace(RECORD, published=None, published_source=None)
        assert archive.articles.reextract(article_id, fresh) is True
        assert archive.articles.reextract(article_id, fresh) is False
        row = _row(archive, article_id)
        versions = archive.db.table("article_versions").count
    assert (row["version"], versions) == (1, 0)  # same text: no new version
    assert (row["published"], row["published_source"]) == ("2024-04-30T22:00:00+02:00", "feed")
    assert (row["access"], row["modified_source"]) == ("paywalled", "meta")
    assert len(json.loads(str(row["images"]))) == 2


def test_export_carries_the_fields_decoded_in_jsonl_and_as_json_in_csv(
    tmp_path: Path,
) -> None:
    with Archive.open(tmp_path / "a.db") as archive:
        archive.articles.store(RECORD)
        lines, table = io.StringIO(), io.StringIO()
        export(archive, lines, fmt="jsonl")
        export(archive, table, fmt="csv")
    item = json.loads(lines.getvalue())
    assert item["images"][0]["caption"] == "Smoke over the ridge"
    assert (item["access"], item["published_source"], item["modified"]) == (
        "paywalled",
        "json-ld",
        "2024-05-01T05:00:00+02:00",
    )
    row = next(csv.DictReader(io.StringIO(table.getvalue())))
    assert json.loads(row["images"])[0]["credit"] == "Photo: A. Lee"
    assert (row["language_source"], json.loads(row["live_updates"])) == ("detected", [])


def test_an_archive_from_before_the_fields_gets_them_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((paths.FIXTURES / "archive" / "v1_archive.sql").read_text("utf-8"))
    conn.close()
    with Archive.open(path) as archive:
        rows = list(archive.db.table("articles").rows)
        paywalled = archive.db.execute(
            "SELECT site, count(*) FROM articles WHERE access = 'paywalled' GROUP BY site"
        ).fetchall()
    assert rows and all(r["access"] == "unknown" and r["images"] == "[]" for r in rows)
    assert paywalled == []
