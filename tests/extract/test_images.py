"""Images: the article's own figures with caption, credit and lead; captions not in text."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from archive import ArticleImage
from scraper.extract.extractor import extract_page
from scraper.extract.images import read_images

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
URL = "https://www.riverside-courier.example/news/2024/03/04/council-flood-budget"


def _images(html: str, og: str | None = None) -> tuple[ArticleImage, ...]:
    return read_images(LexborHTMLParser(html), "https://news.example/a/story", og)


def test_courier_figures_in_order_with_captions_credits_and_lead() -> None:
    got = extract_page((PAGES / "courier" / "council-budget.html").read_bytes(), URL)
    assert got.images == (
        ArticleImage(
            "https://www.riverside-courier.example/images/2024/03/weir-1200x630.jpg",
            "The weir at Millbrook, where the river burst its banks twice last winter.",
            "Tomasz Bielak/Riverside Courier",
            lead=True,
        ),
        ArticleImage(
            "https://cdn.riverside-courier.example/images/2024/03/pump-house.jpg",
            "The Victorian pump house on Mill Lane will be fitted with two electric pumps.",
            "Anya Roberts",
        ),
    )
    # neither the logo nor the related-links thumbnails; captions and credits not in text
    for leaked in (
        "weir at Millbrook",
        "Tomasz Bielak",
        "pump house on Mill Lane",
        "Anya Roberts",
        "More from News",
    ):
        assert leaked not in got.text


def test_og_image_leads_when_no_figure_shows_it() -> None:
    html = (
        '<article><h1>T</h1><figure><img src="/a.jpg"><figcaption>A river.'
        "</figcaption></figure></article>"
    )
    got = _images(html, "https://cdn.news.example/og/share-card.png")
    assert [(i.url, i.lead) for i in got] == [
        ("https://cdn.news.example/og/share-card.png", True),
        ("https://news.example/a.jpg", False),
    ]


def test_first_figure_leads_without_og_image() -> None:
    html = (
        '<article><h1>T</h1><figure><img src="one.jpg"></figure>'
        '<figure><img src="two.jpg"></figure></article>'
    )
    got = _images(html)
    assert [(i.url, i.lead) for i in got] == [
        ("https://news.example/a/one.jpg", True),
        ("https://news.example/a/two.jpg", False),
    ]


def test_thumbnails_pixels_and_chrome_are_not_the_articles() -> None:
    html = (
        '<header><figure><img src="/logo.png"></figure></header>'
        "<article><h1>T</h1>"
        '<figure><img src="/pixel.gif" width="1" height="1"></figure>'
        '<figure><a href="/other-story"><img src="/thumb.jpg"></a></figure>'
        '<div class="related-stories"><figure><img src="/rel.jpg"></figure></div>'
        '<aside><figure><img src="/side.jpg"></figure></aside>'
        '<figure><picture><source srcset="/big.webp 1200w, /small.webp 600w">'
        '<img src="data:image/gif;base64,R0lG"></picture></figure></article>'
    )
    assert [i.url for i in _images(html)] == ["https://news.example/big.webp"]


def test_credit_forms_in_caption_text() -> None:
    cases = {
        "Crowds at the gate. Photo: Jane Doe": ("Crowds at the gate.", "Jane Doe"),
        "Crowds at the gate (Foto: Max Muster)": ("Crowds at the gate", "Max Muster"),
        "Crowds at the gate. © Reuters": ("Crowds at the gate.", "Reuters"),
        "Crowds at the gate | AFP": ("Crowds at the gate", "AFP"),
        "Crowds at the gate.": ("Crowds at the gate.", None),
    }
    for caption, (text, credit) in cases.items():
        html = (
            f'<article><h1>T</h1><figure><img src="/x.jpg"><figcaption>{caption}'
            "</figcaption></figure></article>"
        )
        (image,) = _images(html)
        assert (image.caption, image.credit) == (text, credit), caption


def test_credit_element_and_cite() -> None:
    html = (
        '<article><h1>T</h1><figure><img src="/x.jpg"><figcaption>Harbour at dawn '
        "<cite>© Lena Berg</cite></figcaption></figure></article>"
    )
    (image,) = _images(html)
    assert (image.caption, image.credit) == ("Harbour at dawn", "Lena Berg")
