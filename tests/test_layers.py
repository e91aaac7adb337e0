"""The house's shape, read from its imports: layers in one direction, no loop, one name each.

A newcomer reads the folders as the pipeline. That stays true only while no import runs
from a lower stage up to a higher one and no two modules import each other (directly or
round a loop, lazily or for type checking alike), and while each module name means one
thing. ARCHITECTURE.md ("Layers") states the order these tests enforce.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from tests import paths

# Lowest first. A module may import its own layer's package and any lower layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("archive", "scraper.shared"),
    ("scraper.discover", "scraper.fetch", "scraper.extract"),
    ("scraper.runtime",),
    ("scraper.warc",),
    ("scraper.crawl",),
    ("scraper.cli",),
)
SHARED = {"errors", "models", "settings", "urls", "logs", "seeds", "lazy", "__init__"}
NEAR_TWIN_SUFFIXES = ("ing", "er", "or", "ion", "y", "e", "s")


def modules(root: Path = paths.ROOT) -> dict[str, Path]:
    """Every module of ``scraper`` and ``archive`` by dotted name (packages by their own)."""
    found = {}
    for package in ("scraper", "archive"):
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ours that ``path`` imports anywhere: top level, in a function or
    under ``TYPE_CHECKING``, relative or absolute."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in known else base)
    return {m for m in found if m in known and m != name}


def graph(root: Path = paths.ROOT) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def layer_of(module: str) -> tuple[int, str]:
    """(layer index, package) of a module: ``scraper.crawl.run`` → crawl's layer."""
    parts = module.split(".")
    if parts[0] == "archive":
        return 0, "archive"
    if parts[1:2] == ["__main__"]:
        return len(LAYERS) - 1, "scraper.cli"
    if len(parts) == 1 or parts[1] in SHARED:
        return 0, "scraper.shared"
    package = ".".join(parts[:2])
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index, package
    raise AssertionError(f"{module}: its package {package} has no layer in LAYERS")


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    """Each import that goes up a layer, or sideways into another package of the same layer."""
    bad = []
    for source, targets in sorted(edges.items()):
        level, package = layer_of(source)
        for target in sorted(targets):
            target_level, target_package = layer_of(target)
            sideways = target_level == level and target_package != package
            # the shared modules may use archive/; archive/ never imports scraper/
            if target_level > level or (sideways and (level > 0 or package == "archive")):
                bad.append(f"{source} → {target}")
    return bad


def loops(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import loops: strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def stem(name: str) -> str:
    for suffix in NEAR_TWIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 3:
            return name[: -len(suffix)]
    return name


def name_clashes(names: list[str]) -> list[str]:
    """Module names used twice, or near-twins (``fetcher``/``fetching``); ``errors`` and
    package ``__init__`` may repeat, one per top-level package."""
    by_stem: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for dotted in names:
        leaf = dotted.rsplit(".", 1)[-1]
        if "." not in dotted or leaf == "errors":
            continue
        counts[leaf] += 1
        by_stem[stem(leaf)].add(leaf)
    twice = [f"{leaf} ×{n}" for leaf, n in sorted(counts.items()) if n > 1]
    twins = [" / ".join(sorted(group)) for group in by_stem.values() if len(group) > 1]
    return twice + sorted(twins)


def test_no_import_runs_up_a_layer() -> None:
    assert upward_imports(graph()) == []


def test_no_import_loop() -> None:
    assert loops(graph()) == []


def test_no_module_name_is_used_twice_and_no_near_twins() -> None:
    known = [m for m in modules() if "." in m and not m.endswith("__main__")]
    packages = {m for m in modules() if (paths.ROOT / m.replace(".", "/")).is_dir()}
    assert name_clashes([m for m in known if m not in packages]) == []


def test_the_checks_see_an_upward_import_a_loop_and_a_twin(tmp_path: Path) -> None:
    for package, body in {
        "scraper/__init__.py": "",
        "scraper/fetch/__init__.py": "",
        "scraper/fetch/fetcher.py": "from scraper.crawl.hosts import x\n",
        "scraper/crawl/__init__.py": "",
        "scraper/crawl/hosts.py": "def f():\n    from scraper.crawl import fetching\n",
        "scraper/crawl/fetching.py": "from .hosts import y\n",
        "archive/__init__.py": "import scraper.fetch.fetcher\n",
    }.items():
        (tmp_path / package).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / package).write_text(body)
    edges = graph(tmp_path)
    assert upward_imports(edges) == [
        "archive → scraper.fetch.fetcher",
        "scraper.fetch.fetcher → scraper.crawl.hosts",
    ]
    assert loops(edges) == [["scraper.crawl.fetching", "scraper.crawl.hosts"]]
    assert name_clashes(
        ["scraper.fetch.fetcher", "scraper.crawl.fetching", "scraper.crawl.run", "scraper.warc.run"]
    ) == ["run ×2", "fetcher / fetching"]


def test_architecture_states_the_layers_the_test_enforces() -> None:
    text = (paths.ROOT / "ARCHITECTURE.md").read_text("utf-8")
    section = re.search(r"\*\*Layers\*\*(.*?)(?:\n\n|\Z)", text, re.S)
    assert section is not None
    order = [
        section.group(1).find(f"`{p.split('.')[-1]}/`")
        for p in ("scraper.runtime", "scraper.warc", "scraper.crawl", "scraper.cli")
    ]
    assert all(i >= 0 for i in order) and order == sorted(order)
