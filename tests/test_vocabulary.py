"""What is stored and compared is named once: enums for the vocabularies, one home per constant.

A failure reason typed as a bare string is a typo away from a new, silent category in the
archive's ``urls.reason`` and in every run's ``failures``; a constant defined twice drifts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from archive import Access, Reason, RunStatus
from scraper.cli.main import build_parser
from scraper.warc import ENGINES
from tests import paths

SHARED_CONSTANTS = ("HTML_TYPES", "WARC_SUFFIXES", "ENGINES")


def _sources() -> list[Path]:
    return sorted((paths.ROOT / "scraper").rglob("*.py"))


def bare_reasons(path: Path) -> list[str]:
    """``reason="…"`` arguments and ``reason = "…"`` class attributes written as plain strings."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        values: list[ast.expr] = []
        if isinstance(node, ast.Call):
            values = [k.value for k in node.keywords if k.arg == "reason"]
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "reason" for t in targets):
                values = [node.value]
        found += [
            f"{path.name}:{v.lineno}"
            for v in values
            if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value
        ]
    return found


def definitions(name: str) -> list[str]:
    """The modules of ``scraper`` that assign ``name`` at their top level."""
    return [
        str(path.relative_to(paths.ROOT))
        for path in _sources()
        for node in ast.parse(path.read_text("utf-8")).body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


def test_no_failure_reason_is_a_bare_string() -> None:
    assert [hit for path in _sources() for hit in bare_reasons(path)] == []


@pytest.mark.parametrize("name", SHARED_CONSTANTS)
def test_each_shared_constant_is_defined_once(name: str) -> None:
    assert len(definitions(name)) == 1


def test_stored_values_are_the_strings_archives_already_hold() -> None:
    # an archive written before the enums must read the same: the values are its strings
    assert [a.value for a in Access] == ["free", "paywalled", "unknown"]
    assert {s.value for s in RunStatus} == {
        "running", "ok", "partial", "interrupted", "failed", "crashed"
    }  # fmt: skip
    assert Reason.of_status(404) == "http_404" and Reason.of_robots("timeout") == "robots_timeout"
    assert Reason.TOO_LARGE == "too_large" and Reason.HOST_UNRESPONSIVE == "host_unresponsive"
    assert len(Reason.__members__) == len(Reason)  # no value under two names (an alias)


def test_ingest_offers_the_engines_the_loader_runs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ingest", "x.warc", "--engine", "spark"])
    assert f"choose from {', '.join(map(repr, ENGINES))}" in capsys.readouterr().err


def test_the_check_sees_bare_reasons(tmp_path: Path) -> None:
    source = tmp_path / "bad.py"
    source.write_text(
        "class E(Exception):\n    reason = 'oops'\n"
        "raise E('x', reason='too_larg')\nraise E('x', reason=Reason.TOO_LARGE)\n"
    )
    assert bare_reasons(source) == ["bad.py:2", "bad.py:3"]
