"""Schema migrations: an archive written by the first release upgrades in place, data kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.migrations import CURRENT_VERSION, MIGRATIONS, applied_migrations
from archive.publisher_runs import PublisherRun
from archive.records import ArticleRecord, StoreOutcome
from archive.store import Archive
from tests import paths

FIXTURES = paths.FIXTURES / "archive"
WATER_URL = "https://bay-herald.example/2024/04/water-council"


@pytest.fixture
def v1_path(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "v1_archive.sql").read_text("utf-8"))
    conn.close()
    return path


@pytest.fixture
def upgraded(v1_path: Path) -> Iterator[Archive]:
    with Archive.open(v1_path) as archive:
        yield archive


def test_upgrade_is_recorded(upgraded: Archive) -> None:
    versions = [v for v, _, _ in applied_migrations(upgraded.db)]
    assert versions == [m.version for m in MIGRATIONS] and versions[-1] == CURRENT_VERSION


def test_upgrade_keeps_every_article_run_and_url_state(upgraded: Archive) -> None:
    articles, runs = upgraded.db.table("articles"), upgraded.db.table("runs")
    assert articles.count == 3
    assert [r["status"] for r in runs.rows_where(order_by="id")] == ["ok", "running"]
    feed = upgraded.urls.state("https://bay-herald.example/feed.xml")
    assert feed is not None and feed.etag == '"feed-7"'
    (row,) = articles.rows_where("url = ?", [WATER_URL],
                                 select="title, version, updated_at, first_seen")  # fmt: skip
    assert tuple(row.values()) == (
        "Marlow Bay to replace lead pipes", 1, "2024-04-01T02:01:00.000000+00:00",
        "2024-04-01T02:01:00.000000+00:00",
    )  # fmt: skip


def test_upgraded_archive_searches_and_knows_old_aliases(upgraded: Archive) -> None:
    hits = upgraded.articles.search("surcharge")
    assert [h.url for h in hits] == [WATER_URL]
    article = upgraded.urls.article_for(WATER_URL + "?utm_source=rss")
    assert article == hits[0].article_id
    assert (
        upgraded.urls.article_for("http://www.bay-herald.example/2024/04/water-council/") == article
    )


def test_upgraded_archive_dedups_new_copies_against_old_articles(upgraded: Archive) -> None:
    text = (FIXTURES / "articles" / "water_council.txt").read_text("utf-8")
    edited = "By Wire Staff\n\n" + text.replace("seven to two", "7-2")
    result = upgraded.articles.store(
        ArticleRecord(
            url="https://wire.example/pipes",
            urls=(),
            text=edited,
            fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
        )  # fmt: skip
    )
    assert result.outcome is StoreOutcome.DUPLICATE
    assert result.duplicate_of == upgraded.urls.article_for(WATER_URL)


def test_reopening_applies_nothing_twice(v1_path: Path) -> None:
    Archive.open(v1_path).close()
    with Archive.open(v1_path) as archive:
        assert len(applied_migrations(archive.db)) == len(MIGRATIONS)
        assert archive.db.table("articles_fts_docsize").count == 3  # what the index holds


def test_fresh_archive_has_the_same_schema_as_an_upgraded_one(
    v1_path: Path, tmp_path: Path
) -> None:
    def tables(path: Path) -> dict[str, list[str]]:
        conn = sqlite3.connect(path)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found = {n: [c[1] for c in conn.execute(f"PRAGMA table_info('{n}')")] for n in names}
        conn.close()
        return found

    Archive.open(v1_path).close()
    Archive.open(tmp_path / "fresh.db").close()
    assert tables(v1_path) == tables(tmp_path / "fresh.db")


def test_failed_migration_leaves_the_old_archive_untouched(
    v1_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.migrations as mig

    def broken(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    step = mig.MIGRATIONS[1]
    monkeypatch.setattr(mig, "MIGRATIONS", (mig.MIGRATIONS[0], step.__class__(
        step.version, step.name, step.sql, broken)))  # fmt: skip
    with pytest.raises(ArchiveError, match="free disk space"):
        Archive.open(v1_path)
    conn = sqlite3.connect(v1_path)
    columns = [c[1] for c in conn.execute("PRAGMA table_info('articles')")]
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    assert "duplicate_of" not in columns and "migrations" not in tables


# The LSH band keys the v2 release (crc32 word ids, 64 bins) wrote for water_council.txt.
V2_WATER_BANDS = (
    8139525968742825534, -8924669630023626280, 8500519026827662749, -5834679825565955694,
    1924244572073071875, 8186525597714568439, 1768087457803179606, -4343252117774932913,
    -7218074604857793086, -1199491183505601080, -7277209629170790415,
)  # fmt: skip


def test_v2_archive_is_rebanded_and_still_finds_near_copies_of_old_articles(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.db"
    text = (FIXTURES / "articles" / "water_council.txt").read_text("utf-8")
    with Archive.open(path) as archive:  # then made to look as the v2 release left it
        old = archive.articles.store(
            ArticleRecord(
                url=WATER_URL, urls=(), text=text, fetched_at=datetime(2024, 4, 1, tzinfo=UTC)
            )  # fmt: skip
        ).article_id
        with archive.transaction() as conn:
            conn.execute("DELETE FROM minhash_bands")
            conn.executemany(
                "INSERT INTO minhash_bands VALUES (?, ?)", [(k, old) for k in V2_WATER_BANDS]
            )
            conn.execute("DROP TABLE frontier")  # v4's
            conn.execute("DROP TABLE publisher_runs")  # v6's
            conn.execute("DROP TABLE ingest_progress")  # v7's
            conn.execute("DELETE FROM migrations WHERE version >= 3")
    with Archive.open(path) as archive:
        assert applied_migrations(archive.db)[-1][0] == CURRENT_VERSION == 10
        bands = {r["band_key"] for r in archive.db.table("minhash_bands").rows}
        assert bands and not bands & set(V2_WATER_BANDS)
        result = archive.articles.store(
            ArticleRecord(
                url="https://wire.example/pipes",
                urls=(),
                text="By Wire Staff\n\n" + text.replace("seven to two", "7-2"),
                fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
            )  # fmt: skip
        )
        kind = archive.db.table("articles").get(result.article_id)["dedup_kind"]
    # another opening: no teaser match, so only the rebuilt LSH bands can have found it
    assert (result.outcome, result.duplicate_of, kind) == (StoreOutcome.DUPLICATE, old, "near")


def test_v6_adds_publisher_runs_to_a_v5_archive(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    with Archive.open(path) as archive:
        with archive.transaction() as conn:
            conn.execute("DROP TABLE publisher_runs")
            conn.execute("DROP TABLE ingest_progress")
            conn.execute("DELETE FROM migrations WHERE version >= 6")
    with Archive.open(path) as archive:
        assert applied_migrations(archive.db)[-1][0] == CURRENT_VERSION == 10
        table = archive.db.table("publisher_runs")
        assert table.pks == ["run_id", "publisher"]
        assert {"new", "failures", "median_chars", "documents_failed"} <= set(table.columns_dict)


def test_v9_adds_raw_page_parts_to_a_v8_archive_whose_paged_articles_keep_page_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v8.db"
    when = datetime(2024, 5, 1, tzinfo=UTC)
    with Archive.open(path) as archive:  # then made to look as the v8 release left it
        archive.articles.store(
            ArticleRecord(
                url=WATER_URL,
                urls=(f"{WATER_URL}?page=2",),
                text="Pages one and two.",
                fetched_at=when,
                raw_html=b"<html>page 1</html>",
                pages=2,
            )
        )
        with archive.transaction() as conn:
            conn.execute("DROP TABLE raw_page_parts")
            conn.execute("DELETE FROM migrations WHERE version >= 9")
    with Archive.open(path) as archive:
        assert applied_migrations(archive.db)[-1][0] == CURRENT_VERSION == 10
        table = archive.db.table("raw_page_parts")
        assert table.pks == ["article_id", "page"] and table.count == 0
        assert [(fk.column, fk.other_table) for fk in table.foreign_keys] == [
            ("article_id", "articles")
        ]
        (page,) = archive.articles.raw_pages()
    # only its first page was kept before v9: reextract tells it by its missing parts
    assert (page.html, page.pages, page.parts) == (b"<html>page 1</html>", 2, ())


def test_v10_counts_gone_pages_of_a_v9_archive_from_zero(tmp_path: Path) -> None:
    path = tmp_path / "v9.db"
    with Archive.open(path) as archive:
        archive.publisher_runs.record(
            [PublisherRun("Wire", run_id=archive.runs.start(datetime.now(UTC)))]
        )
        with archive.transaction() as conn:
            conn.execute("ALTER TABLE publisher_runs DROP COLUMN gone")
            conn.execute("DELETE FROM migrations WHERE version >= 10")
    with Archive.open(path) as archive:
        assert applied_migrations(archive.db)[-1][0] == 10
        (run,) = archive.publisher_runs.history(5)["Wire"]
        assert run.gone == 0  # earlier runs kept no count: none, not unknown
        archive.publisher_runs.record([PublisherRun("Wire", run_id=run.run_id, gone=2)])
        assert archive.publisher_runs.history(5)["Wire"][0].gone == 2
