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
