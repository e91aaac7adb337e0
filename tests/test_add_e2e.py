"""``scraper add URL`` end to end: three loopback publishers, the seed it writes, a crawl."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlite_utils import Database

from scraper.seeds import load_seed
from tests.onboard_site import SECTIONS, SiteServer
from tests.test_e2e import crawl, run_cli

FAST = {"SCRAPER_PER_HOST_DELAY": "0.01"}


def add(url: str, seeds: Path, *extra: str, allow: bool = True):
    allowed = ("--allow-address", "127.0.0.0/8") if allow else ()
    return run_cli(
        "add", url, "--seeds", str(seeds), *allowed, "--delay", "0.01", *extra, env=FAST, timeout=60
    )


@pytest.mark.parametrize("flavour", ["feed", "sitemap", "fronts"])
def test_add_writes_a_seed_whose_crawl_stores_the_articles_and_nothing_else(
    tmp_path: Path, flavour: str
) -> None:
    with SiteServer(flavour) as srv:
        seeds = tmp_path / "seeds"
        result = add(srv.base + "/", seeds)
        assert result.returncode == 0, result.stdout + result.stderr
        path = seeds / "harbour-courier.toml"
        assert f"wrote {path}" in result.stdout
        assert re.search(r"^Harbour Courier: ok", result.stdout, re.MULTILINE)  # the check
        used = int(re.search(r"tried: (\d+) of 40 requests used", result.stdout)[1])
        assert used <= 40
        seed = load_seed(path)
        _sources_found(seed, flavour, srv.base)
        text = path.read_text()
        for key in ("name", "domain", "language", "include"):
            assert re.search(rf"^# {key}: .+\n{key} = ", text, re.MULTILINE), key
        assert seed.language == "en"
        for article in srv.site.articles:
            assert seed.is_article_url(srv.base + article.path), article.path
        for page in srv.site.non_article_pages():  # fronts, tag, author, search, archives …
            assert not seed.is_article_url(srv.base + page), page
        night = crawl(seeds, tmp_path / "archive.db", env=FAST)
        assert night.returncode == 0, night.stderr
        assert "/private/" not in " ".join(srv.requests)  # robots.txt held throughout
    stored = {row["url"] for row in Database(tmp_path / "archive.db")["articles"].rows}
    assert stored == {srv.base + a.path for a in srv.site.articles}


def _sources_found(seed: object, flavour: str, base: str) -> None:
    fronts = tuple(f"{base}/{s}/" for s in SECTIONS)
    assert seed.start_urls == fronts  # type: ignore[attr-defined]
    if flavour == "feed":  # only the home page's <link rel=alternate> names it
        assert seed.feeds == (f"{base}/data/syndication/latest.xml",)  # type: ignore[attr-defined]
    if flavour == "sitemap":  # only robots.txt names it, with a crawl delay
        assert seed.sitemaps == (f"{base}/maps/index.xml",)  # type: ignore[attr-defined]
        assert seed.per_host_delay == 0.05  # type: ignore[attr-defined]
    if flavour == "fronts":
        assert not seed.feeds and not seed.sitemaps  # type: ignore[attr-defined]


def test_add_with_no_way_to_discover_articles_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    with SiteServer("bare") as srv:
        result = add(srv.base + "/", tmp_path / "seeds")
        asked = list(srv.requests)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "no way to discover articles" in result.stderr
    assert "the usual feed and sitemap places" in result.stderr
    assert "/feed/" in asked and "/sitemap.xml" in asked  # the usual places were tried
    assert not list((tmp_path / "seeds").glob("*.toml"))


def test_add_whose_articles_do_not_extract_writes_a_disabled_seed_and_exits_3(
    tmp_path: Path,
) -> None:
    with SiteServer("feed", empty_articles=True) as srv:
        result = add(srv.base + "/", tmp_path / "seeds")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "FAIL sample article" in result.stdout
    assert "enabled = false" in (tmp_path / "seeds" / "harbour-courier.toml").read_text()


def test_add_never_overwrites_an_existing_seed_without_force(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    mine = seeds / "harbour-courier.toml"
    mine.write_text("# mine\n")
    with SiteServer("feed") as srv:
        named = add(srv.base + "/", seeds, "--name", "Harbour Courier")
        asked_before = list(srv.requests)
        found = add(srv.base + "/", seeds)  # the name comes from the home page
        forced = add(srv.base + "/", seeds, "--force")
    assert named.returncode == 2 and "already exists" in named.stderr
    assert asked_before == []  # refused before a single request
    assert found.returncode == 2 and "already exists" in found.stderr
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "# mine" not in mine.read_text()


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "example.com", "http://", "http:// x/", "http://[bad/"]
)
def test_add_bad_url_is_exit_2(tmp_path: Path, url: str) -> None:
    result = add(url, tmp_path / "seeds")
    assert result.returncode == 2
    assert "not an http(s) URL" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "seeds").exists()


def test_add_refuses_a_loopback_publisher_unless_allowed(tmp_path: Path) -> None:
    with SiteServer("feed") as srv:
        result = add(srv.base + "/", tmp_path / "seeds", allow=False)
        assert srv.requests == []
    assert result.returncode == 2
    assert "--allow-address" in result.stderr.splitlines()[-1]
