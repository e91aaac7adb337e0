"""Access: free, paywalled or unknown, from JSON-LD, meta tags and paywall boxes."""

from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.access import read_access
from scraper.extract.extractor import extract_page
from scraper.extract.metadata import jsonld_objects, meta_tags

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"


def _access(html: str) -> str:
    tree = LexborHTMLParser(html)
    return read_access(tree, jsonld_objects(tree), meta_tags(tree))


def _ld(body: str) -> str:
    return f'<script type="application/ld+json">{body}</script>'


def test_jsonld_paywall_page_keeps_its_teaser_flagged() -> None:
    got = extract_page(
        (PAGES / "handelsbote" / "zinswende.html").read_bytes(),
        "https://www.handelsbote.example/finanzen/sparkassen-zinswende",
    )
    assert got.access == "paywalled"
    assert got.text.startswith("Nach Jahren des Nullzinses")  # the partial text is kept
    assert "Jetzt abonnieren" not in got.text


def test_paywall_box_alone_marks_the_page() -> None:
    got = extract_page(
        (PAGES / "metro-ledger" / "stadium-deal.html").read_bytes(),
        "https://www.metroledger.example/news/stadium-deal",
    )
    assert got.access == "paywalled"
    assert "county commission approved" in got.text
    assert "Subscribe to keep reading" not in got.text


def test_free_declaration() -> None:
    got = extract_page(
        (PAGES / "courier" / "council-budget.html").read_bytes(),
        "https://www.riverside-courier.example/news/2024/03/04/council",
    )
    assert got.access == "free"


@pytest.mark.parametrize(
    ("flag", "want"),
    [
        ("true", "free"),
        ("false", "paywalled"),
        ('"True"', "free"),
        ('"False"', "paywalled"),
        ('"false"', "paywalled"),
        ('"maybe"', "unknown"),
    ],
)
def test_is_accessible_for_free_as_bool_or_string(flag: str, want: str) -> None:
    assert _access(_ld(f'{{"@type": "NewsArticle", "isAccessibleForFree": {flag}}}')) == want


def test_has_part_paywall_section_wins_over_a_free_flag_elsewhere() -> None:
    page = _ld(
        '{"@graph": [{"@type": "WebPage", "isAccessibleForFree": true}, '
        '{"@type": "Article", "hasPart": [{"@type": "WebPageElement", '
        '"isAccessibleForFree": false, "cssSelector": ".premium"}]}]}'
    )
    assert _access(page) == "paywalled"


@pytest.mark.parametrize(
    ("tier", "want"),
    [("locked", "paywalled"), ("metered", "paywalled"), ("free", "free"), ("odd", "unknown")],
)
def test_content_tier_meta(tier: str, want: str) -> None:
    assert _access(f'<meta property="article:content_tier" content="{tier}">') == want


def test_empty_paywall_slot_and_negated_classes_say_nothing() -> None:
    assert _access('<div id="paywall-container"></div><p>Story.</p>') == "unknown"
    assert (
        _access('<div class="no-paywall">This article is free for everyone to read today.</div>')
        == "unknown"
    )
    assert _access("<p>No markers here at all, just an article about paywalls.</p>") == "unknown"


def test_paywall_prompt_inside_a_script_overlay_template_says_nothing() -> None:
    page = (
        '<div class="js-paywall-overlay"><div class="barrier"><p class="typo--paywall-title">'
        "Subscribe for full access to all premium articles</p></div></div>"
        "<article><p>Full free story text.</p></article>"
    )
    assert _access(page) == "unknown"
    assert _access(page.replace("js-paywall-overlay", "story-footer")) == "paywalled"
