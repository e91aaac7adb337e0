"""The ``scraper`` command: crawl, ingest, check, health, extract, eval, export, search,
reextract.

Exit codes (stable): 0 all done; 1 fatal error; 2 usage or configuration error;
3 a person should look (a crawl: a publisher judged not ok, articles not written, or the
run interrupted; a 404 article or a few timeouts retried next run are not that); 75
another run holds the lock. Errors are one log line on stderr, never a traceback (set
SCRAPER_DEBUG=1 for one). Every subcommand takes the logging options (:mod:`scraper.logs`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from scraper import __version__, logs
from scraper.errors import ConfigError, LockHeld
from scraper.warc import ENGINES, WarcError

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_PARTIAL, EXIT_LOCKED = 0, 1, 2, 3, 75
MAX_HITS = 100_000  # search --limit
MAX_RUNS = 10_000  # health --runs


def whole(option: str, value: int, low: int, high: int) -> int:
    """``value`` if ``low <= value <= high``; else a one-line usage error (exit 2), never
    an overflow deep in SQLite (exit 1)."""
    if not low <= value <= high:
        raise ConfigError(f"{option}: must be from {low} to {high:,}, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scraper",
        description="Boilerplate-stripping news scraper and deduplicating SQLite archiver.",
        epilog="Exit codes: 0 done, 1 fatal, 2 usage/config error, 3 some failures, "
        "75 another run holds the lock.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _logging_options()

    def add(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    crawl = add("crawl", "discover, fetch, clean and archive new articles")
    crawl.add_argument(
        "--seeds",
        type=Path,
        default=Path("seeds"),
        help="a seed TOML file or a folder of them (default: seeds)",
    )
    _db_arg(crawl)
    crawl.add_argument(
        "--allow-address",
        action="append",
        default=[],
        metavar="ADDR",
        help="allow this private/loopback IP or CIDR (repeatable; tests, demo)",
    )
    crawl.add_argument(
        "--max-pages",
        type=int,
        default=None,
        metavar="N",
        help="fetch at most N new article pages this run",
    )
    crawl.add_argument(
        "--budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop starting new fetches after this many seconds",
    )
    crawl.add_argument(
        "--delay",
        type=float,
        default=None,
        metavar="SECONDS",
        help="minimum delay between requests to one host (default 1.0)",
    )
    crawl.add_argument(
        "--max-retry-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="longest Retry-After (429/503) waited for; a longer one defers "
        "the URL to the next run (default 120)",
    )
    crawl.add_argument("--user-agent", default=None, help="User-Agent header to send")
    crawl.add_argument(
        "--warc-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write every fetched response, with its request, as "
        "WARC/1.1 files in DIR (rotated at 1 GB; SCRAPER_WARC_MAX_BYTES)",
    )

    ingest = add("ingest", "extract and archive the HTML pages of WARC files (CC-NEWS too)")
    ingest.add_argument(
        "paths",
        type=Path,
        nargs="+",
        metavar="PATH",
        help=".warc or .warc.gz files, or folders of them",
    )
    _db_arg(ingest)
    ingest.add_argument(
        "--seeds",
        type=Path,
        default=None,
        help="seed files: pages in a seed's domain get its name and "
        "extraction rules (default: none, the site is the URL's host)",
    )
    ingest.add_argument(
        "--only-seeds", action="store_true", help="skip pages outside every seed's domain"
    )
    ingest.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local worker processes, or Dask distributed (the dask extra)",
    )
    ingest.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address (default: a LocalCluster)",
    )
    ingest.add_argument(
        "--workers",
        type=int,
        default=2,
        metavar="N",
        help="LocalCluster worker processes for --engine dask (default 2)",
    )

    extract = add("extract", "extract one saved HTML page and print JSON")
    extract.add_argument("file", type=Path, metavar="FILE")
    extract.add_argument("--url", default=None, help="the page's URL (helps links, metadata)")

    ev = add("eval", "measure extraction against a dataset with ground truth")
    ev.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    ev.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="write {id: {articleBody: text}} JSON here",
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object of figures")
    ev.add_argument(
        "--ours-only",
        action="store_true",
        help="run the crawl's extraction alone, without bare trafilatura beside each page "
        "(same figures, no comparison; what a timing of our extraction should run)",
    )

    export = add(
        "export", "write archived articles as jsonl, csv or parquet, or their raw pages as WARC"
    )
    _db_arg(export)
    export.add_argument(
        "--format",
        choices=("jsonl", "csv", "parquet", "warc"),
        default=None,
        help="default: from the -o suffix (.jsonl, .csv, .parquet, .warc.gz), "
        "else jsonl; warc: the stored raw pages as response records (every "
        "page of a multi-page article), -o FILE.warc.gz or a folder",
    )
    export.add_argument(
        "--since",
        default=None,
        metavar="TIME",
        help="only articles fetched or updated since (ISO time, or 24h, 7d)",
    )
    export.add_argument(
        "--include-duplicates",
        action="store_true",
        help="also export articles linked as duplicates of another",
    )
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="output file (default: standard output)",
    )

    search = add("search", "full-text search over title and text")
    search.add_argument("query", metavar="QUERY")
    _db_arg(search)
    search.add_argument(
        "--limit", type=int, default=20, help=f"most hits shown (1 to {MAX_HITS:,}; default 20)"
    )
    search.add_argument("--json", action="store_true", help="one JSON object per hit")

    check = add(
        "check",
        "try each seed (robots.txt, feeds, sitemaps, listings, sample articles) before trusting it",
    )
    check.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="check only these seeds (their name); default: every seed",
    )
    check.add_argument(
        "--seeds",
        type=Path,
        default=Path("seeds"),
        help="a seed TOML file or a folder of them (default: seeds)",
    )
    check.add_argument(
        "--allow-address",
        action="append",
        default=[],
        metavar="ADDR",
        help="allow this private/loopback IP or CIDR (repeatable; tests, demo)",
    )
    check.add_argument(
        "--delay",
        type=float,
        default=None,
        metavar="SECONDS",
        help="minimum delay between requests to one host (default 1.0)",
    )
    check.add_argument("--user-agent", default=None, help="User-Agent header to send")

    onboard = add(
        "add",
        "write a working seed file for the publisher at URL: finds its "
        "feeds, sitemaps and fronts and its article URL pattern, then checks it",
    )
    onboard.add_argument("url", metavar="URL", help="the publisher's home page")
    onboard.add_argument(
        "--name",
        default=None,
        help="the publisher's name (default: the home page's og:site_name "
        "or <title>); the file is named after it",
    )
    onboard.add_argument(
        "--seeds",
        type=Path,
        default=Path("seeds"),
        metavar="DIR",
        help="folder the seed is written to, as DIR/<slug>.toml (default: seeds)",
    )
    onboard.add_argument(
        "--allow-address",
        action="append",
        default=[],
        metavar="ADDR",
        help="allow this private/loopback IP or CIDR (repeatable; tests, demo)",
    )
    onboard.add_argument(
        "--force", action="store_true", help="replace an existing seed file of the same name"
    )
    onboard.add_argument(
        "--delay",
        type=float,
        default=None,
        metavar="SECONDS",
        help="minimum delay between requests to one host (default 1.0)",
    )
    onboard.add_argument("--user-agent", default=None, help="User-Agent header to send")
    onboard.epilog = (
        "At most 40 requests, through the crawl's fetcher (robots.txt, delay, "
        "address guard). Exit 0: written and `scraper check` passed; 3: no way "
        "to discover articles found, or the check failed; 2: bad URL or the "
        "seed exists (nothing overwritten)."
    )

    health = add("health", "judge each publisher's latest run against its earlier runs")
    _db_arg(health)
    health.add_argument(
        "--runs",
        type=int,
        default=30,
        metavar="N",
        help="nights read per publisher, the latest and up to N-1 before it "
        "(default 30, at least 3); the last 10 of them are judged, as the "
        "crawl judges",
    )
    health.add_argument(
        "--json",
        action="store_true",
        help='one JSON object: {"publishers": [{"name", "status", "reasons", ...figures}]}',
    )
    health.add_argument(
        "--html",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write a self-contained dashboard page (inline SVG charts "
        "over the nights read, no script) to FILE, atomically",
    )

    re_ = add(
        "reextract",
        "re-run extraction over stored raw HTML, every page of a multi-page article (offline)",
    )
    _db_arg(re_)
    re_.add_argument(
        "--seeds",
        type=Path,
        default=Path("seeds"),
        help="seed files, for per-publisher extraction rules (default: seeds)",
    )
    return parser


def _logging_options() -> argparse.ArgumentParser:
    """The options every subcommand takes: how much to log, where and in what form."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("logging")
    level = group.add_mutually_exclusive_group()
    level.add_argument(
        "--log-level",
        choices=logs.LEVELS,
        default=None,
        help="least severe level logged (default: info)",
    )
    level.add_argument(
        "-v",
        "--verbose",
        action="store_const",
        dest="log_level",
        const="debug",
        help="log debug lines too (--log-level debug)",
    )
    level.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="warnings and errors only, and no live table on a terminal",
    )
    group.add_argument(
        "--log-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="also append every log line, timestamped, to FILE",
    )
    group.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        default="text",
        help="text (timestamped when not on a terminal) or json, one object per line",
    )
    return common


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=Path("data/archive.db"),
        help="archive database (default: data/archive.db)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    _utf8_stdout()
    args = build_parser().parse_args(argv)
    try:
        logs.configure(
            args.log_level or ("warning" if args.quiet else "info"),
            fmt=args.log_format,
            log_file=args.log_file,
        )
    except OSError as exc:
        print(
            f"scraper: cannot open the log file {args.log_file}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "crawl": _crawl,
        "ingest": _ingest,
        "extract": _extract,
        "eval": _eval,
        "export": _export,
        "search": _search,
        "reextract": _reextract,
        "health": _health,
        "check": _check,
        "add": _add,
    }
    try:
        return handlers[args.command](args)
    except ConfigError as exc:
        return _fail(f"configuration error: {exc}", EXIT_USAGE)
    except LockHeld as exc:
        return _fail(f"locked: {exc}", EXIT_LOCKED)
    except WarcError as exc:  # a missing path or a file that is not WARC: bad input
        return _fail(_one_line(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_PARTIAL)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, not a traceback
        from archive import ArchiveError

        if os.environ.get("SCRAPER_DEBUG"):
            raise
        kind = "archive error" if isinstance(exc, ArchiveError) else "fatal"
        return _fail(f"{kind}: {_one_line(exc)}", EXIT_FATAL)


def _fail(message: str, code: int) -> int:
    logging.getLogger(logs.LOGGER).error(f"scraper: {message}")
    return code


def _utf8_stdout() -> None:
    """Standard output and error are UTF-8 whatever the locale (cron's is often C/POSIX)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _crawl(args: argparse.Namespace) -> int:
    from scraper.crawl import run_crawl
    from scraper.settings import Settings

    settings = Settings.from_env().with_overrides(
        db_path=args.db,
        seeds_path=args.seeds,
        max_pages=args.max_pages,
        run_budget=args.budget,
        per_host_delay=args.delay,
        user_agent=args.user_agent,
        allow_addresses=tuple(args.allow_address) or None,
        warc_dir=args.warc_dir,
        max_retry_after=args.max_retry_after,
    )
    return run_crawl(settings, quiet=args.quiet)


def _ingest(args: argparse.Namespace) -> int:
    from scraper.settings import Settings
    from scraper.warc import IngestRequest, run_ingest

    if args.workers < 1:
        raise ConfigError(f"--workers: must be at least 1, got {args.workers}")
    if args.engine != "dask" and (args.scheduler or args.workers != 2):
        raise ConfigError("--scheduler and --workers are for --engine dask")
    settings = Settings.from_env().with_overrides(db_path=args.db)
    request = IngestRequest(
        tuple(args.paths),
        seeds_path=args.seeds,
        only_seeds=args.only_seeds,
        engine=args.engine,
        scheduler=args.scheduler,
        workers=args.workers,
    )
    return run_ingest(settings, request, quiet=args.quiet)


def _extract(args: argparse.Namespace) -> int:
    from scraper.cli.capped_extract import extract_file_capped
    from scraper.settings import Settings

    return extract_file_capped(args.file, args.url, Settings.from_env())


def _eval(args: argparse.Namespace) -> int:
    from scraper.extract import run_eval_cli

    return run_eval_cli(args.dataset, args.output, args.json, beside_bare=not args.ours_only)


def _export(args: argparse.Namespace) -> int:
    from scraper.cli.commands import export_cmd

    return export_cmd(args.db, args.format, args.since, args.include_duplicates, args.output)


def _search(args: argparse.Namespace) -> int:
    from scraper.cli.commands import search_cmd

    return search_cmd(args.db, args.query, whole("--limit", args.limit, 1, MAX_HITS), args.json)


def _check(args: argparse.Namespace) -> int:
    from scraper.cli.commands import check_cmd
    from scraper.settings import Settings

    settings = Settings.from_env().with_overrides(
        seeds_path=args.seeds,
        user_agent=args.user_agent,
        per_host_delay=args.delay,
        allow_addresses=tuple(args.allow_address) or None,
    )
    return check_cmd(settings, args.names)


def _add(args: argparse.Namespace) -> int:
    from scraper.cli.add import add_cmd
    from scraper.settings import Settings

    settings = Settings.from_env().with_overrides(
        user_agent=args.user_agent,
        per_host_delay=args.delay,
        allow_addresses=tuple(args.allow_address) or None,
    )
    return add_cmd(settings, args.url, args.name, args.seeds, args.force)


def _health(args: argparse.Namespace) -> int:
    from scraper.cli.commands import health_cmd

    if args.runs > MAX_RUNS:  # fewer than 3: health_cmd says why
        whole("--runs", args.runs, 1, MAX_RUNS)
    return health_cmd(args.db, args.runs, args.json, args.html)


def _reextract(args: argparse.Namespace) -> int:
    from scraper.cli.commands import reextract_cmd
    from scraper.settings import Settings

    settings = Settings.from_env().with_overrides(db_path=args.db, seeds_path=args.seeds)
    return reextract_cmd(settings)


if __name__ == "__main__":
    sys.exit(main())
