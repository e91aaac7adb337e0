"""The extractor's version, stored with every article (``scraper reextract`` compares it).

A module of its own so that the crawl's parent process, which stores articles but never
extracts one, can read it without importing trafilatura.
"""

# Bump whenever the text or metadata produced for the same bytes may change.
EXTRACTOR_VERSION = "1.13.0"
