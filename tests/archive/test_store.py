"""The archive store: identity across runs, versions, runs, URL state, safety of writes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import rows
from archive.errors import ArchiveError
from archive.records import ArticleRecord, PagePart, StoreOutcome
from archive.store import Archive
from tests import paths
from tests.paths import ROOT

FIXTURES = paths.FIXTURES / "archive" / "articles"
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
TEXT = (FIXTURES / "wildfire.txt").read_text("utf-8")
OTHER = (FIXTURES / "exoplanet.txt").read_text("utf-8")


def record(url: str = "https://news.example/fire", text: str = TEXT, **kw: object) -> ArticleRecord:
    """A stored-ready article with sensible defaults."""
    values: dict[str, object] = {"urls": (url,), "fetched_at": T0, "title": "Fire", "site": "n"}
    values.update(kw)
    return ArticleRecord(url=url, text=text, **values)  # type: ignore[arg-type]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "data" / "archive.db") as opened:
        yield opened


def test_open_creates_folder_and_uses_wal(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "new" / "deep" / "a.db") as archive:
        assert archive.db.journal_mode == "wal"
        assert archive.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_same_article_twice_across_runs_is_one_article(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive.open(path) as archive:
        first = archive.articles.store(record())
    with Archive.open(path) as archive:  # the next night
        again = archive.articles.store(record(fetched_at=T0 + timedelta(days=1)))
        assert again.outcome is StoreOutcome.UNCHANGED
        assert again.article_id == first.article_id
        assert archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_redirect_sources_and_variants_map_to_the_article(archive: Archive) -> None:
    rec = record(urls=("https://t.co/abc", "https://news.example/fire?utm_source=tw"))
    stored = archive.articles.store(rec)
    for alias in (
        "https://t.co/abc",
        "http://www.news.example/fire",
        "https://news.example/fire/amp",
        "https://news.example/fire?utm_medium=email",
    ):
        assert archive.urls.article_for(alias) == stored.article_id
    assert archive.urls.article_for("https://news.example/other") is None
    assert "https://t.co/abc" in archive.urls.of_article(stored.article_id)


def test_changed_text_is_a_new_version_with_history(archive: Archive) -> None:
    first = archive.articles.store(record())
    corrected = TEXT.replace("No deaths have been reported.", "One death was reported.")
    later = T0 + timedelta(hours=5)
    second = archive.articles.store(record(text=corrected, fetched_at=later))
    assert second.outcome is StoreOutcome.UPDATED
    assert (second.article_id, second.version) == (first.article_id, 2)
    current = list(archive.db.table("articles").rows_where(select="text, version"))
    assert current == [{"text": corrected, "version": 2}]
    history = list(archive.db.table("article_versions").rows_where(select="version, text"))
    assert history == [{"version": 1, "text": TEXT}]
    assert [h.article_id for h in archive.articles.search('"one death"')] == [first.article_id]
    assert archive.articles.search('"no deaths"') == []


def test_runs_killed_while_running_are_marked_crashed(archive: Archive) -> None:
    killed = archive.runs.start(T0)
    second = archive.runs.start(T0 + timedelta(days=1))
    archive.runs.finish(second, ended_at=T0 + timedelta(days=1, hours=1), status="partial",
                       counts={"new": 3, "failed": 1})  # fmt: skip
    found = {r["id"]: r["status"] for r in archive.db.table("runs").rows}
    assert found == {killed: "crashed", second: "partial"}
    assert archive.db.table("runs").get(second)["counts"] == '{"failed": 1, "new": 3}'
    third = archive.runs.start(T0 + timedelta(days=2))
    assert archive.runs.mark_crashed() == 1
    with pytest.raises(ValueError, match="run status"):
        archive.runs.finish(third, ended_at=T0, status="great", counts={})


def test_url_state_keeps_validators_for_conditional_requests(archive: Archive) -> None:
    feed = "https://news.example/feed.xml"
    assert archive.urls.state(feed) is None
    archive.urls.record([feed], fetched_at=T0, outcome="ok", status=200, etag='"v1"',
                        last_modified="Wed, 01 May 2024 06:00:00 GMT")  # fmt: skip
    archive.urls.record(
        [feed], fetched_at=T0 + timedelta(hours=1), outcome="not_modified", status=304
    )
    state = archive.urls.state(feed)
    assert state is not None
    assert (state.status, state.outcome, state.etag) == (304, "not_modified", '"v1"')
    assert state.last_modified == "Wed, 01 May 2024 06:00:00 GMT"
    assert state.fetched_at == T0 + timedelta(hours=1)


def test_store_records_url_state_for_every_alias(archive: Archive) -> None:
    stored = archive.articles.store(record(urls=("https://t.co/x",), http_status=200, etag="e"))
    state = archive.urls.state("https://t.co/x")
    assert state is not None
    assert (state.article_id, state.outcome, state.etag) == (stored.article_id, "new", "e")


def test_failed_store_leaves_nothing_half_written(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> None:
        raise OSError("simulated crash after the article row")

    monkeypatch.setattr(rows, "save_raw", boom)
    with pytest.raises(OSError):
        archive.articles.store(record(raw_html=b"<html></html>"))
    for table in ("articles", "article_urls", "urls", "minhash_bands", "articles_fts"):
        assert archive.db.table(table).count == 0
    monkeypatch.undo()
    assert archive.articles.store(record()).outcome is StoreOutcome.NEW


def test_raw_html_round_trips_compressed_and_reextraction_versions(archive: Archive) -> None:
    html = ("<html><body>" + ("<p>" + TEXT + "</p>") * 3 + "</body></html>").encode()
    rec = record(raw_html=html, content_type="text/html", extractor_version="x1")
    stored = archive.articles.store(rec)
    (page,) = archive.db.table("raw_pages").rows
    assert page["size"] == len(html) and len(page["body"]) < len(html) / 2
    pages = list(archive.articles.raw_pages())
    assert [(p.article_id, p.html, p.extractor_version) for p in pages] == [
        (stored.article_id, html, "x1")
    ]
    same = replace(rec, extractor_version="x2")
    assert archive.articles.reextract(stored.article_id, same) is False
    cleaner = replace(rec, text=TEXT.split("\n\n", 1)[1], extractor_version="x2")
    assert archive.articles.reextract(stored.article_id, cleaner) is True
    (row,) = archive.db.table("articles").rows
    assert (row["version"], row["text"]) == (2, cleaner.text)
    assert next(archive.articles.raw_pages()).extractor_version == "x2"


def _part(n: int, at: datetime = T0) -> PagePart:
    body = f"<html><body><p>Page {n}.</p>{('<p>' + TEXT + '</p>') * 3}</body></html>".encode()
    return PagePart(
        f"https://news.example/fire?page={n}", body, at + timedelta(seconds=n), 200, "text/html"
    )


def test_a_multi_page_articles_later_pages_are_kept_with_its_first(archive: Archive) -> None:
    first = b"<html><body><p>Page 1.</p></body></html>"
    parts = (_part(2), _part(3))
    stored = archive.articles.store(record(raw_html=first, pages=3, page_bodies=parts))
    rows_ = list(archive.db.table("raw_page_parts").rows_where(order_by="page"))
    assert [(r["article_id"], r["page"], r["url"], r["size"]) for r in rows_] == [
        (stored.article_id, n, p.url, len(p.body)) for n, p in zip((2, 3), parts, strict=True)
    ]
    assert all(len(r["body"]) < r["size"] / 2 for r in rows_)  # gzip, as raw_pages
    (page,) = archive.articles.raw_pages()
    assert (page.html, page.pages, page.parts) == (first, 3, parts)  # decompressed, in order
    # the next fetch of the article has two pages: its parts are replaced, not added to
    fewer = record(
        text=TEXT + " More.",
        raw_html=first,
        pages=2,
        page_bodies=(_part(2, T0 + timedelta(days=1)),),
    )
    assert archive.articles.store(fewer).outcome is StoreOutcome.UPDATED
    (page,) = archive.articles.raw_pages()
    assert page.parts == fewer.page_bodies
    # a fetch of the same text keeps the latest pages too, as raw_pages keeps the latest
    again = replace(fewer, page_bodies=(_part(2, T0 + timedelta(days=2)),))
    assert archive.articles.store(again).outcome is StoreOutcome.UNCHANGED
    assert next(archive.articles.raw_pages()).parts == again.page_bodies


def test_corrupt_file_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ArchiveError) as info:
        Archive.open(path)
    message = str(info.value)
    assert "\n" not in message and "damaged" in message and str(path) in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_unwritable_folder_is_one_line_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ArchiveError, match="not writable|cannot create"):
        Archive.open(locked / "sub" / "a.db")


def test_folder_that_is_a_file_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the folder should be")
    with pytest.raises(ArchiveError, match="cannot create its folder") as info:
        Archive.open(tmp_path / "data" / "archive.db")
    assert "\n" not in str(info.value)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    Archive.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO migrations VALUES (99, 'future', '2030-01-01')")
    conn.close()
    with pytest.raises(ArchiveError, match="newer"):
        Archive.open(path)


def test_reader_holding_the_database_does_not_block_writes(archive: Archive) -> None:
    archive.articles.store(record())
    reader = sqlite3.connect(archive.path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    began = time.monotonic()
    archive.articles.store(record(url="https://news.example/space", text=OTHER))
    assert time.monotonic() - began < 2
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1  # its snapshot
    reader.execute("COMMIT")
    reader.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from archive.records import ArticleRecord
    from archive.store import Archive
    text = open(sys.argv[2], encoding="utf-8").read()
    with Archive.open(sys.argv[1]) as archive:
        archive.runs.start(datetime.now(UTC))
        print("ready", flush=True)
        for i in range(100000):
            body = f"Item {i}. " + text.replace("fire", f"fire{i}")
            archive.articles.store(ArticleRecord(
                url=f"https://k.example/{i}", urls=(f"https://k.example/{i}?x=1",), text=body,
                fetched_at=datetime.now(UTC), raw_html=body.encode()))
    """
)


def test_sigkill_mid_crawl_leaves_whole_articles_and_a_crashed_run(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    Archive.open(path).close()
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(FIXTURES / "wildfire.txt")],
        stdout=subprocess.PIPE, cwd=ROOT,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(0.8)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    with Archive.open(path) as archive:
        conn = archive.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert n > 0
        assert conn.execute("SELECT count(DISTINCT article_id) FROM raw_pages").fetchone()[0] == n
        assert conn.execute("SELECT count(*) FROM article_urls").fetchone()[0] == 2 * n
        assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == n
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        archive.runs.start(datetime.now(UTC))
        statuses = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]
        assert statuses == ["crashed", "running"]


def test_store_many_is_all_or_nothing(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ("exoplanet", "football_final", "school_strike")
    texts = [(FIXTURES / f"{n}.txt").read_text("utf-8") for n in names]
    good = [record(url=f"https://b.example/{i}", text=t) for i, t in enumerate(texts)]
    results = archive.articles.store_many(good)
    assert [r.outcome for r in results] == [StoreOutcome.NEW] * 3
    calls = {"n": 0}
    real = rows.save_raw

    def fail_third(*args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk went away")
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(rows, "save_raw", fail_third)
    names = ("wildfire", "earnings_chipmaker", "water_council")
    texts = [(FIXTURES / f"{n}.txt").read_text("utf-8") for n in names]
    batch = [record(url=f"https://c.example/{i}", text=t) for i, t in enumerate(texts)]
    with pytest.raises(OSError):
        archive.articles.store_many(batch)
    assert archive.db.table("articles").count == 3


def test_file_left_empty_by_a_crawler_killed_at_start_opens_as_a_new_archive(
    tmp_path: Path,
) -> None:
    path = tmp_path / "archive.db"
    conn = sqlite3.connect(path)  # what a kill between connect and the schema leaves
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    with Archive.open(path) as archive:
        run_id = archive.runs.start(datetime.now(UTC))
        assert [r["id"] for r in archive.db.table("runs").rows] == [run_id]
