"""``scraper health --html``: the dashboard page's structure, order, escaping and drawing."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from archive import Archive, PublisherRun
from scraper.cli.main import main
from scraper.crawl import health_page

NORMAL = PublisherRun("Daily", new=4, fetched=10, documents=4, median_chars=1800)
NIGHTS = 12
EVIL = 'Tom & "Jerry" <script>alert(1)</script>'  # a name a seed may well hold (TOML string)


def fill(db: Path, nights: int = NIGHTS) -> None:
    """``nights`` runs of three publishers; on the last, one fails and one degrades."""
    start = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    with Archive.open(db) as archive:
        for night in range(nights):
            when = start + timedelta(days=night)
            run_id = archive.runs.start(when)
            last = night == nights - 1
            rows = [
                replace(NORMAL, publisher="Alpha", new=night % 5 + 1, failed=night % 3),
                replace(NORMAL, publisher=EVIL, median_chars=200 if last else 1800),
                replace(
                    NORMAL,
                    publisher="Zulu",
                    new=0 if last else 3,
                    documents_failed=4 if last else 0,
                    failed_documents=("https://z.example/feed",) if last else (),
                ),
            ]
            archive.publisher_runs.record(
                [replace(r, run_id=run_id, started_at=when.isoformat()) for r in rows]
            )


def page(tmp_path: Path, *args: str) -> tuple[int, lxml_html.HtmlElement, str]:
    db, out = tmp_path / "a.db", tmp_path / "health.html"
    if not db.exists():
        fill(db)
    code = main(["health", "--db", str(db), "--html", str(out), *args])
    text = out.read_text(encoding="utf-8")
    return code, lxml_html.fromstring(text), text


def test_failing_and_degraded_publishers_come_first_with_their_reasons(tmp_path: Path) -> None:
    code, doc, _ = page(tmp_path)
    assert code == 3
    cards = doc.xpath("//section[@data-publisher]")
    assert [(c.get("data-publisher"), c.get("data-status")) for c in cards] == [
        ("Zulu", "failing"),
        (EVIL, "degraded"),
        ("Alpha", "ok"),
    ]
    zulu = cards[0]
    assert "https://z.example/feed" in zulu.xpath("string(.//ul[@class='reasons'])")
    assert "last stored a new article on 2026-11-11" in zulu.xpath("string(.//p)")


def test_three_charts_per_publisher_one_point_a_night(tmp_path: Path) -> None:
    _, doc, _ = page(tmp_path)
    for card in doc.xpath("//section[@data-publisher]"):
        charts = card.xpath(".//svg")
        assert len(charts) == 3
        new, failed, length = charts
        assert len(new.xpath(".//rect[contains(@class, 'pt')]")) == NIGHTS
        assert len(failed.xpath(".//circle[contains(@class, 'pt')]")) == NIGHTS
        assert len(length.xpath(".//circle[contains(@class, 'pt')]")) == NIGHTS
    # --runs N: only the last N nights are drawn.
    _, doc, _ = page(tmp_path, "--runs", "5")
    assert len(doc.xpath("(//svg)[1]//rect[contains(@class, 'pt')]")) == 5


def test_bars_follow_the_figures(tmp_path: Path) -> None:
    _, doc, _ = page(tmp_path)
    alpha = doc.xpath("//section[@data-publisher='Alpha']")[0]
    heights = [float(r.get("height")) for r in alpha.xpath("(.//svg)[1]//rect")]
    news = [night % 5 + 1 for night in range(NIGHTS)]
    assert heights.index(max(heights)) == news.index(max(news))
    assert [h > 0 for h in heights] == [True] * NIGHTS
    ordered = sorted(range(NIGHTS), key=lambda i: news[i])
    assert sorted(range(NIGHTS), key=lambda i: heights[i]) == ordered


def test_publisher_names_are_escaped_and_nothing_is_fetched(tmp_path: Path) -> None:
    _, doc, text = page(tmp_path)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert not doc.xpath("//script | //link | //img | //iframe | //*[@src]")
    assert "http" not in " ".join(doc.xpath("//style/text()"))  # no web font, no import
    (card,) = doc.xpath("//section[@data-status='degraded']")
    assert card.xpath("string(.//h2)") == EVIL


def test_written_atomically_and_a_bad_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if "html" in p.name) == ["health.html"]
    code = main(
        ["health", "--db", str(tmp_path / "a.db"), "--html", str(tmp_path / "missing" / "h.html")]
    )
    assert code == 2 and "--html: no folder" in capsys.readouterr().err


def test_a_failed_write_keeps_the_old_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "health.html"
    out.write_text("old page", encoding="utf-8")

    class Full(OSError):
        pass

    def refuse(self: Path, target: Path) -> None:
        raise Full("disk full")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(Full):
        health_page.write_health_page(out, "<html>new</html>")
    assert out.read_text(encoding="utf-8") == "old page"
    assert [p.name for p in tmp_path.iterdir()] == ["health.html"]  # no temp file left


CHART_BLUE = (0x3B, 0x6F, 0xB6)  # the charts' colour in the page's CSS


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium installed")
def test_chromium_draws_the_charts(tmp_path: Path) -> None:
    _, _, text = page(tmp_path)
    drawn = chart_pixels(tmp_path / "health.html")
    # 3 publishers × (12 bars + 2 lines of 12 points): thousands of pixels when drawn.
    assert drawn > 1500, drawn
    # The same page with its chart shapes hidden has (next to) none of that colour.
    bare = tmp_path / "bare.html"
    bare.write_text(
        text.replace('class="pt', 'style="display:none" class="pt').replace(
            "<polyline", '<polyline style="display:none"'
        ),
        encoding="utf-8",
    )
    assert chart_pixels(bare) < 50


def chart_pixels(page_file: Path) -> int:
    """Pixels of the charts' colour in a headless Chromium screenshot of ``page_file``."""
    shot = page_file.with_suffix(".png")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--window-size=1000,760",
                f"--screenshot={shot}",
                page_file.as_uri(),
            ],
            capture_output=True,
            timeout=90,
            check=False,
        )
    _, _, pixels = decode_png(shot.read_bytes())
    return sum(
        1 for p in pixels if all(abs(a - b) <= 8 for a, b in zip(p, CHART_BLUE, strict=True))
    )


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + size]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    raw, stride = zlib.decompress(idat), width * channels
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], prev[i - channels] if i >= channels else 0
            line[i] = (line[i] + _predict(kind, left, up, corner)) & 0xFF
        rows.append(line)
        prev = line
    return (
        width,
        height,
        [tuple(row[x : x + 3]) for row in rows for x in range(0, stride, channels)],
    )


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    guess = left + up - corner  # Paeth
    a, b, c = abs(guess - left), abs(guess - up), abs(guess - corner)
    return left if a <= b and a <= c else up if b <= c else corner
