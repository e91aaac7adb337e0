"""The archive's front door: ``scraper/`` and ``bench/`` import ``archive``, never its insides."""

from __future__ import annotations

import ast
import subprocess
import sys
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


def test_no_exported_name_is_also_a_module_name() -> None:
    # importing a submodule binds its name on the package, over a lazily loaded export
    modules = {p.stem for p in _ARCHIVE.glob("*.py")}
    assert sorted(modules.intersection(archive.__all__)) == []


def test_extraction_and_the_cli_start_without_the_storage_layer() -> None:
    # an extraction worker (and `scraper eval`, `scraper --help`) needs the records and the
    # fingerprint, not SQLite's access layer: ~0.2 s of CPU less at every start
    code = (
        "import sys, scraper.cli.main, scraper.extract.extractor\n"
        "from archive import Reason, fingerprint, as_record\n"
        "print('sqlite_utils' in sys.modules)\n"
        "from archive import Archive\n"
        "print('sqlite_utils' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=paths.ROOT
    ).stdout.split()
    assert out == ["False", "True"]
