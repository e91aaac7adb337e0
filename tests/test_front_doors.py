"""A front door per stage package: other packages import what its ``__all__`` names, no deeper.

``archive`` has its own test (``tests/archive/test_front_door.py``). Each package under
``scraper/`` names in its ``__init__`` what the other packages use; its modules are free to
change behind it. The names are loaded on first use, so importing the package (or one of
its modules, as a worker process does) does not import every module in it.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import paths

_SCRAPER = paths.ROOT / "scraper"
PACKAGES = sorted(p.parent.name for p in _SCRAPER.glob("*/__init__.py"))


def exported(root: Path = paths.ROOT) -> dict[str, set[str]]:
    """Each stage package's ``__all__`` as written in its ``__init__`` (read, not imported)."""
    found: dict[str, set[str]] = {}
    for init in sorted((root / "scraper").glob("*/__init__.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(init.read_text("utf-8"))):
            if isinstance(node, ast.Dict):  # _HOMES: name → module
                names |= {k.value for k in node.keys if isinstance(k, ast.Constant)}
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                if isinstance(node.value, ast.List | ast.Tuple):
                    names |= {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
        found[init.parent.name] = names
    return found


def back_doors(source: Path, doors: dict[str, set[str]], root: Path = paths.ROOT) -> list[str]:
    """Each import in ``source`` that reaches into another stage package past its ``__all__``."""
    rel = source.relative_to(root)
    own = rel.parts[1] if len(rel.parts) > 2 else ""
    found = []
    for node in ast.walk(ast.parse(source.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] != "scraper" or len(parts) < 2 or parts[1] not in doors or parts[1] == own:
                continue
            if len(parts) > 2:
                found.append(f"{rel}:{node.lineno} from {node.module}")
            else:
                found += [
                    f"{rel}:{node.lineno} {node.module}.{a.name}"
                    for a in node.names
                    if a.name not in doors[parts[1]]
                ]
        elif isinstance(node, ast.Import):
            found += [
                f"{rel}:{node.lineno} {a.name}"
                for a in node.names
                if a.name.count(".") >= 2
                and a.name.split(".")[0] == "scraper"
                and a.name.split(".")[1] in doors
                and a.name.split(".")[1] != own
            ]
    return found


def test_no_module_imports_another_packages_insides() -> None:
    doors = exported()
    sources = sorted(_SCRAPER.rglob("*.py"))
    assert [hit for source in sources for hit in back_doors(source, doors)] == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_front_door_gives_what_it_lists(package: str) -> None:
    module = importlib.import_module(f"scraper.{package}")
    assert set(module.__all__) == exported()[package]
    assert all(getattr(module, name) is not None for name in module.__all__)


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checkers_see_every_name_the_door_lists(package: str) -> None:
    """The names are imported under TYPE_CHECKING too, so mypy checks their callers."""
    tree = ast.parse((_SCRAPER / package / "__init__.py").read_text("utf-8"))
    typed = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
        for imp in node.body
        if isinstance(imp, ast.ImportFrom)
        for alias in imp.names
    }
    eager = {
        a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names
    }
    assert exported()[package] <= typed | eager


def test_a_front_door_imports_nothing_until_asked() -> None:
    code = (
        "import sys, json\n"
        f"for p in {PACKAGES!r}:\n"
        "    __import__('scraper.' + p)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.count('.') >= 2 "
        "and m.startswith('scraper.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, timeout=120, check=True
    )
    # only the command line's own module and what it needs at start-up, nothing of a stage
    assert set(json.loads(out.stdout)) <= {
        "scraper.cli.main",
        "scraper.warc.pages",
        "scraper.runtime.assemble",
        *(f"scraper.extract.{m.stem}" for m in (_SCRAPER / "extract").glob("*.py")),
    } - {"scraper.extract.evaluate", "scraper.extract.joining"}


def test_the_check_sees_a_back_door(tmp_path: Path) -> None:
    (tmp_path / "scraper/crawl").mkdir(parents=True)
    source = tmp_path / "scraper/crawl/doctor.py"
    source.write_text(
        "from scraper.discover.feeds import parse_feed\n"
        "from scraper.discover import parse_feed, feeds\n"
        "import scraper.fetch.fetcher\n"
        "from scraper.crawl.health import judge\n"  # its own package: fine
    )
    doors = {"discover": {"parse_feed"}, "fetch": {"Fetcher"}, "crawl": set()}
    assert back_doors(source, doors, tmp_path) == [
        "scraper/crawl/doctor.py:1 from scraper.discover.feeds",
        "scraper/crawl/doctor.py:2 scraper.discover.feeds",
        "scraper/crawl/doctor.py:3 scraper.fetch.fetcher",
    ]
