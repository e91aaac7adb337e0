"""The archive-facing commands: export, search, reextract, health."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from archive import (
    Archive,
    ArchiveError,
    as_record,
    export_articles,
    format_for,
    parse_since,
    plain_query,
)
from scraper import logs
from scraper.cli.output import STDOUT, is_stream, target_of, write_to
from scraper.errors import ConfigError
from scraper.seeds import Seed, load_seeds
from scraper.settings import Settings
from scraper.warc import WARC_SUFFIXES

if TYPE_CHECKING:
    pass

LOG = logging.getLogger("scraper.cli")


def _open_existing(db: Path, *, write: bool = False) -> Archive:
    """The archive at ``db``; read-only unless ``write`` (reading needs only read access)."""
    if not db.exists():
        raise ConfigError(f"--db: no archive at {db} (run `scraper crawl` first)")
    return Archive.open(db) if write else Archive.open_reader(db)


def export_cmd(
    db: Path, fmt: str | None, since: str | None, include_duplicates: bool, output: Path | None
) -> int:
    """Stream articles to ``output`` (written through it: :mod:`scraper.cli.output`) or
    standard output.

    Without ``fmt`` the format is the output's suffix (.jsonl, .csv, .parquet, .warc.gz),
    or jsonl on standard output.
    """
    if fmt is None and output is not None:
        fmt = "warc" if output.name.lower().endswith(WARC_SUFFIXES) else format_for(output)
        if fmt is None and not is_stream(output):  # a stream without a suffix: jsonl
            raise ConfigError(
                f"-o {output}: cannot tell the format from the suffix "
                f"{output.suffix or '(none)'!r}; use .jsonl, .csv, .parquet or "
                ".warc.gz, or say --format"
            )
    fmt = fmt or "jsonl"
    try:
        since_time = parse_since(since) if since else None
    except ValueError as exc:
        raise ConfigError(f"--since: {exc}") from None
    if fmt in ("parquet", "warc") and output is None:
        raise ConfigError(f"--format {fmt} needs -o {'FILE' if fmt == 'parquet' else 'PATH'}")
    if fmt == "warc":
        return _export_warc(db, output, since_time)  # type: ignore[arg-type]
    target = target_of(output) if output is not None else None
    with _open_existing(db) as archive:
        if target is None:
            count = export_articles(
                archive,
                sys.stdout,
                fmt=fmt,
                since=since_time,
                include_duplicates=include_duplicates,
            )
        else:
            count = write_to(
                target,
                lambda out: export_articles(
                    archive,
                    out,
                    fmt=fmt,
                    since=since_time,  # type: ignore[arg-type]
                    include_duplicates=include_duplicates,
                ),
            )
    LOG.info(f"exported {count} article(s)")
    return 0


def _export_warc(db: Path, output: Path, since: object) -> int:
    from scraper.warc import SINGLE_FILE_SUFFIX, export_warc, export_warc_file

    max_bytes = Settings.from_env().warc_max_bytes
    # one file: "-", a .warc.gz name, or something other than a folder standing there
    single = (
        str(output) == STDOUT
        or output.name.endswith(SINGLE_FILE_SUFFIX)
        or (output.exists() and not output.is_dir())
    )
    target = target_of(output) if single else None
    with _open_existing(db) as archive:
        if target is None:
            count = export_warc(
                archive,
                output,
                since=since,  # type: ignore[arg-type]
                max_bytes=max_bytes,
            )
        else:
            count = write_to(target, lambda out: export_warc_file(archive, out, since=since))  # type: ignore[arg-type]
    LOG.info(f"exported {count} raw page(s) as WARC to {output}")
    return 0


def search_cmd(db: Path, query: str, limit: int, as_json: bool) -> int:
    """Print the best hits, one per article."""
    with _open_existing(db) as archive:
        try:
            hits = archive.articles.search(query, limit=limit)
        except ArchiveError:
            # Not valid FTS5 syntax (a stray quote, a hyphen): search the words instead.
            words = plain_query(query)
            if not words:
                raise ConfigError(f"nothing to search for in {query!r}") from None
            hits = archive.articles.search(words, limit=limit)
    for hit in hits:
        if as_json:
            print(
                json.dumps(
                    as_record(
                        {
                            "id": hit.article_id,
                            "url": hit.url,
                            "title": hit.title,
                            "site": hit.site,
                            "published": hit.published,
                            "snippet": hit.snippet,
                        }
                    ),
                    ensure_ascii=False,
                )
            )
        else:
            print(f"{hit.title or '(no title)'}\n  {hit.url}\n  {hit.snippet}\n")
    if not as_json:
        LOG.info(f"{len(hits)} hit(s)")
    return 0


def check_cmd(settings: Settings, names: list[str]) -> int:
    """``scraper check``: try each seed; 0 when all work, 3 when any failed, 2 unknown NAME."""
    from scraper.crawl import run_check
    from scraper.fetch import parse_networks, refuse_private_addresses

    seeds = load_seeds(settings.seeds_path)
    parse_networks(settings.allow_addresses)
    refuse_private_addresses(seeds, settings.allow_addresses)
    if names:
        known = {s.name for s in seeds}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(
                f"no seed named {', '.join(map(repr, unknown))} in "
                f"{settings.seeds_path} (seeds: {', '.join(sorted(known))})"
            )
        seeds = [s for s in seeds if s.name in names]
    lines, ok = run_check(seeds, settings)
    print("\n".join(lines))
    return 0 if ok else 3


def health_cmd(db: Path, runs: int, as_json: bool, html: Path | None = None) -> int:
    """Judge each publisher's latest run against its earlier ones; 3 if any is not ok.

    ``runs`` nights are read (the page's charts); the last ``DEFAULT_RUNS`` of them are
    judged, as the crawl judges, so both exit 3 on the same night.
    """
    from scraper.crawl import (
        MIN_HISTORY,
        attention,
        health_table,
        judge_all,
        render_health_page,
        write_health_page,
    )
    from scraper.models import utc_now

    if runs < MIN_HISTORY + 1:
        raise ConfigError(
            f"--runs {runs}: at least {MIN_HISTORY + 1} runs are needed "
            "to judge (the latest and two before it)"
        )
    if html is not None and not html.parent.is_dir():
        raise ConfigError(f"--html: no folder {html.parent} to write {html.name} in")
    with _open_existing(db) as archive:
        history = archive.publisher_runs.history(runs)
        last_new = archive.publisher_runs.last_new() if html is not None else {}
    verdicts = judge_all(history)
    if html is not None:
        page = render_health_page(verdicts, history, last_new, generated=utc_now(), runs=runs)
        write_health_page(html, page)
        LOG.info(f"health page written to {html}")
    if as_json:
        print(json.dumps({"publishers": [v.as_json() for v in verdicts]}, ensure_ascii=False))
    elif not verdicts:
        print("no crawl run has recorded publisher figures yet (run `scraper crawl`)")
    else:
        print("\n".join(health_table(verdicts)))
    return 3 if attention(verdicts) else 0


def reextract_cmd(settings: Settings) -> int:
    """Re-run extraction over every stored raw page; update what changed; no network.

    ``settings`` (``SCRAPER_*`` as for a crawl) give the workers, their limits and the
    shortest article kept.
    """
    from scraper.runtime import reextract_archive

    seeds = _seeds_by_name(settings.seeds_path)
    with _open_existing(settings.db_path, write=True) as archive:
        tally = asyncio.run(reextract_archive(archive, seeds, settings))
    logging.getLogger(logs.SUMMARY).info(tally.summary_line())
    return 3 if tally.failed else 0


def _seeds_by_name(path: Path | None) -> dict[str, Seed]:
    if path is None or not path.exists():
        return {}
    return {s.name: s for s in load_seeds(path)}
