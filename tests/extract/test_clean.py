"""The cleaning layer: DOM pre-cleaning, line post-cleaning and split-body stitching."""

from __future__ import annotations

import trafilatura
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.containers import container_blocks
from scraper.extract.extractor import extract_page
from scraper.extract.postclean import (
    drop_leading_title,
    drop_link_runs,
    drop_repeats,
    postclean,
    stitch,
)
from scraper.extract.preclean import preclean

PARA = "This paragraph is part of the article and it is long enough to count as real prose."


_TOPICS = {
    "harbour": "Dredging of the harbour begins in May, when the fishing fleet is out at sea",
    "rail": "Night trains return to the coast line after signal work that took two winters",
    "school": "A new school opens beside the park with places for four hundred pupils",
    "clinic": "Opening hours at the clinic grow longer because nurses asked for evening shifts",
    "bridge": "Engineers found rust under the old bridge and closed its footpath for repairs",
    "library": "Our library lends tools as well as books since volunteers catalogued them",
}


def _prose(topic: str) -> str:
    """A paragraph of its own about ``topic``: no run of three words shared with another."""
    return f"{_TOPICS[topic]}; {topic} news like this fills a page of its own, {topic} readers say."


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


def test_fact_boxes_beside_the_story_are_dropped() -> None:
    paras = [f"<p>{PARA} {i}</p>" for i in range(6)]
    for box in (
        '<div class="factbox green"><h3>Facts about night buses</h3>'
        "<ul><li>Twelve lines run all night.</li><li>Tickets cost 2 euros.</li></ul></div>",
        '<aside-box class="fact-box wide"><p>Buses first ran at night in 1998.</p></aside-box>',
        '<div class="infobox"><p>Night lines: N1 to N12.</p></div>',
    ):
        page = "".join(paras[:3]) + box + "".join(paras[3:])
        html = preclean(_page(f"<article>{page}</article>")).html
        assert html.count(PARA) == 6
        for gone in ("Facts about", "Twelve lines", "in 1998", "N1 to N12"):
            assert gone not in html


def test_a_section_whose_anchor_id_spells_its_heading_is_not_furniture() -> None:
    paras = "".join(f"<p>{PARA} {i}</p>" for i in range(6))
    section = (
        '<div id="2-heading-how-popular-are-night-buses"><h2 id="how-popular-are-night-buses">'
        "How popular are night buses?</h2><p>Twice as many riders took them this winter.</p></div>"
    )
    box = '<div id="most-popular-stories-list"><p>Ten things to do on a rainy day</p></div>'
    html = preclean(_page(f"<article>{paras}{section}{box}</article>")).html
    assert "How popular are night buses?" in html
    assert "Twice as many riders" in html
    assert "rainy day" not in html  # a box named for what it is still goes


def test_a_link_inside_a_sentence_keeps_its_words_whatever_its_class() -> None:
    paras = "".join(f"<p>{PARA} {i}</p>" for i in range(4))
    sentence = (
        '<p>After <a class="recommendation-inline-link" href="/rings">choosing the rings</a>, '
        "most couples book the venue next, a year or more ahead of the day.</p>"
    )
    teaser = '<p><a class="recommendation-inline-link" href="/cakes">Our cake guide</a></p>'
    html = preclean(_page(f"<article>{paras}{sentence}{teaser}</article>")).html
    assert "After <a" in html and "choosing the rings</a>, most couples" in html
    assert "Our cake guide" not in html  # a link standing alone is still a teaser


def test_preclean_guard_keeps_a_body_wrapped_in_a_furniture_class() -> None:
    body = "".join(f"<p>{PARA} {i}</p>" for i in range(6))
    tree = _page(f'<div class="article-ads-wrapper"><div class="ads">{body}</div></div>')
    assert preclean(tree).html.count(PARA) == 6


def test_preclean_applies_publisher_selectors() -> None:
    tree = _page(
        f'<div class="promo-x">Buy now</div><div class="story"><p>{PARA}</p></div>'
        "<div class=other><p>Not the body at all, just chrome text here.</p></div>"
    )
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


def test_a_page_builders_wrappers_in_the_footer_are_not_part_of_the_body() -> None:
    # the same wrapper class holds the article and, in the footer, offices and a disclaimer
    tree = _page(
        f'<main><div class="wpb_wrapper"><p>{PARA} A</p><p>{PARA} B</p></div></main>'
        '<footer><div class="wpb_wrapper"><p>Harbour office, 12 Quay Street, Portmore, '
        "open weekdays from nine to five.</p></div></footer>"
    )
    blocks, containers = container_blocks(tree)
    assert containers == 1
    assert not any("Quay Street" in b for b in blocks)


def test_stitch_takes_full_container_when_trafilatura_kept_the_first_part() -> None:
    blocks = tuple(f"{PARA} {i}" for i in range(6))
    partial = f"Standfirst line.\n{blocks[0]}\n{blocks[1]}"
    stitched = stitch(partial, blocks, containers=3)
    assert stitched.split("\n") == ["Standfirst line.", *blocks]
    complete = "\n".join(blocks)
    assert stitch(complete, blocks, containers=3) == complete


def test_stitch_puts_back_a_paragraph_skipped_inside_a_split_body() -> None:
    blocks = (
        *(_prose(topic) for topic in ("harbour", "rail", "school", "clinic")),
        "More from our markets desk here.",
        _prose("bridge"),
        _prose("library"),
    )
    kept = [blocks[0], blocks[1], blocks[3], blocks[5]]  # 2 and 4 skipped, 6 after the end
    got = stitch("\n".join(kept), blocks, containers=2).split("\n")
    assert got == [blocks[0], blocks[1], blocks[2], blocks[3], blocks[5]]
    # one container is not a split body: trafilatura's choice stands
    assert stitch("\n".join(kept), blocks, containers=1) == "\n".join(kept)


_TOWN = [
    "Night trains return to the coast line after signal work that took two winters to finish.",
    "Engineers found rust under the old bridge and closed its footpath for repairs this spring.",
    "Our library lends tools as well as books since volunteers catalogued them last autumn.",
    "Opening hours at the clinic grow longer because nurses asked for evening shifts in town.",
]
# No container trafilatura knows by name: it falls back to the page's paragraphs alone.
_UNNAMED_BODY = f"""<html><head><title>What changes in town this year</title></head><body>
<div class="wrap"><div class="hero"><h1>What changes in town this year</h1></div>
<div class="rich-text-block w-richtext">
<p>{_TOWN[0]}</p><h3>Where the money goes</h3><p>{_TOWN[1]}</p>
<ul><li>Four new platforms at the station</li><li>A lift beside the bridge stairs</li>
<li>Solar roofs on two schools</li></ul>
<p>{_TOWN[2]}</p><p>{_TOWN[3]}</p></div></div></body></html>"""


def test_headings_and_lists_trafilatura_left_out_of_a_paragraph_only_reading_come_back() -> None:
    assert "Solar roofs" not in (trafilatura.extract(_UNNAMED_BODY) or "")  # the library alone
    got = extract_page(_UNNAMED_BODY.encode(), "https://town.example/changes").text
    assert (
        f"{_TOWN[0]}\n\nWhere the money goes\n\n{_TOWN[1]}\n\n"
        "- Four new platforms at the station\n- A lift beside the bridge stairs\n"
        f"- Solar roofs on two schools\n\n{_TOWN[2]}"
    ) in got


def test_a_split_body_read_as_paragraphs_only_gets_its_list_back() -> None:
    items = ("- Four new platforms", "- A lift by the stairs", "- Solar roofs on schools")
    skipped = f"{_TOWN[3]} {_TOWN[0]}"  # a paragraph next to the ad slot, left out too
    blocks = (_TOWN[0], _TOWN[1], *items, _TOWN[2], skipped, _TOWN[3])  # two parts, an ad between
    text = "\n".join(_TOWN)  # trafilatura kept the other paragraphs and no list item
    assert stitch(text, blocks, 2).split("\n") == list(blocks)


def test_a_containers_list_of_links_is_not_part_of_its_blocks() -> None:
    links = "".join(
        f'<li><a href="/news/{i}">Headline number {i} of the day</a></li>' for i in range(3)
    )
    tree = _page(
        f"<article><p>{PARA} 1</p><p>{PARA} 2</p><ul><li>A plain item of the list</li>"
        f"<li>A list item <a href='/x'>with a link</a> in its sentence</li>{links}</ul>"
        f"<p>{PARA} 3</p></article>"
    )
    blocks, _ = container_blocks(tree)
    assert "- A plain item of the list" in blocks
    assert "- A list item with a link in its sentence" in blocks
    assert not any("Headline number" in b for b in blocks)


def test_stitch_does_not_put_back_a_list_item_trafilatura_kept_as_several_lines() -> None:
    # a list item holding a sub-list: its text is one block, trafilatura gives its lines
    item = f"{_TOPICS['rail']}. {_TOPICS['clinic']}. {_TOPICS['bridge']}."
    blocks = (_prose("harbour"), _prose("school"), item, _prose("library"))
    kept = [
        blocks[0],
        blocks[1],
        f"- {_TOPICS['rail']}.",
        f"- {_TOPICS['clinic']}.",
        f"- {_TOPICS['bridge']}.",
        blocks[3],
    ]
    assert stitch("\n".join(kept), blocks, containers=2).split("\n") == kept


def test_stitch_does_not_put_back_a_paragraph_kept_without_its_control_characters() -> None:
    # a double-encoded page: a curly quote became "\u00e2" plus two C1 controls, which
    # lexbor's text keeps and trafilatura's drops
    words = _prose("harbour").split()
    garbled = " ".join(f"\u00e2\u0080\u009c{w}" if i % 2 else w for i, w in enumerate(words))
    kept_form = " ".join(f"\u00e2{w}" if i % 2 else w for i, w in enumerate(words))
    blocks = (_prose("school"), garbled, _prose("library"))
    kept = [blocks[0], kept_form, blocks[2]]
    assert stitch("\n".join(kept), blocks, containers=2).split("\n") == kept


def test_postclean_removes_teasers_copyright_title_and_repeats() -> None:
    text = "\n".join(
        [
            "Little giants rise",
            PARA,
            "Related Article: Something else entirely",
            PARA,
            "ⓒ 2024 EXAMPLE.com All rights reserved.",
            "Join the Discussion",
        ]
    )
    assert postclean(text, title="Little giants rise") == PARA


def test_teaser_heading_drops_the_headline_run_below_it() -> None:
    text = "\n".join(
        [
            PARA,
            "Mehr zum Thema",
            "Wahl in Hessen: Die Ergebnisse",
            "Kommentar: Ein klares Signal",
            PARA + " End.",
        ]
    )
    assert postclean(text) == PARA + "\n\n" + PARA + " End."


def test_link_runs_of_headline_source_items_are_dropped() -> None:
    lines = [
        PARA,
        "- Quantum leap for chips - Example Wire",
        "- New qubit record set in Delft - Tech Daily",
        "- Lab cools atoms further - Science Now",
        PARA + "!",
    ]
    assert drop_link_runs(lines) == [PARA, PARA + "!"]


def test_product_picks_and_spec_lists_are_article_text() -> None:
    picks = [
        "- Saatva Classic – Best for Couples",
        "- Leesa Sapira – Best for Cooling",
        "- Bear Elite Hybrid – Best Value",
    ]
    specs = [
        "- Weight: 32.2 kg | 71 lbs",
        "- Range: 40 km | 25 mi",
        "- Top speed: 45 km/h | 28 mph",
    ]
    assert drop_link_runs([PARA, *picks, PARA + "!", *specs]) == [PARA, *picks, PARA + "!", *specs]


def test_list_items_shared_by_several_products_stay() -> None:
    lines = [
        "Model One",
        "- Organic cotton",
        "- Recycled polyester",
        "Model Two",
        "- Organic cotton",
        "- Hemp",
        "Model Three",
        "- Organic cotton",
        "- Recycled polyester",
        "| Weight | 3 kg |",
        "Model Four",
        "| Weight | 3 kg |",
    ]
    assert drop_repeats(lines) == lines


def test_a_whole_list_given_twice_keeps_its_first_copy() -> None:
    items = ["- The first item of a list worth reading", "- The second item of that same list"]
    other = "A second paragraph of the article, which says something else entirely."
    assert drop_repeats([PARA, *items, other, *items]) == [PARA, *items, other]


def test_a_label_heading_each_section_stays() -> None:
    label = "How to adapt to this trend:"
    lines = [[f"Trend {i}", PARA.replace("article", f"article {i}"), label] for i in range(3)]
    flat = [line for trio in lines for line in trio]
    assert drop_repeats(flat) == flat


def test_a_field_label_repeated_for_every_product_stays() -> None:
    products = [
        [f"Product {name}", "Overall Score", f"{score}/5", "Pros", f"- {_TOPICS[topic]}"]
        for name, score, topic in (
            ("One", 4.7, "rail"),
            ("Two", 4.1, "school"),
            ("Three", 3.9, "bridge"),
        )
    ]
    lines = [PARA, *(line for product in products for line in product)]
    assert drop_repeats(lines) == lines


def test_section_headings_and_fields_a_guide_repeats_per_product_stay() -> None:
    # each product of a buying guide: its name, a field line, a heading over its list
    topics = ("rail", "school", "bridge", "clinic")
    lines = [PARA]
    for i, topic in enumerate(topics):
        lines += [
            f"{i + 1}. The {topic} pick",
            f"Price range: {'$' * (1 + i % 2)}",
            "What we don't like",
            f"- {_TOPICS[topic]}",
            "Why we chose it",
            _prose(topic),
            "Check Price on Amazon",
        ]
    got = drop_repeats(lines)
    assert got.count("What we don't like") == 4
    assert got.count("Why we chose it") == 4
    assert got.count("Price range: $") == 2
    assert "Check Price on Amazon" not in got  # the shop's button, not a heading


def test_placeholders_and_stacked_card_labels_repeated_three_times_go() -> None:
    notice = "External content unavailable"
    kicker = "Drinks with style"
    lines = [PARA, notice, _prose("rail"), notice, _prose("school"), notice]
    lines += [kicker, "A teaser headline", kicker, kicker, "Another teaser headline"]
    assert drop_repeats(lines) == [
        PARA,
        _prose("rail"),
        _prose("school"),
        "A teaser headline",
        "Another teaser headline",
    ]


def test_a_body_given_three_times_keeps_one_copy() -> None:
    body = [f"Heading about the {t}" if i % 2 else _prose(t) for i, t in enumerate(_TOPICS)]
    body += [f"{PARA} {n}" for n in range(6)]
    assert drop_repeats(body * 3) == body


def test_a_field_two_products_share_stays_twice() -> None:
    lines = [
        "The rail pick",
        "Carafe material: stainless steel",
        _prose("rail"),
        "The school pick",
        "Carafe material: stainless steel",
        _prose("school"),
        _prose("rail"),  # a paragraph given again still goes
    ]
    assert drop_repeats(lines) == lines[:-1]


def test_widget_repeated_three_times_is_dropped_entirely() -> None:
    lines = [
        "External content unavailable",
        PARA,
        "External content unavailable",
        "External content unavailable",
        PARA,
    ]
    assert drop_repeats(lines) == [PARA]


def test_next_articles_of_an_endless_page_are_dropped() -> None:
    tree = _page(
        f"<main><article><h1>Anxiety will grow</h1><p>{PARA} Main.</p></article>"
        '<div class="under"><article id="next"><h1>Solskjaer may return</h1>'
        + "".join(f"<p>{PARA} Next {i}.</p>" for i in range(6))
        + "</article></div></main>"
    )
    html = preclean(tree, title="Anxiety will grow").html
    assert f"{PARA} Main." in html and "Next" not in html and "Solskjaer" not in html


def test_the_article_matching_the_title_is_kept_even_when_it_is_not_first() -> None:
    tree = _page(
        f"<article><h1>Yesterday's story</h1><p>{PARA} Old.</p></article>"
        f"<article><h1>Today's story</h1><p>{PARA} New.</p></article>"
    )
    html = preclean(tree, title="Today’s story").html  # curly vs straight apostrophe
    assert f"{PARA} New." in html and "Old." not in html


def test_one_article_with_nested_cards_is_untouched() -> None:
    tree = _page(
        f"<article><h1>Only story</h1><p>{PARA}</p>"
        "<article><h1>Card</h1><p>Inner card text.</p></article></article>"
    )
    assert "Inner card text" in preclean(tree, title="Only story").html


def test_teaser_cards_wrapped_in_links_do_not_count_as_prose() -> None:
    # each card carries a long summary: by text mass they outweigh the short article
    card = (
        '<li><a href="/other-{i}"><h3>Other headline {i}</h3><p>LABEL: '
        + PARA * 3
        + "</p></a></li>"
    )
    own = "".join(f"<p>{PARA} Own {i}.</p>" for i in range(7))
    tree = _page(
        f"<article>{own}</article><ul>" + "".join(card.format(i=i) for i in range(4)) + "</ul>"
    )
    html = preclean(tree).html
    assert html.count(f"{PARA} Own") == 7 and "LABEL" not in html


def _linked_list(hrefs: list[str]) -> str:
    titles = ["Fix volatile loads and stores", "Add support for packed structs", "Sync the tree"]
    return (
        "<ul>"
        + "".join(
            f'<li><a href="{h}">{t} in the code generator</a></li>'
            for h, t in zip(hrefs, titles, strict=True)
        )
        + "</ul>"
    )


def test_a_list_citing_other_sites_is_article_text_a_list_of_own_pages_is_not() -> None:
    head = '<link rel="canonical" href="https://www.firstpublisher.example/report-39">'
    cited = _linked_list([f"https://forge.example/pulls/{i}" for i in range(3)])
    own = _linked_list([f"https://devblog.example/report-{i}" for i in range(3)])
    prose = "".join(f"<p>{PARA} {i}.</p>" for i in range(6))
    body = f"<article>{prose}<p>Merged this month:</p>{cited}<p>{PARA}!</p></article>"
    tree = LexborHTMLParser(f"<html><head>{head}</head><body>{body}<div>{own}</div></body></html>")
    html = preclean(tree, url="https://devblog.example/progress-report-39").html
    assert "forge.example/pulls/2" in html and "devblog.example/report-0" not in html


def test_repeats_differing_only_in_spacing_and_punctuation_are_dropped() -> None:
    first = "According to the blog Example, two batches of bills were misprinted in 2014."
    again = "According to the blog Example , two batches of bills were misprinted in 2014"
    assert drop_repeats([first, PARA, again, "=)"]) == [first, PARA, "=)"]


def test_kicker_glued_to_the_headline_is_dropped_but_a_sentence_ending_in_it_is_not() -> None:
    title = "Zwei Rücktritte - und viele offene Fragen"
    lines = ["Ausschuss zur Ahrtal-Flut Zwei Rücktritte - und viele offene Fragen", PARA]
    assert drop_leading_title(lines, title) == [PARA]
    lines = ["für das Rezept Zwei Rücktritte und viele offene Fragen", PARA]
    assert drop_leading_title(lines, title) == lines


def test_bylines_and_date_stamps_leave_the_body() -> None:
    text = "\n".join(
        [
            "Stand: 22.04.2024, 06:00 Uhr",
            "Von Nina Beispiel",
            PARA,
            "3 Minuten Lesezeit",
            "17:41 JST, October 13, 2024",
            "| 2013 | 95 |",
            "By comparison, the old rules were far stricter than the new ones.",
            "Call +81 158-23-2012 to book.",
        ]
    )
    assert postclean(text).split("\n\n") == [
        PARA,
        "| 2013 | 95 |",
        "By comparison, the old rules were far stricter than the new ones.",
        "Call +81 158-23-2012 to book.",
    ]


def test_structure_words_that_describe_content_do_not_doom_it() -> None:
    own = "".join(f"<p>{PARA} {i}.</p>" for i in range(8))
    tree = _page(
        f"<article>{own}"
        f'<section class="TestReport__Section TestReport__Section--Ads"><p>{PARA} Verdict.</p>'
        '</section><div class="js_readmore"><p>The village lies in a quiet valley with '
        "old farmhouses, a church and a long path along the river that leads to the mill "
        "and on to the forest beyond it, where the walkers rest before the long climb to "
        "the ridge.</p></div>"
        "<figure><table><tr><td>Fee</td><td>1 GBP withdrawal</td></tr></table></figure>"
        '<p>Write to <a href="mailto:desk@example.org">desk@example.org</a></p>'
        '<p><a href="https://example.org/other">Another story entirely</a></p>'
        '<div class="read-more"><a href="/x">Read more</a></div></article>'
    )
    html = preclean(tree).html
    for kept in ("Verdict.", "quiet valley", "1 GBP withdrawal", "desk@example.org"):
        assert kept in html
    assert "Another story entirely" not in html and "Read more" not in html


def test_paragraphs_are_separated_by_a_blank_line_lists_and_tables_stay_whole() -> None:
    text = "\n".join(
        [
            PARA,
            "- first item of the list",
            "- second item of the list",
            PARA + " 2",
            "| Year | Sales |",
            "| 2023 | 95 |",
            PARA + " 3",
        ]
    )
    assert postclean(text).split("\n\n") == [
        PARA,
        "- first item of the list\n- second item of the list",
        PARA + " 2",
        "| Year | Sales |\n| 2023 | 95 |",
        PARA + " 3",
    ]


def test_ruby_readings_follow_the_rp_fallback_and_do_not_split_the_sentence() -> None:
    tree = _page(
        f"<article><p>{PARA}</p><p>会見で<ruby><rb>尹錫悦</rb><rp>（</rp><rt>ユンソンニョル</rt>"
        "<rp>）</rp></ruby>大統領は述べた。<ruby>漢字<rt>かんじ</rt></ruby>も同じ。</p>"
        f"<p>{PARA} Two.</p><p>{PARA} Three.</p></article>"
    )
    text = postclean(trafilatura_text(preclean(tree).html))
    assert "会見で尹錫悦（ユンソンニョル）大統領は述べた。漢字も同じ。" in text.split("\n\n")
    assert "かんじ" not in text  # no <rp>: the page offers no plain-text form of the reading


def test_paywall_and_donation_boxes_go_whole_a_short_article_stays() -> None:
    own = "".join(f"<p>{PARA} {i}.</p>" for i in range(6))
    tree = _page(
        f"<article>{own}"
        '<div class="box"><p><b>この記事は会員限定です。</b>無料で会員登録できます。</p>'
        '<a class="btn" href="/r">会員登録する</a><dl><dt>登録すると</dt>'
        "<dd>電子版が利用できる</dd><dd>記事が読み放題</dd></dl><p>※紙の新聞とは朝刊です。</p></div>"
        '<div class="bottom"><p>Links lesen</p><p>Gerade jetzt braucht es Zusammenhalt, und die '
        "Redaktion bittet alle Leserinnen und Leser um einen Beitrag für die Arbeit vor Ort. "
        '<a href="/d">Jetzt unterstützen</a></p></div></article>'
    )
    html = preclean(tree).html
    assert html.count(PARA) == 6
    for gone in ("読み放題", "紙の新聞", "Links lesen", "Zusammenhalt"):
        assert gone not in html
    # a teaser paragraph above a paywall notice is the article, not part of the box
    tree = _page(
        f'<div class="story"><p>{PARA} Teaser.</p><div><p>Subscribe now to continue '
        'reading.</p><a href="/s">Subscribe</a></div></div>'
    )
    assert f"{PARA} Teaser." in preclean(tree).html


def test_modal_widgets_and_japanese_labels_are_furniture() -> None:
    own = "".join(f"<p>{PARA} {i}.</p>" for i in range(4))
    tree = _page(
        f'<div class="scrap-modal"><div class="scrap-modal-head">メモ入力</div>'
        f"<p>完了しました</p></div><article>{own}</article>"
    )
    html = preclean(tree).html
    assert "メモ入力" not in html and "完了しました" not in html and html.count(PARA) == 4
    text = "\n".join([PARA, "関連キーワード", "関連記事", "地震の新しい情報", "おすすめ情報"])
    assert postclean(text) == PARA


def trafilatura_text(html: str) -> str:
    return str(getattr(trafilatura.bare_extraction(html, with_metadata=False), "text", ""))


def test_body_parts_differing_by_a_class_modifier_are_stitched_past_teaser_cards() -> None:
    part = "".join(f"<p>{PARA} {i}.</p>" for i in range(4))
    cards = "".join(f'<div class="card"><p>{PARA} Teaser {i}.</p></div>' for i in range(6))
    tree = _page(
        f'<div class="body articleBody -bottom-space">{part}</div><div class="ad">x</div>'
        f'<div class="body articleBody">{part.replace(" 0.", " 3.")}</div>{cards}'
    )
    blocks, containers = container_blocks(tree)
    assert containers == 2 and len(blocks) == 8 and not any("Teaser" in b for b in blocks)


def test_sign_offs_that_end_an_article_are_dropped() -> None:
    from scraper.extract.postclean import postclean as clean

    body = (
        "The ministry said the new rail line would open in the spring of next year, "
        "two years later than planned."
    )
    for sign_off in (
        "With files from The Associated Press",
        "Additional reporting by Jo Lee",
        "Sam Ortiz in Lima contributed to this report.",
        "(dmk)",
        "mit dpa",
        "Mit Agenturmaterial.",
        "For more stories like this, check our news page.",
        "Our Standards: The Thomson Reuters Trust Principles.",
        "First published in The Conversation.",
        'Dieser Artikel ist zuerst bei "Capital" erschienen.',
    ):
        assert clean(f"{body}\n{sign_off}") == body, sign_off
    # two sign-offs in a row go; the same words inside the body are reporting and stay
    assert clean(f"{body}\nAdditional reporting by Jo Lee\n(jg)") == body
    inside = f"With files from the archive, historians rebuilt the timeline.\n{body}"
    assert clean(inside) == inside.replace("\n", "\n\n")
    assert clean("(dpa)") == "(dpa)"  # a text that is only a sign-off keeps it


def test_newsletter_channel_app_and_live_blog_pointers_are_furniture() -> None:
    from scraper.extract.postclean import is_furniture

    for line in (
        "- Ground Game: Sign up for the Ledger's weekly politics newsletter to get it Monday.",
        '"Hier ist Hessen": Der Newsletter informiert Sie immer montags über das Wichtigste.',
        "Dann sind Sie beim täglichen Stadtbote-Newsletter richtig – hier entlang.",
        "Abonnieren Sie jetzt den Stadtbote-Newsletter: https://stadtbote.example/nl",
        "Folgst du schon dem Stadtboten auf Whatsapp?",
        "For the latest news download the Courier apps for iOS and Android.",
        "Mehr zur Lage in der Region lesen Sie in unserem Liveblog:",
        "We'll bring you all of today's updates in our live blog below.",
    ):
        assert is_furniture(line), line
    for prose in (
        "The council will publish a newsletter for residents about the works.",
        "Wie in unserem Liveblog berichtet, wurde die Brücke am Abend wieder geöffnet.",
    ):
        assert not is_furniture(prose), prose


def test_author_bio_and_affiliate_disclosure() -> None:
    from scraper.extract.postclean import is_furniture
    from scraper.extract.postclean import postclean as clean

    body = "The ferry will run twice a day from May, the operator said on Monday afternoon."
    for bio in (
        "Lena Berg ist Stadtbote-Reporterin für den Landkreis.",
        "Correspondent Jo Lee is based in Lima and covers the Andes.",
    ):
        assert clean(f"{body}\n{bio}") == body, bio
    last = "The mayor is a former journalist who ran the paper for a decade."
    assert clean(f"{body}\n{last}") == f"{body}\n\n{last}"  # not a name: prose stays
    assert is_furniture(
        "We select everything we recommend; buying through us may earn us a commission."
    )


def test_headline_printed_with_site_name_kicker_or_soft_hyphens_leaves_the_body() -> None:
    title = "Harbour tunnel to close for three weeks"
    assert drop_leading_title([f"{title} | Coastal Courier", title, PARA], title) == [PARA]
    assert drop_leading_title([f"Road works{title}", PARA], title) == [PARA]
    assert drop_leading_title(["Traffic", title, PARA], title) == [PARA]
    hyphenated = "Harbour tun\u00adnel to close for three weeks"
    assert drop_leading_title([hyphenated, PARA], title) == [PARA]
    assert drop_leading_title(["Hafenfest abgesagt", PARA], "Hafenfest abgesagt") == [PARA]


def test_lines_that_only_resemble_the_headline_stay() -> None:
    title = "Harbour tunnel to close for three weeks"
    lead = f"{title} | and the ferry will run every ten minutes instead, the council said."
    assert drop_leading_title([lead, PARA], title) == [lead, PARA]
    assert drop_leading_title(["- Traffic", title, PARA], title) == ["- Traffic", PARA]
    assert drop_leading_title(["Politik", PARA], "Politik") == ["Politik", PARA]


def test_translation_credits_and_expert_bios_end_the_text_no_more() -> None:
    from scraper.extract.postclean import postclean as clean

    body = (
        "The harbour authority approved the new ferry terminal on Tuesday after a "
        "two-year planning dispute with the neighbouring towns."
    )
    for sign_off in (
        "Aus dem Englischen von Karla Weiss",
        "Translated from French by Ann Roe",
        "Übersetzung: Ina Bell, Redaktion: Tom Kay",
        "Dieser Artikel ist eine Übersetzung aus dem Spanischen.",
        "Nomvula Dube is a senior researcher at the Urban Policy Institute.",
    ):
        assert clean(f"{body}\n{sign_off}") == body, sign_off


def test_closing_sources_author_and_similar_sections_are_dropped() -> None:
    from scraper.extract.postclean import postclean as clean

    body = (
        "The harbour authority approved the new ferry terminal on Tuesday after a "
        "two-year planning dispute with the neighbouring towns."
    )
    for section in (
        "Quellen:\n- Hafenbehörde, Pressemitteilung\n- eigene Recherche",
        "Die Autorin\nKarla Weiss (*1970) leitet das Institut für Küstenplanung.",
        "Ähnliche:\n- 12.03.2024 Fähre fällt aus\n- 02.03.2024 Neuer Kai",
        "Weitere Informationen:\n- Fahrplan der Hafenfähren (PDF)",
    ):
        assert clean(f"{body}\n{section}") == body, section
    # high up in a long explainer, "Sources" heads reporting
    explainer = "\n".join([body, "Sources", *[f"{body} Part {i}." for i in range(10)]])
    assert "Sources" in clean(explainer)


def test_template_keys_printed_as_text_are_furniture() -> None:
    from scraper.extract.postclean import is_furniture

    for line in ("- showPaywall:", "isSubscriber:"):
        assert is_furniture(line), line
    for line in ("Kinder: ", "Weather: sunny", "- iPhone:", "macOS:"):
        assert not is_furniture(line), line


def test_a_pull_quote_repeating_a_sentence_of_the_body_is_dropped() -> None:
    from scraper.extract.postclean import drop_pull_quotes

    quote = "“We will rebuild the pier before the summer season starts, whatever it costs.”"
    host = (
        f"The mayor spoke to residents on Friday evening. {quote} Work begins in March, "
        "and the ferry will use the old quay until then."
    )
    lines = [PARA, f"{PARA} 2", quote, host, f"{PARA} 3"]
    assert drop_pull_quotes(lines) == [PARA, f"{PARA} 2", host, f"{PARA} 3"]
    # a subheading quoting a fragment of the paragraph below is a heading, not a repeat
    heading = "‘We will rebuild the pier before the summer season starts’"
    lines = [PARA, f"{PARA} 2", heading, host]
    assert drop_pull_quotes(lines) == lines
    # a standfirst that the first paragraph repeats stays
    lines = [quote, host, f"{PARA} 2"]
    assert drop_pull_quotes(lines) == lines
