"""Regenerate the golden JSON beside each fixture page: ``python -m tests.regen_golden``.

Each case names the page, the URL and Content-Type it is served with, the seed text its
body must match, and the boilerplate the seed-texts README lists for that publisher.
Review the diff of the written ``.json`` files before committing them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scraper.extract.extractor import extract_page, extraction_json

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = FIXTURES / "pages"
SEEDS = FIXTURES / "seed-texts"


@dataclass(frozen=True)
class Case:
    """One golden page and what its extraction must satisfy."""

    page: str  # relative to PAGES
    url: str
    content_type: str | None
    clean_text: str  # relative to SEEDS
    boilerplate: tuple[str, ...]


_TECHTIMES = (
    "Related Article",
    "Read Also",
    "TECHTIMES.com",
    "All rights reserved",
    "Join the Discussion",
    "Share on",
    "Most Popular",
)
_AGGREGATOR = (
    "| BLOOMBERG",
    "| REUTERS",
    "In a time of both misinformation",
    "By subscribing",
    "PHOTO GALLERY",
    "KEYWORDS",
    "Read the original",
    "Last Updated On",
    "Originally Added On",
    "TrendinTech",
    "SUBSCRIBE NOW",
)
_BLOG = (
    "See Also",
    "is its Latest Weapon in the US Tech War",
    "Leave a Reply",
    "Proudly powered",
    "Posted in",
)

CASES: tuple[Case, ...] = (
    Case(
        "techtimes/little-giants.html",
        "https://www.techtimes.com/articles/272222/20220308/china-little-giants.htm",
        "text/html; charset=UTF-8",
        "000_80a2c0029f798d69.clean.txt",
        _TECHTIMES,
    ),
    Case(
        "aggregator/little-giants.html",
        "https://example-aggregator.net/quantum-computing/chinas-little-giants.php",
        "text/html",
        "002_977739124ad0c336.clean.curly.txt",
        _AGGREGATOR,
    ),
    Case(
        "blog/little-giants.html",
        "https://blog.example.net/china-little-giants/",
        None,
        "003_e6c101b011df3c97.clean.txt",
        _BLOG,
    ),
    # windows-1252 bytes served with a UTF-8 header and a UTF-8 <meta>: both lie
    Case(
        "blog/little-giants-cp1252.html",
        "https://blog.example.net/china-little-giants/",
        "text/html; charset=utf-8",
        "003_e6c101b011df3c97.clean.txt",
        _BLOG,
    ),
)


def run_case(case: Case) -> dict[str, object]:
    """The extraction of one case, as ``scraper extract`` prints it."""
    body = (PAGES / case.page).read_bytes()
    return extraction_json(extract_page(body, case.url, case.content_type), case.url)


def golden_path(case: Case) -> Path:
    return (PAGES / case.page).with_suffix(".json")


def main() -> None:
    for case in CASES:
        out = json.dumps(run_case(case), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        golden_path(case).write_text(out, encoding="utf-8")
        print(f"wrote {golden_path(case).relative_to(FIXTURES.parent)}")


if __name__ == "__main__":
    main()
