"""Log lines an operator can read: timestamps under cron, levels, JSON, a log file, UTF-8."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from scraper import logs
from scraper.cli import main
from tests.logtext import STAMPED, messages
from tests.paths import ROOT


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    db = tmp_path / "a.db"
    Archive.open(db).close()
    return db


def test_every_line_is_stamped_when_stderr_is_not_a_terminal(
    empty_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", str(empty_db), "-o", str(empty_db.with_suffix(".jsonl"))]) == 0
    assert messages(capsys.readouterr().err, "INFO") == ["exported 0 article(s)"]
    assert main(["export", "--db", str(empty_db.with_name("none.db"))]) == 2
    [line] = capsys.readouterr().err.splitlines()
    match = STAMPED.match(line)
    assert match and match["level"] == "ERROR" and "no archive" in match["message"]
    assert match["time"].endswith("Z")  # UTC


def test_quiet_keeps_warnings_and_errors_only(
    empty_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(empty_db.with_suffix(".jsonl"))
    assert main(["export", "-q", "--db", str(empty_db), "-o", out]) == 0
    assert capsys.readouterr().err == ""
    assert main(["export", "--log-level", "error", "--db", str(empty_db), "-o", out]) == 0
    assert capsys.readouterr().err == ""
    assert main(["export", "-v", "--db", str(empty_db), "-o", out]) == 0
    assert messages(capsys.readouterr().err) == ["exported 0 article(s)"]


def test_json_lines_for_log_shippers(empty_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--log-format", "json", "--db", str(empty_db.with_name("x.db"))]) == 2
    [line] = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert record["level"] == "ERROR" and "no archive" in record["message"]
    assert STAMPED.match(f"{record['time']} INFO x") and record["logger"] == "scraper"


def test_log_file_gets_the_same_lines_stamped(
    empty_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "crawl.log"
    out = str(empty_db.with_suffix(".jsonl"))
    for _ in range(2):  # appended, not overwritten
        assert main(["export", "--log-file", str(log), "--db", str(empty_db), "-o", out]) == 0
    assert messages(log.read_text("utf-8")) == ["exported 0 article(s)"] * 2
    assert messages(capsys.readouterr().err) == ["exported 0 article(s)"] * 2


def test_unwritable_log_file_is_one_line_and_exit_2(
    empty_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "x.log"
    assert main(["export", "--log-file", str(missing), "--db", str(empty_db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "log file" in err and "Traceback" not in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_plain_lines_and_the_level_of_warnings() -> None:
    err, out = _Terminal(), io.StringIO()
    logs.configure("info", stderr=err, stdout=out)
    logging.getLogger("scraper.crawl").info("crawl run 1: 2 publisher(s)")
    logging.getLogger("scraper.crawl").warning("failed (timeout) article: x")
    logging.getLogger(logs.SUMMARY).info("discovered 3")
    assert err.getvalue().splitlines() == [
        "crawl run 1: 2 publisher(s)",
        "warning: failed (timeout) article: x",
    ]
    assert STAMPED.match(out.getvalue().strip())  # stdout is no terminal here: stamped
    assert logs.terminal_console(err) is not None  # the live table prints through it


def test_output_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    text = "Müller’s café served crème brûlée to the whole village, " * 8
    page.write_text(
        f"<html><head><meta charset='utf-8'><title>Café</title></head><body>"
        f"<article><p>{text}</p><p>{text}</p></article></body></html>",
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    env.update(LC_ALL="C", LANG="C", PYTHONUTF8="0")
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "extract", str(page)],
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "crème brûlée" in json.loads(result.stdout.decode("utf-8"))["text"]
