"""Peer crawlers for the side-by-side bench, each run as its own process.

Every runner reads a URL list, fetches it under the given politeness and writes
``{"url", "text"}`` JSON lines. They need the bench environment (``make bench`` builds
``build/venv-bench`` with the ``bench`` extra); Scrapy is never a runtime dependency.
"""
