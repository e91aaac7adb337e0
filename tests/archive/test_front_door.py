"""The archive's front door: ``scraper/`` and ``bench/`` import ``archive``, never its insides."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import archive
from tests import paths

_ARCHIVE = paths.ROOT / "archive"


def _archive_submodule_imports(source: Path) -> list[str]:
    """Each import in ``source`` that reaches past ``archive/__init__.py``."""
    found = []
    for node in ast.walk(ast.parse(source.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            if module.startswith("archive."):
                found.append(f"{source.name}:{node.lineno} from {module}")
            elif module == "archive":  # ``from archive import store`` is a submodule too
                found += [f"{source.name}:{node.lineno} archive.{a.name}" for a in node.names
                          if a.name not in archive.__all__
                          and (_ARCHIVE / f"{a.name}.py").exists()]  # fmt: skip
        elif isinstance(node, ast.Import):
            found += [f"{source.name}:{node.lineno} {a.name}" for a in node.names
                      if a.name.startswith("archive.")]  # fmt: skip
    return found


def _sources(package: str) -> list[Path]:
    root = paths.ROOT / package
    return sorted(root.rglob("*.py"))


@pytest.mark.parametrize("package", ["scraper", "bench"])
def test_only_the_front_door_is_imported(package: str) -> None:
    sources = _sources(package)
    assert sources
    assert [hit for p in sources for hit in _archive_submodule_imports(p)] == []


def test_the_check_sees_a_submodule_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from archive.store import Archive\nimport archive.dedup\n"
        "from archive import rows, Archive\n"
    )
    assert len(_archive_submodule_imports(bad)) == 3


def test_the_front_door_exports_what_it_lists() -> None:
    assert all(hasattr(archive, name) for name in archive.__all__)
