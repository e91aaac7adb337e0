"""Publisher simulator: a real loopback HTTP server serving articles, feeds and faults.

Quick use::

    with Simulator(SiteConfig.uniform(publishers=3, articles=10, latency=0.05)) as sim:
        sim.write_seeds(tmp_path)                 # one seed TOML per publisher
        ...crawl...
        sim.requests_for("127.0.0.2", "/news/")   # request log; max_concurrency, min_gap
        sim.site.articles                         # Article: host, path, title, text, published

Hold a run open with a gate, never a latency: ``gate = sim.gate("/news/", host)`` holds
the answers to those requests until ``gate.release()``; ``gate.wait_held()`` says one came.

Hosts are 127.0.0.2, .3, … on one shared port (``sim.port``); ``sim.closed_port`` refuses.
Per host (``HostConfig``): ``/robots.txt`` (robots= ok|404|500|429|timeout|oversized|
allow-news|slow-crawl), ``/feed.rss`` (feed= ok|xxe|billion-laughs|quadratic|truncated|
garbage), ``/atom.xml``, ``/sitemap_index.xml`` → ``/sitemap-news.xml`` +
``/sitemap-archive.xml.gz`` (sitemap= ok|self-index|huge-count|huge-size|gz-bomb), ``/``
and ``/section/<name>/`` listings, articles ``/news/YYYY/MM/<slug>.html`` (ETag,
Last-Modified, 304; the last article of a host answers 503 + Retry-After: 1 once),
``/amp/<slug>.html`` twins, ``/private/secret.html`` (robots-disallowed) and a 404 link.

Fault endpoints on every host (each bounded in bytes and time):
  /fault/status/<code>[?retry_after=<verbatim>|?retry_after_date=<s ahead>]
  /fault/flaky/<key>?fails=N&code=503[&retry_after=S|&retry_after_date=S]  then an article
  /fault/article                       an ordinary article (redirect target)
  /fault/reset[?after=N]               RST before any byte (or after head + N bytes)
  /fault/short-body                    Content-Length larger than the bytes sent, then FIN
  /fault/chunked/<truncated|bad-size|short>   broken chunked encoding
  /fault/malformed/<bare-cr|huge-header|bad-status|garbage>   a head h11 rejects
  /fault/hang?hold=30 (= /fault/no-headers)   request read, nothing sent, close after hold
  /fault/drip?bytes=200&interval=0.5[&head=1] one byte per interval
  /fault/huge-length[?length=]         Content-Length 10 TB, 64 KiB sent
  /fault/endless[?limit_mb=200]        chunked without end (cut at limit or 60 s)
  /fault/bomb/<gzip|deflate|deflate-raw|br>[?size_mb=1024]   ~1 MB (br: 1.6 KB) → 1 GiB
  /fault/stacked?layers=5              Content-Encoding: gzip, gzip, … (body encoded N times)
  /fault/redirect-bomb[?to=&code=302]  3xx whose gzip body inflates to 1 GiB
  /fault/loop/a                        a ↔ b redirect loop
  /fault/chain/<n>                     n redirects, then an article
  /fault/redirect/<file|ftp|data|javascript|metadata|mapped|integer|octal|private|
                   loopback|localhost>  or /fault/redirect?to=<any>&code=30x
  /fault/type/<pdf|image|octet|mislabeled>
  /fault/charset/<meta-only|header-lies|unknown|bom>    text = content.CHARSET_TEXT
  /fault/feed/<xxe|billion-laughs|quadratic|truncated|garbage>  (XXE reads sim.xxe_path,
                                       a temp file holding sim.xxe_secret)
  /fault/sitemap/<self-index|chain/<n>|huge-count|huge-size|gz-bomb>  (chain: endless index)
  /fault/monster/<big|nested|links>    20 MB page, 100k nested divs, 200k links
  /fault/empty                         chrome only, no article
  /fault/links?to=<path>|<path>|…      an RSS feed linking to those targets
"""

from tests.simulator.log import LogEntry, RequestLog
from tests.simulator.server import Gate, Simulator
from tests.simulator.site import Article, HostConfig, Site, SiteConfig, with_host

__all__ = [
    "Article",
    "Gate",
    "HostConfig",
    "LogEntry",
    "RequestLog",
    "Simulator",
    "Site",
    "SiteConfig",
    "with_host",
]
