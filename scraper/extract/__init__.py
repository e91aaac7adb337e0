"""Extraction: raw HTML → clean article text and metadata.

The chain (``extractor``, after ``sniff``: is a local file HTML at all?): ``charset``
(bytes → text), ``preclean`` (boilerplate nodes removed before trafilatura, with
``boxes``: inserts and embedded posts set among the paragraphs, and ``containers``: a
body split around ad slots), trafilatura, ``postclean``
(what trafilatura kept that is not the article), with ``patterns`` (the phrases both
cleaners share). Metadata: ``metadata`` (title, authors, description from the head;
``byline``: the author a page shows but does not declare),
``dates`` (published and modified, each with its source; ``datelocales`` holds the
search for dates in words to the page's language; ``showndates``: the day printed by the
headline), ``language``, ``access``
(free or paywalled), ``images`` (the article's figures) and ``liveblog`` (a live blog's
timed entries). Multi-page articles: ``pagination`` (next and first page links) and
``joining`` (a walk over the extracted pages, joined). ``pagekind`` tells an article from
a listing, a section front or a collection (those give "no article") by the signs
``kindsigns`` reads from the page's tree, and
``metafallback`` fills a title, author or date our rules miss from trafilatura's own
metadata. ``evaluate`` scores the chain against ground truth, ``compare`` beside bare
trafilatura in the same run, and ``evalrun`` is ``scraper eval`` (halves A and B).
``nodes`` is the ancestor walk the modules share, ``version`` the number stored with
each article. ``preload`` is what worker processes
fork from: the extractor imported and the language model loaded once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.lazy import front_door

if TYPE_CHECKING:
    from scraper.extract.evalrun import run_eval_cli
    from scraper.extract.extractor import extract_file_cli, extract_for_archive, extract_page
    from scraper.extract.joining import PageWalk, joined_with_fingerprint, page_key
    from scraper.extract.pagination import marked_page, page_of
    from scraper.extract.version import EXTRACTOR_VERSION


# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "run_eval_cli": "evalrun",
    "EXTRACTOR_VERSION": "version",
    "extract_file_cli": "extractor",
    "extract_for_archive": "extractor",
    "extract_page": "extractor",
    "PageWalk": "joining",
    "joined_with_fingerprint": "joining",
    "page_key": "joining",
    "marked_page": "pagination",
    "page_of": "pagination",
}
__all__ = [
    "EXTRACTOR_VERSION",
    "PageWalk",
    "extract_file_cli",
    "extract_for_archive",
    "extract_page",
    "joined_with_fingerprint",
    "marked_page",
    "page_key",
    "page_of",
    "run_eval_cli",
]


__getattr__ = front_door(__name__, _HOMES)
