"""Extraction: raw HTML → clean article text and metadata.

The chain (``extractor``): ``charset`` (bytes → text), ``preclean`` (boilerplate nodes
removed before trafilatura, with ``boxes``: inserts and embedded posts set among the
paragraphs, and ``containers``: a body split around ad slots), trafilatura, ``postclean``
(what trafilatura kept that is not the article), with ``patterns`` (the phrases both
cleaners share). Metadata: ``metadata`` (title, authors, description from the head),
``dates`` (published and modified, each with its source), ``language``, ``access``
(free or paywalled), ``images`` (the article's figures) and ``liveblog`` (a live blog's
timed entries). Multi-page articles: ``pagination`` (next and first page links) and
``joining`` (a walk over the extracted pages, joined). ``evaluate`` scores the chain
against ground truth (``scraper eval``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.extract.evaluate import run_eval_cli as run_eval_cli
    from scraper.extract.extractor import (
        EXTRACTOR_VERSION as EXTRACTOR_VERSION,
    )
    from scraper.extract.extractor import (
        extract_file_cli as extract_file_cli,
    )
    from scraper.extract.extractor import (
        extract_for_archive as extract_for_archive,
    )
    from scraper.extract.extractor import (
        extract_page as extract_page,
    )
    from scraper.extract.joining import (
        PageWalk as PageWalk,
    )
    from scraper.extract.joining import (
        joined_with_fingerprint as joined_with_fingerprint,
    )
    from scraper.extract.joining import (
        page_key as page_key,
    )
    from scraper.extract.pagination import marked_page as marked_page
    from scraper.extract.pagination import page_of as page_of

# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "run_eval_cli": "evaluate",
    "EXTRACTOR_VERSION": "extractor",
    "extract_file_cli": "extractor",
    "extract_for_archive": "extractor",
    "extract_page": "extractor",
    "PageWalk": "joining",
    "joined_with_fingerprint": "joining",
    "page_key": "joining",
    "marked_page": "pagination",
    "page_of": "pagination",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
