"""Settings: environment variables, range checks at start, the robots token, the version."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from importlib.metadata import version

import pytest

from scraper.cli.main import main
from scraper.errors import ConfigError
from scraper.settings import Settings
from tests.logtext import messages
from tests.paths import ROOT


def scraper(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--delay", "-1"], {}, "--delay / SCRAPER_PER_HOST_DELAY: must be 0 or more, got -1.0"),
        ([], {"SCRAPER_GLOBAL_CONCURRENCY": "0"}, "SCRAPER_GLOBAL_CONCURRENCY: must be at least 1"),
        ([], {"SCRAPER_READ_TIMEOUT": "0"}, "SCRAPER_READ_TIMEOUT: must be more than 0"),
        (["--max-pages", "-5"], {}, "--max-pages / SCRAPER_MAX_PAGES: must be 0 or more"),
        (["--budget", "nan"], {}, "--budget / SCRAPER_RUN_BUDGET: must be a finite number"),
    ],
)
def test_bad_value_is_one_line_and_exit_2(
    args: list[str], env: dict[str, str], says: str, tmp_path
) -> None:
    # The seeds folder does not exist: settings are checked before anything else.
    result = scraper(
        "crawl", "--seeds", str(tmp_path / "none"), "--db", str(tmp_path / "a.db"), *args, env=env
    )
    assert result.returncode == 2, result.stderr
    lines = messages(result.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"scraper: configuration error: {says}")
    assert not (tmp_path / "a.db").exists()


def test_every_numeric_field_is_checked() -> None:
    numeric = [f.name for f in fields(Settings) if f.type in ("int", "float", "int | None")]
    assert len(numeric) > 30
    for name in numeric:
        if name == "lastmod_window_days":  # any window: ≤ 0 turns the filter off
            assert Settings(lastmod_window_days=-1.0).lastmod_window_days == -1.0
            continue
        with pytest.raises(ConfigError, match=f"SCRAPER_{name.upper()}"):
            Settings(**{name: -1})  # type: ignore[arg-type]


def test_zero_is_allowed_where_it_means_something() -> None:
    s = Settings(
        per_host_delay=0,
        extract_nice=0,
        max_redirects=0,
        dns_cache_ttl=0,
        max_pages=0,
        min_article_chars=0,
    )
    assert s.per_host_delay == 0 and s.max_pages == 0


def test_from_env_then_flags() -> None:
    s = Settings.from_env({"SCRAPER_PER_HOST_DELAY": "0.25", "SCRAPER_MAX_POOLS": "8"})
    assert (s.per_host_delay, s.max_pools) == (0.25, 8)
    assert s.with_overrides(per_host_delay=2.0, max_pages=None).per_host_delay == 2.0
    with pytest.raises(ConfigError, match="--delay"):
        s.with_overrides(per_host_delay=-0.5)


@pytest.mark.parametrize(
    ("agent", "token"),
    [
        ("newsarchiver/0.1.0 (+https://example.org)", "newsarchiver"),
        ("Gazette-Archive_Bot/2.0", "Gazette-Archive_Bot"),
        ("  mybot", "mybot"),
    ],
)
def test_robots_token_is_the_user_agents_product_token(agent: str, token: str) -> None:
    assert Settings(user_agent=agent).robots_token == token


def test_user_agent_without_a_product_token_is_refused() -> None:
    assert main(["crawl", "--user-agent", "2.0/bot", "--seeds", "/nonexistent"]) == 2


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"scraper {version('newsarchiver')}"
