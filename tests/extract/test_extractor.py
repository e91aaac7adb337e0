"""The full extraction path: never raises, prints JSON, honours publisher selectors."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from archive import fingerprint
from scraper.cli import main
from scraper.extract.extractor import extract_file_cli, extract_for_archive, extract_page
from scraper.extract.version import EXTRACTOR_VERSION

PARA = (
    "The council voted on Thursday to extend the night bus network to the northern "
    "suburbs, a change residents had requested for more than five years."
)
PAGE = f"""<html lang="de-AT"><head><title>Night buses | City Paper</title>
<meta property="og:site_name" content="City Paper">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Night buses extended",
 "datePublished": "2024-02-01T18:00:00+01:00", "dateModified": "2024-02-03T09:00:00+01:00",
 "author": [{{"@type": "Person", "name": "By Lena Maier"}}, {{"name": "Tom Berg"}}]}}</script>
</head><body><article><h1>Night buses extended</h1>
<p>{PARA}</p><div class="cp-box-17"><p>Sponsored: buy a bus pass today and save.</p></div>
<p>{PARA} Operators expect two thousand extra passengers every weekend.</p>
<p>{PARA} The first buses run from March.</p></article></body></html>"""


def test_extraction_has_text_and_metadata() -> None:
    got = extract_page(PAGE.encode(), "https://city.example/night-buses")
    assert got.text.count(PARA) == 3
    assert "Night buses extended" not in got.text  # the title is metadata
    assert got.title == "Night buses extended"
    assert got.authors == ("Lena Maier", "Tom Berg")
    assert got.published is not None and got.published.isoformat() == "2024-02-01T18:00:00+01:00"
    # the page declares de-AT, but the text is English: the text wins (issue 16)
    assert (got.language, got.language_source) == ("en", "detected")
    assert got.site_name == "City Paper"
    assert got.warnings == ()


def test_publisher_selectors_are_applied() -> None:
    plain = extract_page(PAGE.encode(), "https://city.example/x")
    assert "Sponsored" in plain.text  # no generic rule knows this box…
    seeded = extract_page(PAGE.encode(), "https://city.example/x", drop_selectors=(".cp-box-17",))
    assert "Sponsored" not in seeded.text  # …the publisher's seed file does
    assert seeded.text.count(PARA) == 3


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"\x00\xff\xfe" * 100, b"<html>", b"%PDF-1.7 binary", b"<" * 100_000]
)
def test_bad_input_never_raises(body: bytes) -> None:
    got = extract_page(body, "https://x.example/")
    assert got.text == "" or isinstance(got.text, str)
    if not got.text:
        assert got.warnings


def test_extract_page_is_picklable_for_process_pools() -> None:
    assert pickle.loads(pickle.dumps(extract_page)) is extract_page
    assert EXTRACTOR_VERSION


def test_a_workers_fingerprint_is_the_one_the_archive_would_compute() -> None:
    # The crawl fingerprints in its extraction processes; dedup across runs depends on
    # every process hashing a text the same way (no salted hash() anywhere).
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        ext, fp = pool.submit(extract_for_archive, PAGE.encode(), "https://city.example/n").result()
    assert ext == extract_page(PAGE.encode(), "https://city.example/n")
    assert fp == fingerprint(ext.text)
    assert fp.band_keys and fp.lead_hash


def test_cli_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(PAGE.encode())
    assert extract_file_cli(page, "https://city.example/a") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "url",
        "title",
        "text",
        "authors",
        "published",
        "language",
        "site",
        "canonical_url",
        "description",
        "published_source",
        "modified",
        "modified_source",
        "language_source",
        "access",
        "images",
        "live_updates",
        "next_page",
        "first_page",
    }
    assert data["published"] == "2024-02-01T18:00:00+01:00"
    assert data["url"] == "https://city.example/a"


def test_cli_missing_file_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", str(tmp_path / "missing.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read" in err


LEAD = (
    "Residents of the northern suburbs waited five years for this: from March the "
    "night buses run every thirty minutes."
)


def _lead_page(lead_markup: str, description: str = LEAD) -> bytes:
    body = "".join(f"<p>{PARA} Part {i}.</p>" for i in range(5))
    return (
        f'<html><head><title>Night buses</title><meta name="description" '
        f'content="{description}"></head><body><header><h1>Night buses</h1>'
        f'{lead_markup}</header><div class="story-body">{body}</div>'
        "<footer><p>Contact the newsroom.</p></footer></body></html>"
    ).encode()


def test_standfirst_outside_the_body_container_leads_the_text() -> None:
    got = extract_page(
        _lead_page(f'<div class="intro"><b>{LEAD[:40]}</b>{LEAD[40:]}</div>'),
        "https://city.example/a",
    )
    assert got.text.startswith(LEAD) and got.text.count(PARA) == 5


def test_description_that_is_only_seo_copy_or_a_caption_adds_nothing() -> None:
    seo = "Everything you need to know about night buses in our city and its suburbs today."
    assert seo not in extract_page(_lead_page("", seo), "https://city.example/b").text
    caption = f"<figure><img src=x><figcaption>{LEAD}</figcaption></figure>"
    assert LEAD not in extract_page(_lead_page(caption), "https://city.example/c").text


def test_standfirst_already_in_the_body_is_not_repeated() -> None:
    page = _lead_page("").replace(
        b'<div class="story-body">', f'<div class="story-body"><p>{LEAD}</p>'.encode()
    )
    assert extract_page(page, "https://city.example/d").text.count(LEAD) == 1


def test_metadata_entities_initials_and_the_most_precise_same_day_date() -> None:
    page = f"""<html><head><title>x</title>
<meta property="og:title" content="Mexico to fight &#8216;illogical&#8217; tariffs​">
<meta name="date" content="2024-04-26T20:44">
<meta property="article:published_time" content="2024-04-26T20:44:00+02:00">
<meta name="author" content="Elena Beispiel (ebe), Tom Muster (tmu)"></head>
<body><p>{PARA}</p><p>{PARA}</p></body></html>"""
    got = extract_page(page.encode(), "https://city.example/e")
    assert got.title == "Mexico to fight ‘illogical’ tariffs"
    assert got.authors == ("Elena Beispiel", "Tom Muster")
    assert got.published is not None and got.published.isoformat() == "2024-04-26T20:44:00+02:00"


def test_page_without_declared_date_gets_one_from_its_text() -> None:
    page = (
        f"<html><head><title>x</title></head><body><article><h1>Night buses</h1>"
        f'<p class="date">Published 14 March 2023</p><p>{PARA}</p><p>{PARA}</p>'
        "</article></body></html>"
    )
    got = extract_page(page.encode(), "https://city.example/f")
    assert got.published is not None and got.published.date().isoformat() == "2023-03-14"
    assert got.published.tzinfo is not None


def test_paragraphs_are_blank_line_separated_and_a_br_stays_inside_its_paragraph() -> None:
    poem = "Roses grow along the old harbour wall<br>and nobody remembers who planted them"
    page = (
        "<html><head><title>Roses on the harbour wall</title></head><body><article>"
        f"<h1>Roses on the harbour wall</h1><p>{PARA}</p><p>{poem}</p>"
        f"<p>{PARA} Second.<br><br>{PARA} Third.</p>"
        "<ul><li>First point of the list</li><li>Second point<br>of the list</li></ul>"
        f"<p>{PARA} End.</p></article></body></html>"
    )
    text = extract_page(page.encode(), "https://city.example/harbour").text
    assert text.split("\n\n") == [
        PARA,
        "Roses grow along the old harbour wall\nand nobody remembers who planted them",
        f"{PARA} Second.",
        f"{PARA} Third.",
        "- First point of the list\n- Second point of the list",
        f"{PARA} End.",
    ]
    assert "\u241e" not in text


def _script_page(script: str) -> bytes:
    return (
        "<html><head><title>Night buses extended to the suburbs</title></head><body>"
        f'<div id="root"></div>{script}</body></html>'
    ).encode()


ARTICLE_HTML = (
    f'<p class="editor-p">{PARA}</p>$$ARTICLEAD$$<h2>What changes</h2>'
    f"<p>{PARA} Operators expect more passengers.</p><p>{PARA} From March.</p>"
)


def test_script_rendered_page_body_is_read_from_next_js_server_component_rows() -> None:
    size = len(ARTICLE_HTML.encode("utf-8"))
    rows = [f'0:["$","div",null,{{}}]\n24:T{size:x},{ARTICLE_HTML}', '25:["$","p",null,{}]\n']
    script = "".join(f"<script>self.__next_f.push([1,{json.dumps(r)}])</script>" for r in rows)
    got = extract_page(_script_page(script), "https://city.example/night-buses")
    assert got.text.split("\n\n") == [
        PARA,
        "What changes",
        f"{PARA} Operators expect more passengers.",
        f"{PARA} From March.",
    ]


def test_script_rendered_page_body_is_read_from_next_data() -> None:
    data = {
        "props": {
            "pageProps": {
                "article": {"id": 7, "body": ARTICLE_HTML, "teaser": "Short teaser text."}
            }
        }
    }
    script = f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
    got = extract_page(_script_page(script), "https://city.example/night-buses")
    assert got.text.count(PARA) == 3 and "ARTICLEAD" not in got.text
    assert extract_page(_script_page(script[:-40]), "https://x.example/").text == ""  # cut JSON


def test_a_failing_optional_field_never_costs_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import scraper.extract.extractor as extractor

    def broken(*_: object) -> object:
        raise RuntimeError("hostile figure markup")

    monkeypatch.setattr(extractor, "read_images", broken)
    got = extract_page(PAGE.encode(), "https://city.example/night-buses")
    assert got.text.count(PARA) == 3 and got.images == ()
    assert any(w.startswith("images_failed: RuntimeError") for w in got.warnings)
