"""Include patterns inferred from URL shapes: articles matched, listings kept out."""

from __future__ import annotations

import re

from scraper.discover.url_shapes import infer_include

BASE = "https://news.example"


def urls(*paths: str) -> list[str]:
    return [BASE + p for p in paths]


def matches(patterns: tuple[str, ...], path: str) -> bool:
    return any(re.search(p, path) for p in patterns)


def test_dated_articles_generalise_to_sections_the_sources_did_not_list() -> None:
    found = infer_include(
        urls(
            "/world/2026/01/15/storm-hits-coast/",
            "/world/2026/01/14/ferry-strike-ends/",
            "/business/2026/01/13/prices-rise-again/",
        ),
        urls("/world/", "/world/2026/01/15/", "/tag/storm-and-floods/", "/author/jane-doe/"),
    )
    assert found.matched == found.articles == 3
    assert matches(found.patterns, "/sport/2025/12/31/late-goal-wins-final/")
    for listing in ("/world/2026/01/15/", "/2026/01/", "/tag/storm-and-floods/", "/sport/"):
        assert not matches(found.patterns, listing), listing


def test_slug_articles_are_told_from_tag_and_author_pages_of_the_same_depth() -> None:
    found = infer_include(
        urls(
            "/world/storm-hits-the-coast",
            "/world/ferry-strike-ends-early",
            "/culture/new-museum-opens-doors",
        ),
        urls("/tag/storms", "/author/jane-doe", "/world/page", "/search?q=storm"),
    )
    assert found.patterns
    assert matches(found.patterns, "/science/river-levels-fall-again")
    for listing in ("/tag/storms", "/author/jane-doe", "/search?q=storm", "/world/page"):
        assert not matches(found.patterns, listing), listing


def test_id_suffixed_articles_keep_their_suffix_when_a_listing_needs_it() -> None:
    found = infer_include(
        urls("/inland/storm-hits-coast-100123.html", "/ausland/wahl-in-kiel-100456.html"),
        urls("/inland/innenpolitik.html", "/archiv/2026-01.html"),
    )
    assert matches(found.patterns, "/wirtschaft/preise-steigen-100999.html")
    assert not matches(found.patterns, "/inland/innenpolitik.html")


def test_a_shape_no_pattern_can_keep_apart_from_listings_is_dropped() -> None:
    found = infer_include(urls("/a/x", "/b/y", "/c/z"), urls("/a/x/", "/b/y"))
    assert found.patterns == () and found.dropped == ("/a/x",)
    assert found.matched == 0


def test_rare_shapes_are_noise_not_patterns() -> None:
    articles = urls(
        *(f"/news/2026/01/{d:02d}/story-number-{d}" for d in range(1, 11)),
        "/about-our-newsroom-and-values",
    )
    found = infer_include(articles, urls("/news/"))
    assert len(found.patterns) == 1 and found.matched == 10
