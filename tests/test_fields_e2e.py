"""Per-field accuracy, end to end: the real CLI crawls publisher pages built the way
publishers build issue 16's cases, into the archive, out through ``scraper export``.

Figures with captions and credits, a JSON-LD paywall, a modified date after the published
one, an undeclared language (English and German), a three-page article (found from its
first page, and from its second page alone) and a live blog.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.simulator import Article, HostConfig, Simulator, SiteConfig, specials
from tests.test_e2e import assert_polite, crawl_twice, run_cli

DELAY = 0.1
EN_SPECIALS = ("paged-2", "figures", "paywalled", "modified", "undeclared", "live", "paged")


@dataclass
class Crawled:
    sim: Simulator
    db: Path
    first: subprocess.CompletedProcess[str]
    first_log: list
    second: subprocess.CompletedProcess[str]
    second_log: list
    rows: dict[str, dict]  # exported JSON Lines rows by canonical URL
    csv_rows: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("fields")
    hosts = (
        HostConfig(articles=8, crawl_delay=None, specials=EN_SPECIALS),
        HostConfig(articles=3, crawl_delay=None, lang="de", specials=("undeclared",)),
    )
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        db, _, first, first_log, second, second_log = crawl_twice(sim, tmp, DELAY)
        jsonl = run_cli("export", "--db", str(db), "--format", "jsonl")
        table = run_cli("export", "--db", str(db), "--format", "csv")
        rows = {r["url"]: r for r in map(json.loads, jsonl.stdout.splitlines())}
        csv_rows = {r["url"]: r for r in csv.DictReader(io.StringIO(table.stdout))}
        yield Crawled(sim, db, first, first_log, second, second_log, rows, csv_rows)


def _special(crawled: Crawled, kind: str, lang: str = "en") -> Article:
    return next(a for a in crawled.sim.site.articles if a.special == kind and a.lang == lang)


def _row(crawled: Crawled, article: Article) -> dict:
    return crawled.rows[crawled.sim.site.url(article)]


def _ws(text: str) -> str:
    return " ".join(text.split())


def test_every_article_is_archived_once_and_exported(crawled: Crawled) -> None:
    assert crawled.first.returncode in (0, 3), crawled.first.stderr  # 3: the site's 404 link
    assert crawled.second.returncode == 0, crawled.second.stderr
    assert set(crawled.rows) == {crawled.sim.site.url(a) for a in crawled.sim.site.articles}
    assert set(crawled.csv_rows) == set(crawled.rows)


def test_figures_with_captions_and_credits_and_no_thumbnails(crawled: Crawled) -> None:
    article = _special(crawled, "figures")
    row = _row(crawled, article)
    lead, inline = specials.image_urls(article, crawled.sim.site.base_url(article.host))
    cap_lead, cap_inline = specials.captions(article)
    assert [(i["url"], i["lead"]) for i in row["images"]] == [(lead, True), (inline, False)]
    assert row["images"][0]["caption"] == cap_lead
    assert row["images"][0]["credit"] in ("Jane Roe / Harbor Agency", specials.LEAD_CREDIT)
    assert cap_inline in row["images"][1]["caption"]
    assert row["images"][1]["credit"] == "Sam Field"
    for words in (cap_lead, cap_inline, "Jane Roe", "Sam Field"):
        assert words not in row["text"]
    assert _ws(row["text"]) == _ws(article.text)
    # CSV carries the same list as JSON text
    assert json.loads(crawled.csv_rows[row["url"]]["images"]) == row["images"]


def test_the_json_ld_paywall_flags_the_article_and_counts_per_publisher(
    crawled: Crawled,
) -> None:
    article = _special(crawled, "paywalled")
    row = _row(crawled, article)
    assert row["access"] == "paywalled"
    assert "Subscribe to keep reading" not in row["text"]
    others = [r["access"] for r in crawled.rows.values() if r["url"] != row["url"]]
    assert "paywalled" not in others
    with Database(crawled.db) as db:  # what `scraper health` counts
        counts = db.execute(
            "SELECT site, count(*) FROM articles WHERE access = 'paywalled' GROUP BY site"
        ).fetchall()
    assert counts == [(row["site"], 1)]


def test_a_modified_date_never_stands_in_for_the_publication_date(crawled: Crawled) -> None:
    article = _special(crawled, "modified")
    row = _row(crawled, article)
    assert (row["published"], row["published_source"]) == (article.published.isoformat(), "json-ld")
    assert row["modified"] == specials.modified_of(article).isoformat()
    assert row["modified_source"] in ("json-ld", "meta")
    plain = [r for r in crawled.rows.values() if r["url"] != row["url"]]
    assert all(r["published"] for r in plain)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_undeclared_language_is_detected(crawled: Crawled, lang: str) -> None:
    row = _row(crawled, _special(crawled, "undeclared", lang))
    assert (row["language"], row["language_source"]) == (lang, "detected")


def test_declared_languages_the_text_agrees_with_stay_declared(crawled: Crawled) -> None:
    row = _row(crawled, _special(crawled, "modified"))
    assert (row["language"], row["language_source"]) == ("en", "declared")


@pytest.mark.parametrize("kind", ["paged", "paged-2"])
def test_a_three_page_article_is_one_article_with_its_pages_in_order(
    crawled: Crawled,
    kind: str,
) -> None:
    article = _special(crawled, kind)
    first = crawled.sim.site.url(article)
    pages = [first, f"{first}?page=2", f"{first}?page=3"]
    row = crawled.rows[first]
    assert row["pages"] == 3
    assert _ws(row["text"]) == _ws(article.text)
    parts = [_ws(" ".join(p)) for p in specials.page_parts(article)]
    at = [_ws(row["text"]).index(part) for part in parts]
    assert at == sorted(at)
    assert set(pages) <= set(row["urls"])
    assert "Next page" not in row["text"]
    with Database(crawled.db) as db:
        owners = {
            r["article_id"] for r in db.table("article_urls").rows_where("url IN (?, ?, ?)", pages)
        }
        assert len(owners) == 1
        assert not list(db.table("articles").rows_where("url LIKE ?", [f"{first}?%"]))


def test_each_page_is_fetched_once_politely_and_not_again(crawled: Crawled) -> None:
    for kind in ("paged", "paged-2"):
        article = _special(crawled, kind)
        targets = [e.target for e in crawled.first_log if e.path == article.path]
        pages = [article.path, f"{article.path}?page=2", f"{article.path}?page=3"]
        assert sorted(targets) == sorted(pages), kind  # page 2 found alone: fetched once
        assert not [e for e in crawled.second_log if e.path == article.path]  # known now
    host = _special(crawled, "paged").host
    assert_polite([e for e in crawled.first_log if e.host == host], DELAY)


def test_a_live_blog_is_one_article_with_its_entries_in_time_order(crawled: Crawled) -> None:
    article = _special(crawled, "live")
    row = _row(crawled, article)
    entries = specials.live_entries(article)
    assert [(u["time"], u["headline"], u["text"]) for u in row["live_updates"]] == [
        (when.isoformat(), head, text) for when, head, text in entries
    ]
    flat = _ws(row["text"])
    at = [flat.index(_ws(text)) for _, _, text in entries]
    assert at == sorted(at)


def test_reextract_fills_the_fields_of_an_archive_from_before_them(
    crawled: Crawled,
    tmp_path: Path,
) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(crawled.db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
        # as an archive made before the fields: migrated, every new column at its default
        dst.execute(
            "UPDATE articles SET published_source = NULL, modified = NULL, "
            "modified_source = NULL, language_source = NULL, access = 'unknown', "
            "images = '[]', live_updates = '[]'"
        )
    src.close()
    dst.close()
    seeds = crawled.sim.site.write_seeds(tmp_path / "seeds")[0].parent  # the crawl's rules
    done = run_cli("reextract", "--db", str(db), "--seeds", str(seeds))
    assert done.returncode == 0, done.stderr
    with Database(db) as reader:
        got = {r["url"]: r for r in reader.table("articles").rows}
        assert reader.table("article_versions").count == 0  # same texts: no new versions
    for kind in ("figures", "paywalled", "modified", "live"):
        url = crawled.sim.site.url(_special(crawled, kind))
        fresh, want = got[url], crawled.rows[url]
        assert fresh["access"] == want["access"]
        assert (fresh["modified"], fresh["published_source"]) == (
            want["modified"],
            want["published_source"],
        )
        assert json.loads(fresh["images"]) == want["images"]
        assert json.loads(fresh["live_updates"]) == want["live_updates"]


def _copy(crawled: Crawled, path: Path, *statements: str) -> Path:
    """A copy of the crawl's archive with ``statements`` run on it."""
    with sqlite3.connect(crawled.db) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
        for statement in statements:
            dst.execute(statement)
    src.close()
    dst.close()
    return path


# as an older extractor left a multi-page article: another text (and so another hash)
STALE = "UPDATE articles SET text = 'An older extraction.', content_hash = 'old' WHERE pages > 1"


def test_reextract_joins_every_page_of_a_multi_page_article_as_the_crawl(
    crawled: Crawled,
    tmp_path: Path,
) -> None:
    db = _copy(crawled, tmp_path / "stale.db", STALE)
    seeds = crawled.sim.site.write_seeds(tmp_path / "seeds")[0].parent
    done = run_cli("reextract", "--db", str(db), "--seeds", str(seeds))
    assert done.returncode == 0, done.stderr
    assert " 2 changed, " in done.stdout and "skipped" not in done.stdout
    with Database(db) as reader:
        got = {r["url"]: r for r in reader.table("articles").rows_where("pages > 1")}
        old = [r["text"] for r in reader.table("article_versions").rows]
    urls = {crawled.sim.site.url(_special(crawled, kind)) for kind in ("paged", "paged-2")}
    assert set(got) == urls and old == ["An older extraction."] * 2
    for url in urls:  # the three pages' texts joined, exactly as the crawl stored them
        assert got[url]["text"] == crawled.rows[url]["text"]
        assert got[url]["content_hash"] == crawled.rows[url]["content_hash"]
        assert got[url]["pages"] == 3


def test_reextract_skips_and_counts_multi_page_articles_archived_before_v9(
    crawled: Crawled,
    tmp_path: Path,
) -> None:
    # an archive the v8 release wrote: no raw_page_parts, so page 1 alone of those articles
    db = _copy(
        crawled,
        tmp_path / "v8.db",
        STALE,
        "DROP TABLE raw_page_parts",
        "DELETE FROM migrations WHERE version >= 9",
    )
    seeds = crawled.sim.site.write_seeds(tmp_path / "seeds")[0].parent
    done = run_cli("reextract", "--db", str(db), "--seeds", str(seeds))
    assert done.returncode == 0, done.stderr
    total = len(crawled.rows) - 2
    assert (
        f"reextracted {total} article(s): 0 changed, {total} unchanged, 0 failed; 2 "
        "multi-page article(s) archived before v9 skipped"
    ) in done.stdout
    with Database(db) as reader:
        assert max(r["version"] for r in reader.table("migrations").rows) == 10  # migrated
        texts = {r["text"] for r in reader.table("articles").rows_where("pages > 1")}
    assert texts == {"An older extraction."}  # left as it was, not page 1's text alone
