"""Shared helpers for the fault-injection suite: real CLI crawls against the simulator.

A crawl runs the real ``scraper crawl`` in a subprocess (real sockets, exit code, signals)
through a tiny wrapper that writes the crawler's own peak RSS (``VmHWM``) to a file on
exit; extraction workers are watched through ``/proc`` (``VmHWM``) while the
crawl runs. Fault endpoints are reached through ordinary discovery: a seed whose feed is the
simulator's ``/fault/links?to=…`` lists them. The archive is then read with plain SQL, as a
user (or datasette) would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from scraper.fetch.client import build_client
from scraper.fetch.fetcher import Fetcher
from scraper.fetch.guard import AddressGuard
from scraper.fetch.politeness import HostScheduler
from scraper.settings import Settings
from tests.simulator import HostConfig, Simulator, SiteConfig

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
LOOPBACK = "127.0.0.0/8"

# Small timeouts and no politeness delay: every fault ends in seconds, not minutes.
FAST_ENV: dict[str, str] = {
    "SCRAPER_PER_HOST_DELAY": "0",
    "SCRAPER_MAX_TRIES": "3",
    "SCRAPER_BACKOFF_BASE": "0.05",
    "SCRAPER_BACKOFF_MAX": "0.2",
    "SCRAPER_CONNECT_TIMEOUT": "2",
    "SCRAPER_READ_TIMEOUT": "2",
    "SCRAPER_REQUEST_DEADLINE": "5",
    "SCRAPER_EXTRACT_WORKERS": "1",
    "SCRAPER_RUN_BUDGET": "120",
    "SCRAPER_MAX_CRAWL_DELAY": "0.3",
}

# Runs the real CLI entry point, then records this process's peak RSS in KiB. VmHWM, not
# getrusage: Linux carries ru_maxrss across execve, and subprocess forks with vfork, so
# ru_maxrss would report the test runner's own peak; VmHWM belongs to the new image only.
_WRAPPER = (
    "import os, resource, sys\n"
    "if os.environ.get('FAULTKIT_FSIZE'):  # a full disk: writes past this size fail (EFBIG)\n"
    "    size = int(os.environ['FAULTKIT_FSIZE'])\n"
    "    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))\n"
    "if os.environ.get('FAULTKIT_HOSTS'):  # test names (pub-a.test=127.0.0.2 …) to loopback\n"
    "    import socket\n"
    "    names = dict(p.split('=') for p in os.environ['FAULTKIT_HOSTS'].split())\n"
    "    system = socket.getaddrinfo\n"
    "    def lookup(host, *args, **kwargs):\n"
    "        return system(names.get(host, host), *args, **kwargs)\n"
    "    socket.getaddrinfo = lookup\n"
    "from scraper.cli.main import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
    "with open(os.environ['FAULTKIT_RSS_FILE'], 'w') as fh:\n"
    "    fh.write(hwm)\n"
    "sys.exit(code)\n"
)


@dataclass(frozen=True)
class CrawlResult:
    """What one CLI crawl did: exit code, output, time and memory."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_kib: int | None  # the crawler process itself (None if it did not exit normally)
    worker_peak_kib: int  # largest VmHWM seen among its child processes (0 if none seen)

    @property
    def peak_mib(self) -> float:
        assert self.peak_kib is not None, "the crawler did not report its peak RSS"
        return self.peak_kib / 1024

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def crawl_env(**overrides: object) -> dict[str, str]:
    """FAST_ENV plus ``overrides`` given as field names (``max_tries=2``)."""
    env = dict(FAST_ENV)
    env.update({f"SCRAPER_{k.upper()}": str(v) for k, v in overrides.items()})
    return env


def cli_command(*args: str, rss_file: Path | None = None) -> tuple[list[str], dict[str, str]]:
    """argv and environment for the CLI, measured through the wrapper when ``rss_file``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SCRAPER_DEBUG", None)
    if rss_file is None:
        return [sys.executable, "-m", "scraper", *args], env
    env["FAULTKIT_RSS_FILE"] = str(rss_file)
    return [sys.executable, "-c", _WRAPPER, *args], env


def crawl_args(
    seeds: Path, db: Path, *, allow: Iterable[str] = (LOOPBACK,), extra: Iterable[str] = ()
) -> list[str]:
    allowed = [a for addr in allow for a in ("--allow-address", addr)]
    return ["crawl", "--seeds", str(seeds), "--db", str(db), *allowed, "--quiet", *extra]


def crawl(
    seeds: Path,
    db: Path,
    *,
    env: Mapping[str, str] | None = None,
    allow: Iterable[str] = (LOOPBACK,),
    extra: Iterable[str] = (),
    timeout: float = 100,
    names: Mapping[str, str] | None = None,
) -> CrawlResult:
    """Run one crawl to the end (bounded by ``timeout``) and measure it.

    ``names`` maps host names to addresses for the crawler's resolver (``pub-a.test`` →
    a simulator host), so a crawl can fetch by name as it would on the web.
    """
    rss_file = db.with_name(db.name + f".rss-{time.monotonic_ns()}")
    argv, full_env = cli_command(
        *crawl_args(seeds, db, allow=allow, extra=extra), rss_file=rss_file
    )
    full_env.update(env if env is not None else FAST_ENV)
    if names:
        full_env["FAULTKIT_HOSTS"] = " ".join(f"{n}={a}" for n, a in names.items())
    started = time.monotonic()
    proc = subprocess.Popen(
        argv,
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    watcher = ChildWatcher(proc.pid)
    watcher.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        raise AssertionError(f"crawl did not finish in {timeout}s:\n{err[-2000:]}") from None
    finally:
        watcher.stop()
        kill_group(proc)
    peak = int(rss_file.read_text()) if rss_file.exists() else None
    rss_file.unlink(missing_ok=True)
    return CrawlResult(
        proc.returncode, out, err, time.monotonic() - started, peak, watcher.peak_kib
    )


def start_crawl(
    seeds: Path,
    db: Path,
    *,
    env: Mapping[str, str] | None = None,
    allow: Iterable[str] = (LOOPBACK,),
) -> subprocess.Popen[str]:
    """Start a crawl in its own process group and return at once (for signal tests)."""
    argv, full_env = cli_command(*crawl_args(seeds, db, allow=allow))
    full_env.update(env if env is not None else FAST_ENV)
    return subprocess.Popen(
        argv,
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def start_script(
    code: str, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """Run Python ``code`` (``args`` as its argv) in its own process group, the project
    importable; stop what is left of it with :func:`kill_group`."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL what is left of the process group this test started (leader, workers)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


class ChildWatcher:
    """Polls ``/proc`` for the descendants of ``pid`` and keeps their largest VmHWM."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            for child in descendants(self.pid):
                self.peak_kib = max(self.peak_kib, _status_kib(child, "VmHWM"))
            self._stop.wait(self.interval)


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children, grandchildren …)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name (field 2) may contain spaces.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == current]
        found.extend(kids)
        frontier.extend(kids)
    return found


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


# -- seeds -----------------------------------------------------------------------------


def fast_site(*hosts: HostConfig, articles: int = 2) -> SiteConfig:
    """Hosts without Crawl-delay (``crawl_delay=None``) unless given explicitly."""
    if not hosts:
        hosts = (HostConfig(articles=articles, crawl_delay=None),)
    return SiteConfig(hosts=tuple(hosts))


def links_url(sim: Simulator, host: str, targets: Iterable[str]) -> str:
    return sim.url("/fault/links?to=" + quote("|".join(targets), safe=""), host)


def links_seed(
    folder: Path,
    sim: Simulator,
    host: str,
    targets: Iterable[str],
    *,
    name: str | None = None,
    concurrency: int = 8,
    lines: Iterable[str] = (),
) -> Path:
    """A seed whose only feed lists ``targets`` (paths on ``host``, or absolute URLs)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = name or f"faults-{host}"
    path = folder / f"{name}.toml"
    toml = [
        f'name = "{name}"',
        f'domain = "{host}"',
        f'feeds = ["{links_url(sim, host, targets)}"]',
        "include = ['^/fault/']",
        f"per_host_concurrency = {concurrency}",
        *lines,
    ]
    path.write_text("\n".join(toml) + "\n", encoding="utf-8")
    return path


def raw_seed(folder: Path, name: str, domain: str, **keys: Iterable[str] | float) -> Path:
    """A seed with explicit ``feeds``/``sitemaps``/``include``… and numbers (concurrency)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f'name = "{name}"', f'domain = "{domain}"']
    lines += [
        f"{key} = {json.dumps(v if isinstance(v, int | float) else list(v))}"
        for key, v in keys.items()
    ]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- reading the archive -----------------------------------------------------------------


@dataclass(frozen=True)
class UrlRow:
    """One row of the archive's ``urls`` table."""

    url: str
    outcome: str | None
    reason: str | None
    status: int | None
    article_id: int | None


def target(url: str) -> str:
    """Path and query of a URL: the key tests use for fault endpoints."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def url_rows(db: Path) -> dict[str, UrlRow]:
    """``urls`` rows keyed by path+query (hosts differ only by address in these tests)."""
    with contextlib.closing(connect(db)) as conn:
        found = conn.execute("SELECT url, outcome, reason, status, article_id FROM urls")
        return {target(r[0]): UrlRow(*r) for r in found}


def url_rows_by_url(db: Path) -> dict[str, UrlRow]:
    with contextlib.closing(connect(db)) as conn:
        found = conn.execute("SELECT url, outcome, reason, status, article_id FROM urls")
        return {r[0]: UrlRow(*r) for r in found}


def archived(db: Path) -> dict[str, int]:
    """Every URL the archive knows as an article (any alias) → its article id."""
    with contextlib.closing(connect(db)) as conn:
        return {target(u): a for u, a in conn.execute("SELECT url, article_id FROM article_urls")}


def article_texts(db: Path) -> dict[int, str]:
    with contextlib.closing(connect(db)) as conn:
        return dict(conn.execute("SELECT id, text FROM articles"))


def runs(db: Path) -> list[tuple[str, dict[str, int]]]:
    """(status, counts) of every run, oldest first."""
    with contextlib.closing(connect(db)) as conn:
        found = conn.execute("SELECT status, counts FROM runs ORDER BY id").fetchall()
    return [(status, json.loads(counts or "{}")) for status, counts in found]


def requests_to(sim: Simulator, path: str, host: str | None = None) -> int:
    """How many requests reached ``path`` (exact path+query match, any host by default)."""
    return len([e for e in sim.log if e.target == path and (host is None or e.host == host)])


def has_schema(conn: sqlite3.Connection) -> bool:
    """Whether the archive's schema exists (a crawler killed in its first second may leave
    an empty database file: valid, and the next run creates the schema)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'runs'").fetchone() is not None


def consistency_problems(db: Path) -> list[str]:
    """Everything wrong with an archive after a crash; empty when it is whole."""
    problems: list[str] = []
    with contextlib.closing(sqlite3.connect(db)) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            problems.append(f"integrity_check: {check}")
        if not has_schema(conn):  # killed before the schema's one transaction committed
            tables = conn.execute("SELECT name FROM sqlite_master").fetchall()
            return problems + ([f"half a schema: {tables}"] if tables else [])
        try:  # FTS5's own check of its index structure
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"fts integrity: {exc}")
        for label, sql in _WHOLE_ARTICLE_CHECKS.items():
            bad = conn.execute(sql).fetchall()
            if bad:
                problems.append(f"{label}: {bad[:5]}")
        problems += _fts_problems(conn)
    return problems


_WHOLE_ARTICLE_CHECKS = {
    "article without text": "SELECT id FROM articles WHERE length(trim(text)) = 0",
    "article without URL": "SELECT id FROM articles WHERE id NOT IN "
    "(SELECT article_id FROM article_urls)",
    "article without raw page": "SELECT id FROM articles WHERE id NOT IN "
    "(SELECT article_id FROM raw_pages)",
    "version gap": "SELECT a.id FROM articles a WHERE a.version - 1 != "
    "(SELECT count(*) FROM article_versions v WHERE v.article_id = a.id)",
    "URL of a missing article": "SELECT url FROM article_urls WHERE article_id NOT IN "
    "(SELECT id FROM articles)",
}


def _fts_problems(conn: sqlite3.Connection) -> list[str]:
    """The index holds exactly the root articles (duplicates stay out), one hit each."""
    # External content: SELECT on articles_fts reads the content table, so ask the index's
    # own shadow table (one docsize row per indexed rowid) what it really holds.
    indexed = {r[0] for r in conn.execute("SELECT id FROM articles_fts_docsize")}
    roots = {r[0] for r in conn.execute("SELECT id FROM articles WHERE duplicate_of IS NULL")}
    problems = []
    if indexed != roots:
        problems.append(f"fts holds {sorted(indexed ^ roots)[:5]} wrongly")
    for article_id, text in conn.execute(
        "SELECT id, text FROM articles WHERE duplicate_of IS NULL ORDER BY id LIMIT 200"
    ).fetchall():
        words = list(dict.fromkeys(_WORD_RE.findall(text)))[:8]
        if not words:
            continue
        query = " ".join(f'"{w}"' for w in words)
        hits = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (query,)
            )
        ]
        if hits.count(article_id) != 1:
            problems.append(f"article {article_id} has {hits.count(article_id)} search hits")
    return problems


_WORD_RE = re.compile(r"\w{4,}")


def search_hits(db: Path, phrase: str) -> list[int]:
    """Article ids of every FTS hit for ``phrase`` (duplicates kept, to be counted)."""
    words = " ".join(f'"{w}"' for w in phrase.replace('"', " ").split())
    with contextlib.closing(connect(db)) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (words,)
            )
        ]


# -- memory baseline -------------------------------------------------------------------------


@cache
def baseline_peak_mib(workdir: str) -> float:
    """Peak RSS of a crawl storing one ordinary article: what any crawl costs anyway."""
    folder = Path(workdir)
    with Simulator(fast_site()) as sim:
        host = sim.hosts[0]
        links_seed(folder / "seeds", sim, host, ["/fault/article"])
        result = crawl(folder / "seeds", folder / "baseline.db")
    assert result.returncode == 0, result.output
    return result.peak_mib


# -- function-level fetches on real sockets ----------------------------------------------


@asynccontextmanager
async def real_fetcher(
    *,
    allow: Iterable[str] = (LOOPBACK,),
    sleeps: list[float] | None = None,
    run_deadline: float | None = None,
    resolver: object = None,
    **settings: object,
) -> AsyncIterator[Fetcher]:
    """A Fetcher on a real httpx client (loopback only), with small timeouts by default."""
    base = {
        "max_tries": 3,
        "backoff_base": 0.05,
        "backoff_max": 0.2,
        "per_host_delay": 0.0,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "request_deadline": 5.0,
    }
    conf = Settings(**{**base, **settings})  # type: ignore[arg-type]
    scheduler = HostScheduler(
        global_concurrency=8,
        per_host_concurrency=4,
        per_host_delay=0.0,
        failure_limit=conf.host_failure_limit,
    )

    async def sleep(seconds: float) -> None:  # the back-off waits, recorded for the test
        if sleeps is not None:
            sleeps.append(seconds)
        await asyncio.sleep(seconds)

    guard = AddressGuard(allow, resolver=resolver)  # type: ignore[arg-type]
    client: httpx.AsyncClient = build_client(conf, guard)
    try:
        yield Fetcher(
            client, conf, guard=guard, scheduler=scheduler, sleep=sleep, run_deadline=run_deadline
        )
    finally:
        await client.aclose()
