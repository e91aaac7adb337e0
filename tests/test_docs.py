"""The repository explains itself: what its docs cite is inside it, and it is where they say.

A newcomer who clones the project follows the paths in docstrings and Markdown and reads
each package's docstring as its table of contents; a reference to a file beside the
checkout, a path that moved, or a module its package never mentions sends them nowhere.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
from pathlib import Path

from tests import paths

# Only ``make eval`` (its EVAL_DIR default) and the bench may read the data beside the
# checkout; everything else must stand on the repository alone.
OUTSIDE = re.compile(r"\.\./shared|/work/shared|RELIABILITY\.md")
SKIP_DIRS = {".git", ".venv", "data", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
# A path into the code or the tests, as docs write it: ``scraper/fetch/guard.py``.
THIS = Path(__file__).resolve()
DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
CODE_PATH = re.compile(r"(?<![\w/.-])((?:scraper|archive|tests|bench|docs)/[\w/-]+\.(?:py|md))\b")


def tracked_files(root: Path = paths.ROOT) -> list[Path]:
    """The repository's files: git's list in a checkout, else every file outside caches."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, timeout=30
        ).stdout.decode("utf-8")
        return [root / name for name in out.split("\0") if name and (root / name).is_file()]
    except (OSError, subprocess.SubprocessError):
        return [
            p
            for p in sorted(root.rglob("*"))
            if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(root).parts)
            and not any(part.endswith(".egg-info") for part in p.relative_to(root).parts)
        ]  # fmt: skip


def text_of(path: Path) -> str | None:
    try:
        return path.read_text("utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def outside_references(files: list[Path], root: Path = paths.ROOT) -> list[str]:
    """``file:line`` of each reference to the data beside the checkout, outside the two
    places allowed to use it."""
    found = []
    for path in files:
        rel = path.relative_to(root)
        if rel.parts[0] == "bench" or path == THIS or (text := text_of(path)) is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line) and not (
                str(rel) == "Makefile" and line.startswith("EVAL_DIR")
            ):
                found.append(f"{rel}:{number}")
    return found


def prose_of(path: Path) -> str:
    """What a reader reads as prose: a Markdown file whole, a module's docstrings and comments."""
    text = text_of(path) or ""
    if path.suffix != ".py":
        return text
    nodes = [n for n in ast.walk(ast.parse(text)) if isinstance(n, DOCUMENTED)]
    docs = [ast.get_docstring(n) or "" for n in nodes]
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return "\n".join(docs + [t.string for t in tokens if t.type == tokenize.COMMENT])


def missing_paths(files: list[Path], root: Path = paths.ROOT) -> list[str]:
    """Each code or test path named in Markdown or in a docstring or comment that does not
    exist (CHANGELOG.md is history: it names files as they were)."""
    found = []
    for path in files:
        if path.suffix not in (".md", ".py") or path.name == "CHANGELOG.md":
            continue
        for match in CODE_PATH.finditer(prose_of(path)):
            if not (root / match.group(1)).exists():
                found.append(f"{path.relative_to(root)}: {match.group(1)}")
    return found


def unlisted_modules(package: Path) -> list[str]:
    """The modules of ``package`` its ``__init__`` docstring does not name (``name`` or
    ``name.py``)."""
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text("utf-8"))) or ""
    return [
        f"{package.name}/{module.name}"
        for module in sorted(package.glob("*.py"))
        if module.stem not in ("__init__", "__main__")
        and not re.search(rf"``{module.stem}``|\b{re.escape(module.name)}\b", doc)
    ]


def packages(root: Path = paths.ROOT) -> list[Path]:
    return [root / "archive", *sorted(p.parent for p in (root / "scraper").glob("*/__init__.py"))]


def test_nothing_refers_to_files_beside_the_checkout() -> None:
    assert outside_references(tracked_files()) == []


def test_every_code_path_the_docs_name_exists() -> None:
    assert missing_paths(tracked_files()) == []


def test_hardening_doc_has_the_sections_docstrings_cite() -> None:
    headings = set(
        re.findall(r"^#+ (.+)$", (paths.ROOT / "docs/hardening.md").read_text("utf-8"), re.M)
    )
    cited = set()
    for path in tracked_files():
        if path.suffix == ".py" and (text := text_of(path)):
            cited |= set(re.findall(r"docs/hardening\.md``?,\s+\"([^\"]+)\"", text))
    assert cited and cited <= {heading.split(" (")[0] for heading in headings}


def test_every_package_docstring_lists_its_modules() -> None:
    assert {p.name: unlisted_modules(p) for p in packages()} == {p.name: [] for p in packages()}


def test_the_checks_see_a_stray_reference_a_moved_file_and_an_unlisted_module(
    tmp_path: Path,
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text('"""Pieces: ``listed`` and ``other``."""\n')
    for name in ("listed", "forgotten", "other"):
        (tmp_path / f"pkg/{name}.py").write_text("")
    (tmp_path / "notes.md").write_text(
        "See ../shared/RELIABILITY.md and tests/test_dedup.py, or tests/x.py.\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/x.py").write_text(
        '"""See tests/y.py."""\nPATH = "tests/z.py"  # tests/w.py\n'
    )
    (tmp_path / "Makefile").write_text("EVAL_DIR ?= ../shared/eval\nother: ../shared/x\n")
    files = [tmp_path / "notes.md", tmp_path / "Makefile", tmp_path / "tests/x.py"]
    assert outside_references(files, tmp_path) == ["notes.md:1", "Makefile:2"]
    assert missing_paths(files, tmp_path) == [
        "notes.md: tests/test_dedup.py",
        "tests/x.py: tests/y.py",
        "tests/x.py: tests/w.py",
    ]
    assert unlisted_modules(tmp_path / "pkg") == ["pkg/forgotten.py"]
