"""Extraction: raw HTML → clean article text and metadata.

``charset`` (bytes → text), ``preclean`` (boilerplate removed before trafilatura),
``extractor`` (trafilatura and the whole chain), ``postclean`` (what trafilatura kept
that is not the article), ``patterns`` (the phrases both cleaners share), ``metadata``
(title, date, authors) and ``evaluate`` (scores against ground truth).
"""
