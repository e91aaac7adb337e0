"""Property-based fuzzing of the extraction entry point and of robots.txt handling.

``extract_page`` gets arbitrary bytes, HTML-ish soup in several encodings and mutated real
pages: it must return an Extraction and never raise, with aware dates, and no U+FFFD in its
text unless the input forced one. ``RobotsCache`` gets arbitrary status codes and bodies
over respx (mocked HTTP under the run's real client): RFC 9309's states, a capped
Crawl-delay, and only the first ``max_bytes`` of the file mattering. Extraction is slow,
so these properties run half the Hypothesis profile's examples (tests/conftest.py): 100 in
``make test``, 2,500 in ``make test-long``. Every fixture page is also run unmutated, as
an explicit example.
"""

from __future__ import annotations

import asyncio

import httpx
import respx
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scraper.extract.extractor import extract_page
from scraper.fetch.robots import RobotsCache, RobotsPolicy
from scraper.models import Extraction
from scraper.settings import Settings
from tests.mockfetch import make_fetcher
from tests.paths import FIXTURES

# Half the profile's count; no saved-example database (off here before the profiles too).
SLOW = settings(max_examples=max(1, settings.default.max_examples // 2), database=None)
PAGES = [p.read_bytes() for p in sorted((FIXTURES / "pages").rglob("*.html"))]
URL = "https://news.example.com/2026/01/story.html"


# -- extraction -----------------------------------------------------------------------------

# Text a page could carry: no control characters (the HTML parser turns NUL into U+FFFD, as
# the WHATWG spec says), no surrogates, and no U+FFFD of its own.
_clean_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffd"), max_size=300
)
_words = st.lists(
    st.sampled_from(
        [
            "Regulators",
            "said",
            "the",
            "council",
            "Zoë",
            "Müller",
            "café",
            "€7.50",
            "—",
            "“quoted”",
            "naïve",
            "Kraków",
            "日本語",
            "😀",
            "and",
            "\u00a0",
            "a",
            "budget",
            "on",
            "Tuesday.",
        ]
    ),
    min_size=1,
    max_size=60,
).map(" ".join)
_fragments = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='article-body'>",
        "</div>",
        "<article>",
        "</article>",
        "<h1>",
        "</h1>",
        "<br>",
        "<script>var x = '</p>';</script>",
        "<style>p{}</style>",
        "<!-- comment -->",
        "<![CDATA[ x ]]>",
        "&amp;",
        "&nbsp;",
        "&#x1F600;",
        "&#233;",
        "&bogus;",
        "<template><p>hidden</p></template>",
        "<noscript>enable js</noscript>",
        "<table><tr><td>",
        "<nav><a href='/'>Home</a></nav>",
        "<footer>© 2026</footer>",
        "<p class='byline'>By A</p>",
        "<meta property='article:published_time' content='2026-01-05T09:30:00+01:00'>",
        "<meta property='article:published_time' content='not a date'>",
        "<link rel='canonical' href='javascript:alert(1)'>",
        "<title>T</title>",
        "<",
        "<div" * 3,
        "</html>",
        "<html lang='zz'>",
        "<time datetime='2026-13-45'>",
    ]
)
_soup = st.lists(_fragments | _words | _clean_text, max_size=40).map("".join)


@st.composite
def html_pages(draw: st.DrawFn) -> tuple[bytes, str | None, bool]:
    """(bytes, Content-Type, clean): soup in a declared (or undeclared) encoding.

    ``clean`` means the bytes are valid in the declared encoding, so a U+FFFD in the output
    would be the decoder's fault.
    """
    body = "<html><head><meta charset='{cs}'></head><body>" + draw(_soup) + "</body></html>"
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
    label = {"utf-8-sig": "utf-8", "latin-1": "iso-8859-1"}.get(codec, codec)
    text = body.replace("{cs}", label)
    data = text.encode(codec, errors="xmlcharrefreplace")  # unencodable → &#NNN; refs
    header = draw(st.sampled_from([None, f"text/html; charset={label}", "text/html"]))
    return data, header, True


@st.composite
def mutated_pages(draw: st.DrawFn) -> tuple[bytes, str | None, bool]:
    page = bytearray(draw(st.sampled_from(PAGES)))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(page)))
        action = draw(st.sampled_from(["cut", "insert", "flip", "truncate", "nest"]))
        if action == "cut":
            del page[pos : pos + draw(st.integers(1, 400))]
        elif action == "insert":
            page[pos:pos] = draw(
                st.sampled_from(
                    [
                        b"<",
                        b"</div>",
                        b"<p>",
                        b"\x00",
                        b"\xff\xfe",
                        b"<script>",
                        b"&#xD800;",
                        b"\xe2\x80",
                    ]
                )
            )
        elif action == "flip" and pos < len(page):
            page[pos] = draw(st.integers(0, 255))
        elif action == "nest":
            page[pos:pos] = b"<div>" * draw(st.integers(1, 3000))
        else:
            del page[pos:]
    return bytes(page), draw(st.sampled_from([None, "text/html; charset=utf-8"])), False


raw_bytes = st.tuples(
    st.binary(max_size=3000), st.sampled_from([None, "text/html"]), st.just(False)
)


def check_extraction(example: tuple[bytes, str | None, bool]) -> None:
    data, content_type, clean = example
    out = extract_page(data, URL, content_type)
    assert isinstance(out, Extraction)
    assert isinstance(out.text, str) and isinstance(out.warnings, tuple)
    assert all(isinstance(a, str) for a in out.authors)
    assert out.published is None or out.published.tzinfo is not None
    assert out.title is None or isinstance(out.title, str)
    assert len(out.text) <= 2 * len(data) + 8  # bounded by the page (plus separators)
    if clean:
        assert "\ufffd" not in out.text, out.text[:200]
        assert "\ufffd" not in (out.title or "")


@SLOW
@given(raw_bytes)
def test_fuzz_extract_page_arbitrary_bytes(case: tuple[bytes, str | None, bool]) -> None:
    check_extraction(case)


@SLOW
@given(html_pages())
def test_fuzz_extract_page_html_soup(case: tuple[bytes, str | None, bool]) -> None:
    check_extraction(case)


def _with_pages(test):  # type: ignore[no-untyped-def]
    for page in PAGES:  # each real page as it is, besides its mutations
        test = example((page, "text/html; charset=utf-8", False))(test)
    return test


@SLOW
@given(mutated_pages())
@_with_pages
def test_fuzz_extract_page_mutated_real_pages(case: tuple[bytes, str | None, bool]) -> None:
    check_extraction(case)


# -- robots.txt -----------------------------------------------------------------------------

MAX_ROBOTS = 2048  # small, so the "only the first max_bytes" property is exercised
MAX_DELAY = 30.0
_lines = st.sampled_from(
    [
        "User-agent: *",
        "User-agent: newsarchiver",
        "User-agent: otherbot",
        "Disallow: /",
        "Disallow: /private/",
        "Allow: /news/",
        "Allow: /",
        "Disallow: /*.html$",
        "Disallow:",
        "Crawl-delay: 86400",
        "Crawl-delay: 0.5",
        "Crawl-delay: -3",
        "Crawl-delay: nan",
        "Crawl-delay: 1e400",
        "Sitemap: https://news.example.com/s.xml",
        "Sitemap: /relative.xml",
        "Request-rate: 1/0",
        "# comment",
        "\ufeffUser-agent: *",
        "",
        "Disallow: /%E2%82%AC",
    ]
)
robots_bodies = st.one_of(
    st.lists(_lines | st.text(max_size=50), max_size=30).map("\n".join).map(str.encode),
    st.binary(max_size=3000),
)
statuses = st.sampled_from(
    [200, 200, 200, 204, 206, 301, 401, 403, 404, 410, 418, 429, 500, 502, 503, 504]
)
PROBES = (
    "https://news.example.com/",
    "https://news.example.com/news/a.html",
    "https://news.example.com/private/x",
    "https://news.example.com/%E2%82%AC/x",
)


def robots_policy(status: int, body: bytes) -> tuple[RobotsPolicy, list[bool], float]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Content-Type": "text/plain"}, content=body)

    async def load() -> tuple[RobotsPolicy, list[bool], float]:
        fetcher = make_fetcher(settings=Settings(max_tries=2, per_host_delay=0.0))
        cache = RobotsCache(fetcher, max_bytes=MAX_ROBOTS, max_crawl_delay=MAX_DELAY)
        policy = await cache.policy(PROBES[0])
        allowed = [await cache.allowed(u) for u in PROBES]
        return policy, allowed, fetcher.scheduler.delay_of("news.example.com")

    with respx.mock(assert_all_called=False) as router:
        router.route().mock(side_effect=handler)
        return asyncio.run(load())


def check_robots(example: tuple[int, bytes, bytes]) -> None:
    status, body, tail = example
    policy, allowed, host_delay = robots_policy(status, body)
    if 200 <= status < 300:
        assert policy.state == "parsed"
    elif 400 <= status < 500 and status != 429:
        assert policy.state == "unavailable" and all(allowed)  # RFC 9309 §2.3.1.3
    else:
        assert policy.state == "unreachable" and not any(allowed)  # §2.3.1.4
    assert policy.crawl_delay is None or 0.0 <= policy.crawl_delay <= MAX_DELAY
    assert 0.0 <= host_delay <= MAX_DELAY
    assert all(isinstance(s, str) for s in policy.sitemaps)
    if status == 200 and len(body) >= MAX_ROBOTS:
        # whatever follows the first max_bytes changes nothing (RFC 9309 §2.5)
        again, allowed_again, _ = robots_policy(status, body[:MAX_ROBOTS] + tail)
        assert allowed_again == allowed and again.crawl_delay == policy.crawl_delay


_tails = st.sampled_from(
    [b"", b"\nUser-agent: *\nDisallow: /\n", b"\nCrawl-delay: 86400\n", b"\nAllow: /private/\n"]
)
robots_examples = st.tuples(
    statuses,
    robots_bodies
    | st.builds(lambda body, pad: body + b"#" * pad, robots_bodies, st.integers(0, 2 * MAX_ROBOTS)),
    _tails,
)


@SLOW
@given(robots_examples)
def test_fuzz_robots_cache(case: tuple[int, bytes, bytes]) -> None:
    check_robots(case)
