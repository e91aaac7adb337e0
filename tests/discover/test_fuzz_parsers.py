"""Property-based fuzzing of the discovery parsers: nothing unexpected escapes, invariants hold.

Example counts come from the Hypothesis profile (tests/conftest.py): 200 per property in
``make test``, 5,000 in ``make test-long``; ``--hypothesis-show-statistics`` shows them.
Every fixture document is also run unmutated, as an explicit example.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st
from protego import Protego

from scraper.discover.feeds import parse_feed
from scraper.discover.listing import parse_listing
from scraper.discover.sitemaps import parse_sitemap
from scraper.discover.xmlsafe import XMLError
from scraper.urls import canonicalize, host_of
from tests import paths

FIXTURES = paths.FIXTURES / "discovery"
MB = 1024 * 1024
BASE = "https://news.example.com/feed.xml"
XML_FIXTURES = [
    p.read_bytes() for p in sorted(FIXTURES.iterdir()) if p.suffix in (".xml", ".rdf", ".gz")
]

# --- strategies -------------------------------------------------------------------------
_url_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
_hosts = (
    st.sampled_from(
        [
            "Example.COM",
            "news.example.com.",
            "bücher.de",
            "xn--bcher-kva.de",
            "[::1]",
            "127.0.0.1",
            "a_b.example",
            "-bad.example",
            "",
            "exa mple.com",
            "ß.de",
            "😀.example",
        ]
    )
    | _url_text
)
_ports = st.sampled_from(["", "", "", ":80", ":443", ":8080", ":0", ":99999", ":x", ":"])
_query = st.lists(
    st.tuples(
        st.sampled_from(["utm_source", "UTM_Medium", "fbclid", "gclid", "id", "page", "a", ""])
        | _url_text,
        st.sampled_from(["", "1", "x y", "%zz", "%41", "a=b", "é"]) | _url_text,
    ),
    max_size=5,
).map(lambda kv: "&".join(f"{k}={v}" for k, v in kv))


def _url_from(schemes: list[str], hosts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda scheme, user, host, port, path, query, frag: (
            f"{scheme}://{user}{host}{port}{path}" + (f"?{query}" if query else "") + frag
        ),
        st.sampled_from(schemes),
        st.sampled_from(["", "user:pw@", "@"]),
        hosts,
        _ports,
        st.sampled_from(["", "/", "/a/./b/../c", "/%7e/%2F/%", "/café", "//x", "/a b"])
        | _url_text.map("/{}".format),
        _query,
        st.sampled_from(["", "#frag", "#"]),
    )


_HOST_SAMPLES = [
    "Example.COM",
    "news.example.com.",
    "bücher.de",
    "xn--bcher-kva.de",
    "[::1]",
    "127.0.0.1",
    "a_b.example",
    "ß.de",
    "😀.example",
    "WWW.EXAMPLE.ORG",
]
# Mostly well-formed http(s) URLs (so the invariants on outputs get exercised), plus
# arbitrary schemes, hosts and plain text for the never-raises property.
urls = st.one_of(
    _url_from(["http", "https", "HTTPS"], st.sampled_from(_HOST_SAMPLES)),
    _url_from(["http", "https", "ftp", "javascript", ""], _hosts),
    st.text(max_size=80),
)


@st.composite
def mutated_documents(draw: st.DrawFn) -> bytes:
    """A valid fixture with a few random cuts, insertions and byte flips."""
    doc = bytearray(draw(st.sampled_from(XML_FIXTURES)))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(doc)))
        action = draw(st.sampled_from(["cut", "insert", "flip", "truncate"]))
        if action == "cut":
            del doc[pos : pos + draw(st.integers(1, 64))]
        elif action == "insert":
            doc[pos:pos] = draw(
                st.sampled_from(
                    [
                        b"<",
                        b">",
                        b"&",
                        b"</item>",
                        b"<item>",
                        b"\x00",
                        b"]]>",
                        b"&amp;",
                        b"\xff\xfe",
                    ]
                )
            )
        elif action == "flip" and pos < len(doc):
            doc[pos] = draw(st.integers(0, 255))
        else:
            del doc[pos:]
    return bytes(doc)


documents = mutated_documents() | st.binary(max_size=2048)


def with_fixtures(test: Callable[..., None]) -> Callable[..., None]:
    """Run ``test`` on every XML fixture as it is, besides the generated documents."""
    for doc in XML_FIXTURES:
        test = example(doc)(test)
    return test


def assert_canonical_http(url: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https"), url
    assert parts.hostname and host_of(url) == parts.hostname.lower() == host_of(url).lower()
    assert canonicalize(url) == url, url
    assert "#" not in url
    assert not any(k.lower().startswith("utm_") for k, _ in parse_qsl(parts.query, True)), url


# --- properties ---------------------------------------------------------------------------
def check_canonicalize(url: str) -> None:
    out = canonicalize(url)
    if out is not None:
        assert_canonical_http(out)
        assert canonicalize(out) == out  # idempotent
    relative = canonicalize(url, base="https://example.com/a/b")
    if relative is not None:
        assert_canonical_http(relative)


def check_feed(data: bytes) -> None:
    try:
        entries = parse_feed(data, BASE, max_bytes=MB)
    except XMLError as exc:
        assert "\n" not in str(exc)
        return
    for entry in entries:
        assert_canonical_http(entry.url)
        assert entry.published is None or entry.published.tzinfo is not None


def check_sitemap(data: bytes) -> None:
    try:
        doc = parse_sitemap(data, BASE, max_bytes=MB, max_urls=50)
    except XMLError as exc:
        assert "\n" not in str(exc)
        return
    assert len(doc.urls) <= 50 and len(doc.sitemaps) <= 50
    for url in [e.url for e in doc.urls] + doc.sitemaps:
        assert_canonical_http(url)


def check_robots(text: str) -> None:
    robots = Protego.parse(text)
    robots.can_fetch("https://news.example.com/a/b?c=d", "newsarchiver")
    robots.crawl_delay("newsarchiver")
    # The crawl passes these to discover(), which keeps the ones that canonicalise.
    for url in robots.sitemaps:
        assert isinstance(url, str)
        canonical = canonicalize(url)
        if canonical is not None:
            assert_canonical_http(canonical)


def check_listing(html: str) -> None:
    for url in parse_listing(html, "https://news.example.com/world/"):
        assert_canonical_http(url)


_robots_lines = st.sampled_from(
    [
        "User-agent: *",
        "Disallow: /",
        "Allow: /news/",
        "Crawl-delay: 5",
        "Crawl-delay: -1e309",
        "Sitemap: https://news.example.com/s.xml",
        "sitemap:",
        "Disallow: /*$",
        "Request-rate: 1/0",
        "\x00",
    ]
)
robots_text = st.lists(_robots_lines | st.text(max_size=60), max_size=12).map("\n".join)
listing_html = st.lists(
    st.builds("<a href='{}'>x</a>".format, urls) | st.text(max_size=40), max_size=10
).map("".join)


@given(urls)
def test_fuzz_canonicalize(url: str) -> None:
    check_canonicalize(url)


@given(documents)
@with_fixtures
def test_fuzz_parse_feed(data: bytes) -> None:
    check_feed(data)


@given(documents)
@with_fixtures
def test_fuzz_parse_sitemap(data: bytes) -> None:
    check_sitemap(data)


@given(robots_text)
def test_fuzz_robots(text: str) -> None:
    check_robots(text)


@given(listing_html)
@example((FIXTURES / "listing.html").read_text())
def test_fuzz_listing(html: str) -> None:
    check_listing(html)
