"""URL canonicalisation: tracking variants of one article collapse to one URL."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from scraper.urls import canonicalize, host_of, is_tracking_param, pick_canonical, same_site


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://WWW.Example.COM/News/A", "http://www.example.com/News/A"),  # path keeps case
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/%7euser/%2fx", "https://example.com/~user/%2Fx"),
        ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
        ("https://example.com/café story", "https://example.com/caf%C3%A9%20story"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("https://example.com/a?b=2&a=1&a=0", "https://example.com/a?a=1&a=0&b=2"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://example.com/a?flag&x=", "https://example.com/a?flag&x="),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://EXAMPLE.com./a", "https://example.com/a"),
        ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("  https://example.com/a\n", "https://example.com/a"),
    ],
)
def test_canonical_forms(raw: str, expected: str) -> None:
    assert canonicalize(raw) == expected


def test_tracking_parameters_dropped_and_real_ones_kept() -> None:
    url = (
        "https://example.com/story?utm_source=tw&UTM_Medium=social&fbclid=abc&gclid=1"
        "&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&igshid=6&_ga=7&ref_src=8&id=42&page=2"
    )
    assert canonicalize(url) == "https://example.com/story?id=42&page=2"


def test_tracking_variants_of_one_article_collapse() -> None:
    variants = [
        "https://News.Example.com/politics/vote-count?utm_source=rss#top",
        "https://news.example.com:443/politics/vote-count?fbclid=XYZ",
        "https://news.example.com/politics/./vote-count",
    ]
    assert {canonicalize(v) for v in variants} == {"https://news.example.com/politics/vote-count"}


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "not a url",
        "javascript:alert(1)",
        "mailto:a@example.com",
        "ftp://example.com/file",
        "data:text/html,hi",
        "http://",
        "http:///path",
        "https://example.com:99999/",
        "http://[::1/",
        "http://exa mple.com/",
        "//example.com/a",
        "/relative/path",
        "http://%41.com/",
    ],
)
def test_garbage_gives_none(bad: str) -> None:
    assert canonicalize(bad) is None


def test_relative_resolution_against_base() -> None:
    base = "https://example.com/news/world/index.html"
    assert (
        canonicalize("../sport/match-report", base) == "https://example.com/news/sport/match-report"
    )
    assert canonicalize("//cdn.example.com/x", base) == "https://cdn.example.com/x"
    assert canonicalize("?page=2", base) == "https://example.com/news/world/index.html?page=2"


def test_is_tracking_param() -> None:
    assert is_tracking_param("utm_content") and is_tracking_param("FBCLID")
    assert not is_tracking_param("id") and not is_tracking_param("utmost")


def test_host_of_and_same_site() -> None:
    assert host_of("https://WWW.Example.com:8443/x") == "www.example.com"
    assert host_of("garbage") == ""
    assert same_site("https://www.example.com/a", "example.com")
    assert same_site("https://example.com/a", "example.com")
    assert not same_site("https://notexample.com/a", "example.com")
    assert not same_site("https://example.com.evil.net/a", "example.com")
    assert same_site("https://bücher.example/a", "bücher.example")


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        (None, "https://example.com/news/story-one"),
        (
            "https://example.com/news/story-one-amp?utm_source=x",
            "https://example.com/news/story-one-amp",
        ),
        ("/news/story-one-relative", "https://example.com/news/story-one-relative"),
        ("https://m.example.com/news/story-one", "https://m.example.com/news/story-one"),
        ("https://evil.example.net/news/story-one", "https://example.com/news/story-one"),
        ("https://example.com/", "https://example.com/news/story-one"),  # CMS home-page bug
        ("javascript:void(0)", "https://example.com/news/story-one"),
        ("ftp://example.com/news/story-one", "https://example.com/news/story-one"),
    ],
)
def test_pick_canonical(canonical: str | None, expected: str) -> None:
    fetched = "https://example.com/news/story-one?utm_medium=email"
    assert pick_canonical(fetched, canonical, "example.com") == expected


def test_pick_canonical_root_allowed_for_root_page() -> None:
    fetched = "https://example.com/?ref_src=x"
    assert pick_canonical(fetched, "https://example.com/", "example.com") == "https://example.com/"


_PIECES = [
    "http://", "HTTPS://", "https:", "//", "/", "a.example", "News.Example.COM:8080", "[::1]",
    "straße.de", "u:p@", "?", "#", "&", "=", "?a=1&utm_source=x", "%41%2f", "%zz", "%", ";p=1",
    "/./", "/../", "..", " ", "\t", "\n", "\\", "ü", "\x00", ":99999",
]  # fmt: skip
_BASES = [
    "http://a.example/x/y", "https://b.example/", "http://c.example:8080/p?q#f",
    "javascript:void(0)", "https://News.Example.COM/dir/page.html",
]  # fmt: skip


@given(
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=7).map("".join),
    st.sampled_from(_BASES),
)
@example("http://\t", _BASES[0])  # no host once the tab is dropped: the page's own
@example("https:// ", _BASES[1])
@example("http:///x", _BASES[0])
@example("http://http:// ?", _BASES[0])  # urljoin drops the empty query: a space left last
@example("HTTPS://b.example/a?b#c", _BASES[1])
def test_a_link_is_canonicalised_as_if_resolved_against_its_page(link: str, base: str) -> None:
    # an absolute link skips the resolution against its page (a shortcut): same answer as
    # the full way, which joins every link to its page first
    from scraper import urls

    try:
        full = urls._canonicalize(link, base)
    except (ValueError, UnicodeError):
        full = None
    assert canonicalize(link, base) == full
