"""The search index is found by the SQLite tools people use: sqlite-utils and datasette."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from archive import Archive, ArticleRecord, StoreOutcome
from archive.migrations import CURRENT_VERSION, applied_migrations
from archive.schema import V2
from tests import paths

FIXTURES = paths.FIXTURES / "archive"
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
ROOT_URL = "https://paper.example/strike"
COPY_URL = "https://wire.example/strike-copy"
# How datasette's detect_fts finds a table's index (sqlite-utils' detect_fts also accepts it).
DATASETTE_PATTERN = '%VIRTUAL TABLE%USING FTS%content="articles"%'


def _archive_with_a_duplicate(path: Path) -> None:
    body = (FIXTURES / "articles" / "school_strike.txt").read_text("utf-8")
    with Archive.open(path) as archive:
        root = archive.articles.store(
            ArticleRecord(url=ROOT_URL, urls=(), text=body, title="Strike", fetched_at=T0,
                          site="paper")
        )  # fmt: skip
        copy = archive.articles.store(
            ArticleRecord(url=COPY_URL, urls=(), text=body, title="Strike", fetched_at=T0,
                          site="wire")
        )  # fmt: skip
    assert (root.outcome, copy.outcome) == (StoreOutcome.NEW, StoreOutcome.DUPLICATE)


def _cli_search(path: Path, word: str) -> list[str]:
    tool = Path(sys.executable).parent / "sqlite-utils"
    done = subprocess.run(
        [str(tool), "search", str(path), "articles", word, "-c", "url"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return [row["url"] for row in json.loads(done.stdout)]


def test_sqlite_utils_finds_the_index_and_lists_each_story_once(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _archive_with_a_duplicate(path)
    with Database(path) as db:
        assert db.table("articles").detect_fts() == "articles_fts"
        assert [r["url"] for r in db.table("articles").search("picket")] == [ROOT_URL]
        assert (
            db.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'articles_fts' AND sql LIKE ?",
                (DATASETTE_PATTERN,),
            ).fetchone()[0]
            == 1
        )
    assert _cli_search(path, "picket") == [ROOT_URL]


def test_an_old_archive_becomes_searchable_by_the_tools(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((FIXTURES / "v1_archive.sql").read_text("utf-8"))
    conn.close()
    Archive.open(path).close()
    assert _cli_search(path, "surcharge") == ["https://bay-herald.example/2024/04/water-council"]


def test_v5_rebuilds_a_v4_index_without_its_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    _archive_with_a_duplicate(path)
    with sqlite3.connect(path, isolation_level=None) as conn:  # back to the v4 index form
        conn.execute("DROP TABLE articles_fts")
        conn.execute(V2[V2.index("CREATE VIRTUAL TABLE") : V2.index(";", V2.index("fts5("))])
        conn.execute(
            "INSERT INTO articles_fts(rowid, title, text) "
            "SELECT id, title, text FROM articles WHERE duplicate_of IS NULL"
        )
        conn.execute("DROP TABLE publisher_runs")  # v6's
        conn.execute("DROP TABLE ingest_progress")  # v7's
        conn.execute("DELETE FROM migrations WHERE version >= 5")
    conn.close()
    with Archive.open(path) as archive:
        assert applied_migrations(archive.db)[-1][0] == CURRENT_VERSION == 10
        indexed = {r["id"] for r in archive.db.table("articles_fts_docsize").rows}
        roots = {r["id"] for r in archive.db.table("articles").rows_where("duplicate_of IS NULL")}
        assert indexed == roots and len(roots) == 1
        assert [h.url for h in archive.articles.search("picket")] == [ROOT_URL]
        # the v2 triggers still keep the rebuilt index in step with new articles
        body = (FIXTURES / "articles" / "water_council.txt").read_text("utf-8")
        archive.articles.store(ArticleRecord(url="https://bay.example/w", urls=(), text=body,
                                             fetched_at=T0))  # fmt: skip
    assert _cli_search(path, "surcharge") == ["https://bay.example/w"]
