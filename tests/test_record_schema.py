"""One record schema for export, extract and search --json; export picks its format."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import RECORD_FIELDS, Archive, ArticleRecord, as_record, fields_of
from scraper.cli.main import main
from tests import paths

ROOT = Path(__file__).resolve().parent.parent
TEXT = (paths.FIXTURES / "archive" / "articles" / "wildfire.txt").read_text("utf-8")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    with Archive.open(path) as archive:
        archive.articles.store(
            ArticleRecord(
                url="https://n.example/fire",
                urls=(),
                text=TEXT,
                title="Wildfire Straße",
                fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
                site="News",
                language="en",
                description="Crews hold the line.",
                authors=("Rosa Díaz",),
            )
        )
    return path


def test_three_outputs_share_one_schema(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", str(db)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert list(exported) == list(fields_of("export"))
    assert exported["site"] == "News" and exported["description"] == "Crews hold the line."
    assert main(["search", "wildfire", "--db", str(db), "--json"]) == 0
    hit = json.loads(capsys.readouterr().out.splitlines()[0])
    assert list(hit) == list(fields_of("search")) and hit["site"] == "News"
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><meta property='og:site_name' content='City Paper'>"
        f"</head><body><article><p>{TEXT[:2000]}</p></article></body></html>"
    )
    assert main(["extract", str(page)]) == 0
    extracted = json.loads(capsys.readouterr().out)
    assert list(extracted) == list(fields_of("extract")) and extracted["site"] == "City Paper"


def test_the_schema_refuses_unknown_names_and_readme_lists_every_field() -> None:
    with pytest.raises(ValueError, match="site_name"):
        as_record({"site_name": "x"})
    readme = (ROOT / "README.md").read_text("utf-8")
    for field in RECORD_FIELDS:
        assert f"| `{field.name}` |" in readme, field.name


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        (".jsonl", lambda p: json.loads(p.read_text("utf-8").splitlines()[0])["site"] == "News"),
        (
            ".csv",
            lambda p: next(csv.DictReader(p.read_text("utf-8").splitlines()))["site"] == "News",
        ),
        (".parquet", lambda p: p.read_bytes()[:4] == b"PAR1"),
    ],
)
def test_export_format_follows_the_suffix(
    db: Path, tmp_path: Path, suffix: str, check: object
) -> None:
    out = tmp_path / f"out{suffix}"
    assert main(["export", "--db", str(db), "-o", str(out)]) == 0
    assert check(out)  # type: ignore[operator]


def test_export_unknown_suffix_is_one_line_exit_2(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.xml"
    assert main(["export", "--db", str(db), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--format" in err[0] and not out.exists()
    assert main(["export", "--db", str(db), "-o", str(out), "--format", "jsonl"]) == 0
    assert json.loads(out.read_text("utf-8"))["title"] == "Wildfire Straße"
