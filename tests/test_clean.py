"""The cleaning layer: DOM pre-cleaning, line post-cleaning and split-body stitching."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.clean import drop_link_runs, drop_repeats, postclean, stitch
from scraper.clean_pre import container_blocks, preclean

PARA = "This paragraph is part of the article and it is long enough to count as real prose."


def _page(body: str) -> LexborHTMLParser:
    return LexborHTMLParser(f"<html><head><title>t</title></head><body>{body}</body></html>")


def test_preclean_drops_structural_boilerplate_and_keeps_prose() -> None:
    tree = _page(
        f"<article><p>{PARA}</p><p>{PARA} Two.</p><p>{PARA} Three.</p>"
        "<figure><img src=x><figcaption>Mayor at the opening | REUTERS</figcaption></figure>"
        '<div class="share-bar"><a href="#">Share on Facebook</a></div>'
        '<ul><li><a href="/a">Other story one</a></li>'
        '<li><a href="/b">Other story two</a></li></ul>'
        '<form><input name="email"> Sign up for our newsletter</form></article>'
        '<aside class="related-box">Related: five more stories</aside>'
    )
    html = preclean(tree).html
    assert html.count(PARA) == 3
    for gone in ("REUTERS", "Share on Facebook", "Other story", "newsletter", "five more"):
        assert gone not in html


def test_preclean_guard_keeps_a_body_wrapped_in_a_furniture_class() -> None:
    body = "".join(f"<p>{PARA} {i}</p>" for i in range(6))
    tree = _page(f'<div class="article-ads-wrapper"><div class="ads">{body}</div></div>')
    assert preclean(tree).html.count(PARA) == 6


def test_preclean_applies_publisher_selectors() -> None:
    tree = _page(f'<div class="promo-x">Buy now</div><div class="story"><p>{PARA}</p></div>'
                 "<div class=other><p>Not the body at all, just chrome text here.</p></div>")
    pre = preclean(tree, drop_selectors=(".promo-x",), body_selectors=(".story",))
    assert "Buy now" not in pre.html and "chrome" not in pre.html and PARA in pre.html


def test_bad_publisher_selector_is_ignored() -> None:
    tree = _page(f"<p>{PARA}</p>")
    assert PARA in preclean(tree, drop_selectors=("div[[[",)).html


def test_container_blocks_collect_split_body_in_order() -> None:
    tree = _page(
        f'<div class="body-part"><p>{PARA} A</p><p>{PARA} B</p></div><div class=ad>ad</div>'
        f'<div class="body-part"><h2>Sub</h2><p>{PARA} C</p></div>'
    )
    blocks, containers = container_blocks(tree)
    assert containers == 2
    assert [b[-1] for b in blocks] == ["A", "B", "b", "C"]


def test_stitch_takes_full_container_when_trafilatura_kept_the_first_part() -> None:
    blocks = tuple(f"{PARA} {i}" for i in range(6))
    partial = f"Standfirst line.\n{blocks[0]}\n{blocks[1]}"
    stitched = stitch(partial, blocks, containers=3)
    assert stitched.split("\n") == ["Standfirst line.", *blocks]
    complete = "\n".join(blocks)
    assert stitch(complete, blocks, containers=3) == complete


def test_postclean_removes_teasers_copyright_title_and_repeats() -> None:
    text = "\n".join([
        "Little giants rise", PARA, "Related Article: Something else entirely",
        PARA, "ⓒ 2024 EXAMPLE.com All rights reserved.", "Join the Discussion",
    ])
    assert postclean(text, title="Little giants rise") == PARA


def test_teaser_heading_drops_the_headline_run_below_it() -> None:
    text = "\n".join([PARA, "Mehr zum Thema", "Wahl in Hessen: Die Ergebnisse",
                      "Kommentar: Ein klares Signal", PARA + " End."])
    assert postclean(text) == PARA + "\n" + PARA + " End."


def test_link_runs_of_headline_source_items_are_dropped() -> None:
    lines = [PARA, "- Quantum leap for chips - Example Wire", "- New qubit record - Tech Daily",
             "- Lab cools atoms further - Science Now", PARA + "!"]
    assert drop_link_runs(lines) == [PARA, PARA + "!"]


def test_widget_repeated_three_times_is_dropped_entirely() -> None:
    lines = ["External content unavailable", PARA, "External content unavailable",
             "External content unavailable", PARA]
    assert drop_repeats(lines) == [PARA]
