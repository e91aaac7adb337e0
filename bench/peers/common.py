"""Command line shared by the peer runners: URL list in, JSON lines out, politeness flags."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO


def parse_args(description: str) -> argparse.Namespace:
    """``URLS OUT --delay D --concurrency C --global G``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("urls", type=Path, help="text file, one URL a line")
    parser.add_argument("out", type=Path, help="JSON lines written here: {url, text}")
    parser.add_argument("--delay", type=float, default=0.0, help="per-host delay (s)")
    parser.add_argument("--concurrency", type=int, default=1, help="per-host concurrency")
    parser.add_argument(
        "--global",
        dest="global_",
        type=int,
        default=16,
        help="global concurrency (threads / CONCURRENT_REQUESTS)",
    )
    return parser.parse_args()


def read_urls(path: Path) -> list[str]:
    """Non-empty lines of ``path``."""
    return [u.strip() for u in path.read_text(encoding="utf-8").splitlines() if u.strip()]


def write_line(out: TextIO, url: str, text: str | None) -> None:
    """One result line."""
    out.write(json.dumps({"url": url, "text": text or ""}, ensure_ascii=False) + "\n")
