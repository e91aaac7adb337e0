"""News scraper: discover → fetch → extract → clean → dedup → store.

The pipeline stages live in their own modules:

    seeds.py      publisher configuration (``seeds/*.toml``) loaded into typed objects
    urls.py       URL canonicalisation (tracking parameters, fragments, case)
    discover.py   RSS/Atom feeds, sitemaps, listing pages → candidate article URLs
    netguard.py   refuses loopback/private/link-local targets unless allowed
    robots.py     robots.txt per RFC 9309, cached per run
    politeness.py per-host concurrency, minimum delay and back-off
    fetch.py      one guarded HTTP fetch: size caps, own redirects, deadline, retries
    charset.py    bytes → text (BOM, header, meta, detection)
    extract.py    trafilatura with metadata, behind the cleaning layer
    clean.py      boilerplate removal before and after trafilatura
    pipeline.py   one crawl run tying the stages together
    cli.py        the ``scraper`` command
"""

__version__ = "0.1.0"
