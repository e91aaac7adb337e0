"""News scraper: discover → fetch → extract → clean → dedup → store.

Each stage is a package: ``discover/``, ``fetch/``, ``extract/``, ``crawl/`` (one run tying
them together), ``warc/`` (web archives in and out) and ``cli/``; the archive is the
``archive`` package. ARCHITECTURE.md draws the data flow.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsarchiver")
except PackageNotFoundError:  # a source tree on sys.path, not installed
    __version__ = "0+unknown"
