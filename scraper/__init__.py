"""News scraper: discover → fetch → extract → clean → dedup → store.

Each stage is a package: ``discover/``, ``fetch/``, ``extract/``, ``runtime/`` (what every
run shares: lock, archive writer, worker pool, record builder), ``warc/`` (web archives in
and out), ``crawl/`` (one run tying them together) and ``cli/``; the archive is the
``archive`` package. Beside them, the shared modules: ``seeds``, ``settings``, ``models``,
``errors``, ``urls``, ``logs`` and ``lazy`` (the packages' front doors). ARCHITECTURE.md
draws the data flow and the layers.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsarchiver")
except PackageNotFoundError:  # a source tree on sys.path, not installed
    __version__ = "0+unknown"
