"""A second run on the same archive is refused; the lock frees itself when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scraper.errors import LockHeld
from scraper.runtime.lock import RunLock


def test_second_lock_refused_then_free(tmp_path):
    db = tmp_path / "archive.db"
    with RunLock(db):
        with pytest.raises(LockHeld, match="holds"):
            RunLock(db).acquire()
    with RunLock(db):
        pass


def test_lock_released_when_holder_is_killed(tmp_path):
    db = tmp_path / "archive.db"
    code = (
        "import sys, time; from pathlib import Path; from scraper.runtime.lock import RunLock; "
        f"RunLock(Path({str(db)!r})).acquire(); print('held', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld):
            RunLock(db).acquire()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            RunLock(db).acquire()
            break
        except LockHeld:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_one_lock_per_archive_whatever_path_names_it(tmp_path, monkeypatch):
    real = tmp_path / "data" / "archive.db"
    real.parent.mkdir()
    real.touch()
    (tmp_path / "link.db").symlink_to(real)
    (tmp_path / "linkdir").symlink_to(real.parent)
    monkeypatch.chdir(tmp_path)
    with RunLock(real):
        for other in (
            tmp_path / "link.db",
            tmp_path / "linkdir" / "archive.db",
            Path("./data/archive.db"),
            Path("data/../data/archive.db"),
        ):
            with pytest.raises(LockHeld):
                RunLock(other).acquire()
