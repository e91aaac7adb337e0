"""Seed files load into typed objects; each mistake is one line naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import ConfigError
from scraper.seeds import load_seeds

GOOD = """
name = "Example News"
domain = "example.com"
feeds = ["https://www.example.com/rss.xml"]
sitemaps = ["https://www.example.com/sitemap_news.xml"]
include = ['^/news/']
exclude = ['/video/']
[extract]
drop_selectors = [".related"]
"""


def write(tmp_path: Path, text: str, name: str = "pub.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_seed_loads(tmp_path):
    (seed,) = load_seeds(write(tmp_path, GOOD))
    assert seed.name == "Example News" and seed.drop_selectors == (".related",)
    assert seed.is_article_url("https://www.example.com/news/2026/x.html")
    assert not seed.is_article_url("https://www.example.com/news/video/x.html")
    assert not seed.is_article_url("https://www.example.com/about")
    assert seed.owns("https://sub.example.com/a") and not seed.owns("https://notexample.com/")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (GOOD.replace('name = "Example News"', ""), "name"),
        (GOOD.replace("include = ['^/news/']", "include = ['([']"), "include"),
        (GOOD.replace('feeds = ["https://www.example.com/rss.xml"]', 'feeds = "x"'), "feeds"),
        (
            GOOD.replace("https://www.example.com/rss.xml", "https://other.org/rss"),
            "outside domain",
        ),
        (GOOD + "\nbogus = 1\n", "bogus"),
        (GOOD.replace("drop_selectors", "drop_selector"), "extract.drop_selector"),
        ("name = [", "not valid TOML"),
        ('cookies = "yes"\n' + GOOD, "cookies"),
        ("pagination = ['/seite-\\d+$']\n" + GOOD, "needs a group"),
        ("pagination = ['/seite-(']\n" + GOOD, "pagination"),
    ],
)
def test_bad_seed_names_file_and_key(tmp_path, text, key):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_seeds(path)
    message = str(info.value)
    assert str(path) in message and key in message and "\n" not in message


def test_a_publishers_page_numbering_loads_as_patterns(tmp_path):
    (seed,) = load_seeds(write(tmp_path, "pagination = ['/seite-(\\d+)$']\n" + GOOD))
    assert [p.pattern for p in seed.pagination] == [r"/seite-(\d+)$"]


def test_cookies_are_off_unless_the_seed_opts_in(tmp_path):
    (default,) = load_seeds(write(tmp_path, GOOD, "a.toml"))
    (opted,) = load_seeds(write(tmp_path, "cookies = true\n" + GOOD, "a.toml"))
    assert (default.cookies, opted.cookies) == (False, True)


def test_folder_loads_all_and_rejects_duplicate_names(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD.replace("Example News", "Other"), "b.toml")
    assert [s.name for s in load_seeds(tmp_path)] == ["Example News", "Other"]
    write(tmp_path, GOOD, "c.toml")
    with pytest.raises(ConfigError, match="already used"):
        load_seeds(tmp_path)


def test_missing_path(tmp_path):
    with pytest.raises(ConfigError, match="no such"):
        load_seeds(tmp_path / "nope")


def test_shipped_seeds_are_valid():
    seeds = load_seeds(Path(__file__).parent.parent / "seeds")
    assert len(seeds) >= 4
