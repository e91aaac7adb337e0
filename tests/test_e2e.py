"""End to end: the real CLI crawls the loopback simulator (real sockets, subprocesses).

One module-scoped site is crawled twice; the assertions read the simulator's request log
and the archive, as a user would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.logtext import messages
from tests.simulator import HostConfig, LogEntry, Simulator, SiteConfig
from tests.simulator.site import MISSING_PATH, PRIVATE_PATH

DELAY = 0.3
LATENCY = 0.1  # one host's answers take this long
ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=ROOT,
        check=False,
    )


# A seed's per_host_delay may only raise the run's default (1 s): crawls here run at a
# default of 50 ms unless the test says otherwise, or each request would wait a second.
TEST_DELAY = {"SCRAPER_PER_HOST_DELAY": "0.05"}


def crawl(seeds: Path, db: Path, *extra: str, env: dict[str, str] | None = None):
    return run_cli(
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        str(db),
        "--allow-address",
        "127.0.0.0/8",
        "--quiet",
        *extra,
        env={**TEST_DELAY, **(env or {})},
    )


@dataclass
class Crawled:
    sim: Simulator
    db: Path
    seeds: Path
    first: subprocess.CompletedProcess[str]
    first_log: list
    second: subprocess.CompletedProcess[str]
    second_log: list


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("e2e")
    # The German host answers after LATENCY: spacing request starts by the delay would
    # leave less than the delay between its answers and the next requests.
    hosts = tuple(
        HostConfig(articles=6, crawl_delay=None, lang=lang, latency=latency)
        for lang, latency in (("en", None), ("en", None), ("de", LATENCY))
    )
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        yield Crawled(sim, *crawl_twice(sim, tmp, DELAY))


def crawl_twice(
    sim: Simulator, tmp: Path, delay: float
) -> tuple[
    Path, Path, subprocess.CompletedProcess[str], list, subprocess.CompletedProcess[str], list
]:
    """Crawl ``sim`` twice into one archive: (db, seeds, first, its log, second, its log).

    ``delay`` is the per-host delay, given as the run's default too: a seed may only raise
    the default (1 s), which would make every request here wait a second.
    """
    seeds = tmp / "seeds"
    sim.write_seeds(seeds, per_host_delay=delay)
    db = tmp / "archive.db"
    env = {"SCRAPER_PER_HOST_DELAY": str(delay)}
    first = crawl(seeds, db, env=env)
    first_log = list(sim.log)
    sim.clear_log()
    second = crawl(seeds, db, env=env)
    return db, seeds, first, first_log, second, list(sim.log)


def articles(db: Path) -> list[tuple[str, str]]:
    with Database(db) as reader:
        found = reader.table("articles").rows_where("duplicate_of IS NULL", select="url, text")
        return [(r["url"], r["text"]) for r in found]


def _ws(text: str) -> str:
    return " ".join(text.split())  # NBSP and runs of spaces are normalised by extraction


def test_every_article_archived_once(crawled: Crawled):
    # The site links one removed page: its 404 makes it gone, not a failure (a quiet night).
    assert crawled.first.returncode == 0, crawled.first.stdout + crawled.first.stderr
    assert f"gone (404/410) {len(crawled.sim.site.publishers)}" in crawled.first.stdout
    assert re.search(r" failed 0$", crawled.first.stdout, re.MULTILINE), crawled.first.stdout
    stored = articles(crawled.db)
    paths = [url.split(":", 2)[2].split("/", 1)[1] for url, _ in stored]
    assert len(paths) == len(set(paths))
    expected = {a.path for a in crawled.sim.site.articles}
    assert {"/" + p for p in paths} == expected
    texts = {url.split("/", 3)[3]: text for url, text in stored}
    for article in crawled.sim.site.articles:
        body = _ws(texts["/".join(article.path.split("/")[1:])])
        assert _ws(article.paragraphs[0]) in body and _ws(article.paragraphs[-1]) in body


def test_disallowed_path_never_requested(crawled: Crawled):
    assert not [e for e in crawled.first_log + crawled.second_log if e.path == PRIVATE_PATH]


def test_per_host_delay_and_concurrency_respected(crawled: Crawled):
    for host in crawled.sim.hosts:
        entries = [e for e in crawled.first_log if e.host == host]
        assert len(entries) > 10
        assert_polite(entries, DELAY)
        assert crawled.sim.max_concurrency(host) <= 2


def assert_polite(entries: list[LogEntry], delay: float, lag: float = 0.03) -> None:
    """Every request after a response's end arrived at least ``delay`` after that end.

    The crawler counts the host's delay from the end of the previous response (as
    Heritrix does). The simulator logs a response's end before its bytes leave and a
    request's start when it arrives, so a late arrival only lengthens the gap judged here.
    ``lag`` allows for one case the log cannot tell apart: a request the client started in
    its second slot while a slow response was still on its way to it.
    """
    ends = sorted(e.end for e in entries if e.end is not None)
    assert ends, "no response ended"
    for entry in entries:
        before = [end for end in ends if end <= entry.start]
        if before:
            gap = entry.start - before[-1]
            assert gap >= delay - lag, (entry.target, round(gap, 3))


def test_second_run_is_conditional_and_fetches_no_article(crawled: Crawled):
    assert crawled.second.returncode == 0, crawled.second.stdout + crawled.second.stderr
    article_paths = {a.path for a in crawled.sim.site.articles}
    assert not [e for e in crawled.second_log if e.path in article_paths]
    docs = [
        e
        for e in crawled.second_log
        if e.path in ("/feed.rss", "/sitemap-news.xml", "/sitemap-archive.xml.gz")
    ]
    assert len(docs) == 3 * len(crawled.sim.hosts)
    assert all(e.status == 304 for e in docs)
    assert all(e.header("If-None-Match") or e.header("If-Modified-Since") for e in docs)
    # The index is asked in full every run: a 304 there would hide changed children.
    index = [e for e in crawled.second_log if e.path == "/sitemap_index.xml"]
    assert index and all(e.status == 200 and not e.header("If-None-Match") for e in index)


def test_new_article_behind_an_unchanged_sitemap_index_is_found(tmp_path: Path):
    """The index's body (and ETag) stays the same; only its news sitemap child changes."""
    with Simulator(SiteConfig.uniform(publishers=1, articles=6)) as sim:
        site = sim.site
        everything = site.articles
        fresh = everything[0]
        site.articles = everything[1:]  # not published yet at the first run
        base = site.base_url(fresh.host)
        seeds = tmp_path / "seeds"
        seeds.mkdir()
        (seeds / "sitemap_only.toml").write_text(
            f'name = "Sitemap only"\ndomain = "{fresh.host}"\n'
            f'sitemaps = ["{base}/sitemap_index.xml"]\n'
            "include = ['^/news/.+\\.html']\n",
            encoding="utf-8",
        )
        db = tmp_path / "archive.db"
        first = crawl(seeds, db)
        assert fresh.path not in {e.path for e in sim.log}, first.stderr
        site.articles = everything  # published: listed in the news sitemap only
        sim.clear_log()
        second = crawl(seeds, db)
        log = {e.path: e for e in sim.log}
    assert second.returncode in (0, 3), second.stderr
    assert log["/sitemap_index.xml"].status == 200
    assert fresh.path in log
    stored = {url.split("/", 3)[3] for url, _ in articles(db)}
    assert fresh.path.lstrip("/") in stored


def test_tracking_variant_and_amp_twin_stored_once(crawled: Crawled):
    with Database(crawled.db) as reader:
        urls = [r["url"] for r in reader.table("article_urls").rows]
        per_article = reader.table("articles").count_where("duplicate_of IS NULL")
    assert not any("utm_" in u for u in urls)
    assert per_article == len(crawled.sim.site.articles)


def test_503_then_200_is_retried_and_stored(crawled: Crawled):
    flaky = [a for a in crawled.sim.site.articles if a.fails_first]
    assert flaky
    stored = {url.split("/", 3)[3] for url, _ in articles(crawled.db)}
    for article in flaky:
        hits = [e for e in crawled.first_log if e.path == article.path and e.host == article.host]
        assert [e.status for e in hits] == [503, 200]
        assert article.path.lstrip("/") in stored


def test_404_recorded_and_not_retried(crawled: Crawled):
    hits = [e for e in crawled.first_log if e.path == MISSING_PATH]
    assert len(hits) == len(crawled.sim.hosts)  # once per host, no retry
    assert not [e for e in crawled.second_log if e.path == MISSING_PATH]  # gone: not re-asked
    with Database(crawled.db) as reader:
        rows = list(reader.table("urls").rows_where("url LIKE ?", [f"%{MISSING_PATH}"]))
    assert rows and all((r["outcome"], r["status"]) == ("failed", 404) for r in rows)
    assert "gone (404/410) 3" in crawled.first.stdout  # counted, not failed
    # and per publisher, in the figures `scraper health` reads: one gone page each on the
    # first night, none on the second (not asked again)
    with Database(crawled.db) as reader:
        gone = [
            (r["run_id"], r["publisher"], r["gone"], r["failed"])
            for r in reader.table("publisher_runs").rows_where(order_by="run_id, publisher")
        ]
    first, second = sorted({g[0] for g in gone})
    names = sorted(p.name for p in crawled.sim.site.publishers)
    assert gone == [(first, n, 1, 0) for n in names] + [(second, n, 0, 0) for n in names]
    health = json.loads(run_cli("health", "--db", str(crawled.db), "--json").stdout)
    assert {p["gone"] for p in health["publishers"]} == {0}  # the latest night's figure


def test_run_records(crawled: Crawled):
    with Database(crawled.db) as reader:
        runs = [r["status"] for r in reader.table("runs").rows_where(order_by="id")]
    assert runs == ["ok", "ok"]  # the first run's only trouble was the 404: gone, not failed


def test_bad_seeds_file_exits_2_with_one_line(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "X"\ndomain = "x.example"\nfeeds = "not-a-list"\n')
    result = crawl(bad, tmp_path / "a.db")
    assert result.returncode == 2
    lines = messages(result.stderr)
    assert len(lines) == 1 and "bad.toml" in lines[0] and "feeds" in lines[0]
    assert not (tmp_path / "a.db").exists()


def test_unreachable_publisher_summary_and_exit_3(tmp_path: Path):
    seed = tmp_path / "offline.toml"
    seed.write_text(
        'name = "Offline"\ndomain = "offline.invalid"\n'
        'feeds = ["https://www.offline.invalid/rss.xml"]\n'
    )
    result = crawl(seed, tmp_path / "a.db", env={"SCRAPER_MAX_TRIES": "1"})
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "www.offline.invalid" in result.stdout and "failed" in result.stdout


def test_second_concurrent_run_exits_75(tmp_path: Path):
    from scraper.runtime.lock import RunLock

    seed = tmp_path / "s.toml"
    seed.write_text('name = "S"\ndomain = "s.invalid"\nfeeds = ["https://s.invalid/rss"]\n')
    with RunLock(tmp_path / "a.db"):
        result = crawl(seed, tmp_path / "a.db")
    assert result.returncode == 75 and "lock" in result.stderr


def test_export_jsonl_holds_the_bodies(crawled: Crawled, tmp_path: Path):
    out = tmp_path / "articles.jsonl"
    result = run_cli("export", "--db", str(crawled.db), "--format", "jsonl", "-o", str(out))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(crawled.sim.site.articles)
    for key in (
        "url",
        "title",
        "text",
        "authors",
        "published",
        "language",
        "site",
        "fetched_at",
        "content_hash",
    ):
        assert all(key in r for r in records), key
    bodies = " ".join(_ws(r["text"]) for r in records)
    for article in crawled.sim.site.articles:
        assert _ws(article.paragraphs[1]) in bodies
    assert all(r["published"] is None or "T" in r["published"] for r in records)


def test_export_csv_and_since(crawled: Crawled, tmp_path: Path):
    out = tmp_path / "a.csv"
    assert (
        run_cli("export", "--db", str(crawled.db), "--format", "csv", "-o", str(out)).returncode
        == 0
    )
    import csv

    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(crawled.sim.site.articles)
    assert all(r["url"] and r["text"] and r["content_hash"] for r in rows)
    future = run_cli("export", "--db", str(crawled.db), "--since", "2999-01-01")
    assert future.returncode == 0 and future.stdout.strip() == ""
    bad = run_cli("export", "--db", str(crawled.db), "--since", "yesterday-ish")
    assert bad.returncode == 2 and len(messages(bad.stderr)) == 1


def test_search_finds_one_hit_per_article(crawled: Crawled):
    article = crawled.sim.site.articles[0]
    word = max(article.title.split(), key=len).strip("‘’“”:,.")
    result = run_cli("search", word, "--db", str(crawled.db), "--json")
    assert result.returncode == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert hits and len({h["id"] for h in hits}) == len(hits)
    assert any(article.path in h["url"] for h in hits)


def test_reextract_runs_offline_and_changes_nothing(crawled: Crawled):
    result = run_cli("reextract", "--db", str(crawled.db), "--seeds", str(crawled.seeds))
    assert result.returncode == 0, result.stderr
    assert f"reextracted {len(crawled.sim.site.articles)}" in result.stdout
    assert " 0 changed" in result.stdout


def test_reextract_reads_the_crawls_environment(crawled: Crawled):
    env = {"SCRAPER_MIN_ARTICLE_CHARS": "10000000"}  # no stored article is this long
    result = run_cli("reextract", "--db", str(crawled.db), "--seeds", str(crawled.seeds), env=env)
    count = len(crawled.sim.site.articles)
    assert result.returncode == 3 and f"0 changed, 0 unchanged, {count} failed" in result.stdout
    bad = run_cli("reextract", "--db", str(crawled.db), env={"SCRAPER_EXTRACT_WORKERS": "0"})
    assert bad.returncode == 2 and messages(bad.stderr) == [
        "scraper: configuration error: SCRAPER_EXTRACT_WORKERS: must be at least 1, got 0"
    ]


def test_missing_archive_is_a_clear_error(tmp_path: Path):
    result = run_cli("export", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2 and "no archive" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_no_terminal_control_characters_under_cron(crawled: Crawled):
    for result in (crawled.first, crawled.second):
        output = result.stdout + result.stderr
        assert "\x1b" not in output and "\r" not in output
        assert "discovered" in result.stdout and "duration" in result.stdout


def test_search_with_broken_syntax_falls_back_to_words(crawled: Crawled):
    article = crawled.sim.site.articles[0]
    word = max(article.title.split(), key=len).strip("‘’“”:,.")
    result = run_cli("search", f'"{word}', "--db", str(crawled.db))
    assert result.returncode == 0, result.stderr
    assert "hit(s)" in result.stderr and "0 hit(s)" not in result.stderr
