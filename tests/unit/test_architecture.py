"""The tree shows the flow: no stage imports a later one, library code never imports Prefect or the demo.

Stages, earliest first: extract (shared base modules: media sniffing, the data layout) → extract.crawl →
extract.documents → transform → warehouse → flows. Read from the source with ``ast``, every import
(function-local ones too), so a cycle cannot hide inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STAGES = ("extract", "extract.crawl", "extract.documents", "transform", "warehouse", "flows")
LIBRARY = ("extract", "transform", "warehouse")


def stage_of(module: str) -> str | None:
    """The most specific stage a dotted module name belongs to."""
    matches = [s for s in STAGES if module == s or module.startswith(s + ".")]
    return max(matches, key=len) if matches else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every module imported by ``path`` (absolute names) with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((name, node.lineno))
            found += [(f"{name}.{alias.name}", node.lineno) for alias in node.names]
    return found


def source_files(*packages: str) -> list[Path]:
    return [p for pkg in packages for p in sorted((REPO / pkg).rglob("*.py"))]


def test_the_stage_order_is_known_for_every_package():
    assert [stage_of(m) for m in ("extract.media", "extract.crawl.fetch", "extract.documents.pdf",
                                  "transform.runner", "warehouse.load", "flows.nightly")] == \
        ["extract", "extract.crawl", "extract.documents", "transform", "warehouse", "flows"]


@pytest.mark.parametrize("path", source_files("extract", "transform", "warehouse", "flows"),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_no_import_of_a_later_stage(path):
    here = stage_of(module_name(path))
    late = []
    for name, line in imports_of(path):
        there = stage_of(name)
        if there is None or there == here:
            continue
        if STAGES.index(there) > STAGES.index(here):
            late.append(f"line {line}: {name} ({there} comes after {here})")
    assert not late, "\n".join(late)


@pytest.mark.parametrize("path", source_files(*LIBRARY), ids=lambda p: str(p.relative_to(REPO)))
def test_library_code_never_imports_prefect_or_the_demo(path):
    bad = [f"line {line}: {name}" for name, line in imports_of(path)
           if name.split(".")[0] in ("prefect", "prefect_dask", "demo", "tests", "benchmarks")]
    assert not bad, "\n".join(bad)


def test_no_cycle_between_stages():
    edges = set()
    for path in source_files("extract", "transform", "warehouse", "flows"):
        here = stage_of(module_name(path))
        edges |= {(here, stage_of(name)) for name, _ in imports_of(path)
                  if stage_of(name) not in (None, here)}
    order = {s: i for i, s in enumerate(STAGES)}
    assert all(order[a] > order[b] for a, b in edges), sorted(edges)


def test_no_module_is_named_after_the_standard_library():
    """Prefect puts flow folders on sys.path: a module named like a standard one would shadow it."""
    import sys

    clashes = [str(p.relative_to(REPO)) for p in source_files("extract", "transform", "warehouse", "flows", "demo")
               if p.stem in sys.stdlib_module_names]
    assert not clashes
