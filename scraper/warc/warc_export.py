"""``scraper export --format warc``: the archive's stored raw pages as WARC response records.

The archive keeps each article's latest page decoded (no request, no wire headers), so
each becomes one ``response`` record with the body marked decoded (the writer renames the
framing headers the way Common Crawl does) and no ``request`` record. A multi-page article
is one record per page, in page order, so an ingest of the export joins them back into one
article (an article archived before v9 has only its first page to give). ``-o`` ending in
``.warc.gz`` is one file, written aside and renamed when whole (or a stream:
:mod:`scraper.cli.output`); any other ``-o`` is a folder of files rotated at
``warc_max_bytes``. A write that fails (a full disk) is :class:`~scraper.errors.OutputError`,
exit 1, not a usage error.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import IO

from archive import Archive, PagePart, RawPage
from scraper.errors import OutputError
from scraper.fetch import Exchange
from scraper.warc.pages import WarcError
from scraper.warc.writer import DEFAULT_MAX_BYTES, WarcWriter

SINGLE_FILE_SUFFIX = ".warc.gz"


def export_warc(
    archive: Archive,
    output: Path,
    *,
    since: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> int:
    """Write the raw pages of the articles fetched since ``since`` (all if None), every page
    of a multi-page one, as files in the folder ``output``; how many pages were written."""
    try:
        return _write(archive, output, since, max_bytes)[0]
    except WarcError as exc:  # the archive was read fine: the output could not be written
        raise OutputError(str(exc)) from None


def export_warc_file(
    archive: Archive, out: Path | IO[bytes], *, since: datetime | None = None
) -> int:
    """As :func:`export_warc`, as one ``.warc.gz`` into the file ``out`` (its caller renames
    it into place when whole) or the binary stream ``out``; how many pages were written."""
    folder = out.parent if isinstance(out, Path) else None  # a stream: the system's temp
    with tempfile.TemporaryDirectory(prefix=".warc-export.", dir=folder) as tmp:
        try:
            count, files = _write(archive, Path(tmp), since, max_bytes=2**62)  # one file
            if isinstance(out, Path):
                if files:
                    files[0].replace(out)
            else:
                for file in files:
                    with file.open("rb") as source:
                        shutil.copyfileobj(source, out)
        except WarcError as exc:
            raise OutputError(str(exc)) from None
        except OSError as exc:
            raise OutputError(f"WARC export: cannot write ({exc.strerror or exc})") from None
    return count


def _write(
    archive: Archive, folder: Path, since: datetime | None, max_bytes: int
) -> tuple[int, list[Path]]:
    writer = WarcWriter(
        folder,
        max_bytes=max_bytes,
        requests=False,
        info={"description": f"newsarchiver export of {archive.path.name}"},
    )
    count = 0
    try:
        for raw in archive.articles.raw_pages():
            if since is None or raw.fetched_at >= since:
                for exchange in exchanges_of(raw):
                    writer.write(exchange)
                    count += 1
    finally:
        writer.close()
    return count, writer.closed_files


def exchanges_of(raw: RawPage) -> list[Exchange]:
    """A stored article's pages as the responses the writer records, in page order."""
    first = PagePart(raw.url, raw.html, raw.fetched_at, raw.http_status, raw.content_type)
    return [_exchange(page) for page in (first, *raw.parts)]


def _exchange(page: PagePart) -> Exchange:
    """One stored page as a response (decoded body, its type)."""
    status = page.http_status or 200
    headers = (("Content-Type", page.content_type),) if page.content_type else ()
    return Exchange(
        method="GET",
        url=page.url,
        request_headers=(),
        status=status,
        reason="OK" if status == 200 else "",
        response_headers=headers,
        body=page.body,
        fetched_at=page.fetched_at,
        decoded=True,
    )
