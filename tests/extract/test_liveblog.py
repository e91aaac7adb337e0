"""Live blogs: JSON-LD LiveBlogPosting entries in time order, their text as the body."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scraper.extract.extractor import extract_page
from scraper.extract.liveblog import live_text, live_updates

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"


def test_storm_live_blog_entries_oldest_first_and_text_their_concatenation() -> None:
    got = extract_page(
        (PAGES / "newswire" / "storm-live.html").read_bytes(),
        "https://newswire.example/live/storm-brenna",
    )
    assert [u.time for u in got.live_updates] == [
        datetime(2025, 1, 23, 6, 5, tzinfo=UTC),
        datetime(2025, 1, 23, 8, 15, tzinfo=UTC),
        datetime(2025, 1, 23, 9, 40, tzinfo=UTC),
    ]
    assert [u.headline for u in got.live_updates] == [
        "Gusts of 90mph recorded overnight",
        "Coastal road closed at Harrow Point",
        "Ferry services suspended until tomorrow",
    ]
    road = got.live_updates[1].text
    assert road == (
        "Police have closed the coastal road between Harrow Point and the harbour "
        "after waves threw stones onto the carriageway.\n\nDrivers are asked to "
        "use the inland route through Kelby."
    )
    paragraphs = got.text.split("\n\n")
    assert paragraphs[0] == "Gusts of 90mph recorded overnight"
    assert paragraphs[-1].startswith("All ferry crossings")
    assert got.text.count("All ferry crossings") == 1


def test_an_added_entry_only_appends_to_the_text() -> None:
    page = (PAGES / "newswire" / "storm-live.html").read_text("utf-8")
    later = page.replace(
        '"liveBlogUpdate": [',
        '"liveBlogUpdate": [{"@type": "BlogPosting", '
        '"headline": "Power restored", "datePublished": '
        '"2025-01-23T11:00:00Z", "articleBody": "Power is back on."},',
    )
    later = later.replace(
        '<div class="live-entries">',
        '<div class="live-entries"><div '
        'class="live-entry"><h2>Power restored</h2><p>Power is back on.</p>'
        "</div>",
    )
    before = extract_page(page.encode(), "https://newswire.example/live/storm-brenna")
    after = extract_page(later.encode(), "https://newswire.example/live/storm-brenna")
    assert after.text == before.text + "\n\nPower restored\n\nPower is back on."


def test_not_a_live_blog_and_headline_only_entries() -> None:
    assert live_updates([{"@type": "NewsArticle", "liveBlogUpdate": []}]) == ()
    entries = live_updates(
        [
            {
                "@type": ["LiveBlogPosting"],
                "liveBlogUpdate": {
                    "headline": "Kick-off",
                    "datePublished": "2025-03-01T15:00:00+01:00",
                },
            }
        ]
    )
    assert [(u.headline, u.text) for u in entries] == [("Kick-off", "")]
    assert live_text(entries, "Kick-off") is None  # too little to replace the page's text


def _entry(minute: int, text: str) -> dict[str, str]:
    return {
        "headline": f"Entry {minute}",
        "datePublished": f"2025-03-01T15:{minute:02d}:00Z",
        "articleBody": text,
    }


BODY = "Ambulances queued outside the hospital while the road stayed closed for hours. "


def test_page_lead_stays_first_and_entries_the_page_does_not_show_stay_out() -> None:
    blog = [
        {
            "@type": "LiveBlogPosting",
            "liveBlogUpdate": [
                _entry(30, "Second: " + BODY * 2),
                _entry(10, "First: " + BODY * 2),
                _entry(5, "Archived: " + BODY * 2),
            ],
        }
    ]
    updates = live_updates(blog)
    page = (
        (
            f"What we know so far about the closure.\n\nEntry 30\n\nSecond: {BODY * 2}"
            f"\n\nEntry 10\n\nFirst: {BODY * 2}"
        )
        .replace("  ", " ")
        .strip()
    )
    text = live_text(updates, page)
    assert text is not None
    blocks = text.split("\n\n")
    assert blocks[0] == "What we know so far about the closure."
    assert [b for b in blocks if b.startswith("Entry")] == ["Entry 10", "Entry 30"]
    assert "Archived" not in text
    assert len(updates) == 3  # the field keeps every entry the page lists


def test_entries_rendered_by_script_carry_the_article_alone() -> None:
    updates = live_updates(
        [{"@type": "LiveBlogPosting", "liveBlogUpdate": [_entry(10, "First: " + BODY * 3)]}]
    )
    assert live_text(updates, "The coast road is closed.") == (
        "The coast road is closed.\n\nEntry 10\n\nFirst: " + (BODY * 3).strip()
    )


def test_a_long_page_whose_entries_are_not_shown_keeps_its_text() -> None:
    updates = live_updates(
        [{"@type": "LiveBlogPosting", "liveBlogUpdate": [_entry(10, "Elsewhere: " + BODY * 3)]}]
    )
    assert live_text(updates, "An unrelated long article. " * 40) is None
