"""The package layout's import rules (docs/architecture.md), checked on the source with ``ast``.

A rule that only lives in a document erodes one convenient import at a time: the verifier that
imports the service to read a setting, the trainer that imports the sandbox to run a test, the compat
route that imports ``app`` back. Each rule here is the one-line reason a boundary exists, and the test
fails on the first import that crosses it, naming the file and line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("verifiers", "sandboxes", "reward_service", "trainer_client", "prorl")


@dataclass(frozen=True)
class Import:
    """One import of a project module: who imports what, and where."""

    source: str  # importing module, dotted
    target: str  # imported module, dotted (``from a.b import c`` gives ``a.b.c`` when that is a module)
    path: str
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _all_modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


MODULES = _all_modules()


def _resolve(name: str) -> str | None:
    """The project module ``name`` refers to (itself, or the longest module prefix), else None."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports_of(module: str, path: Path) -> list[Import]:
    """Every import of a project module in ``path``, in functions too; ``if TYPE_CHECKING:`` bodies are
    skipped (annotations only, never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []
    where = str(path.relative_to(ROOT))

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for stmt in child.orelse:
                    visit(stmt)
            elif isinstance(child, ast.Import):
                found.extend(Import(module, t, where, child.lineno)
                             for t in (_resolve(a.name) for a in child.names) if t)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                targets = (_resolve(f"{child.module}.{a.name}") or _resolve(child.module) for a in child.names)
                found.extend(Import(module, t, where, child.lineno) for t in targets if t)
            else:
                visit(child)

    visit(tree)
    return found


IMPORTS = [imp for module, path in MODULES.items() for imp in _imports_of(module, path)]


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _crossings(source: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{imp.path}:{imp.line} imports {imp.target}" for imp in IMPORTS
            if _within(imp.source, source) and any(_within(imp.target, f) for f in forbidden)]


# (importer, packages it must never import, why): every import counts, including lazy ones in functions.
PACKAGE_RULES = [
    ("sandboxes", ("verifiers", "reward_service", "trainer_client", "prorl"),
     "the sandbox runs untrusted programs and knows nothing of what it judges"),
    ("verifiers", ("reward_service", "trainer_client", "prorl"),
     "scoring is a pure library: the service, the trainer and the CLI use it, never the reverse"),
    ("reward_service", ("trainer_client", "prorl"),
     "the service must not reach up into its clients or the CLI (its version comes from the installed dist)"),
    ("trainer_client", ("reward_service", "sandboxes", "prorl"),
     "the trainer talks to the service over HTTP only"),
]


@pytest.mark.parametrize("source,forbidden,why", PACKAGE_RULES, ids=[r[0] for r in PACKAGE_RULES])
def test_packages_import_only_downwards(source: str, forbidden: tuple[str, ...], why: str) -> None:
    assert _crossings(source, forbidden) == [], why


def test_the_trainer_reads_verifiers_only_for_the_contract_and_its_data_builders() -> None:
    """The trainer's loop and the adapters share the item contract (``verifiers.schemas`` and the domain
    list) with the service; only the data builders reuse verifier parts (the boxed scanner, the
    reasoning_gym task table, the IFEval checkers) so that data and reward agree by construction."""
    contract = ("verifiers.schemas",)
    outside_data = [imp for imp in IMPORTS if _within(imp.source, "trainer_client")
                    and not _within(imp.source, "trainer_client.data") and _within(imp.target, "verifiers")
                    and not any(_within(imp.target, c) for c in contract)]
    assert [f"{i.path}:{i.line} imports {i.target}" for i in outside_data] == []


def test_the_grpo_wing_does_not_import_the_ray_or_eval_wings() -> None:
    """grpo/ is the algorithm in one process; ray/ and eval/ build on it, and the commands that choose
    between them sit above all three."""
    assert _crossings("trainer_client.grpo", ("trainer_client.ray", "trainer_client.eval")) == []


def test_verifiers_batch_does_not_import_a_worker_module() -> None:
    """Scoring one item (``verifiers.scoring``) is the library; the jail's worker runs it, not the reverse."""
    assert _crossings("verifiers.batch", ("verifiers.jail.worker",)) == []
    assert _crossings("verifiers.schemas", ("verifiers.jail", "verifiers.batch")) == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), sorted for a stable message."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def strongconnect(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                strongconnect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            strongconnect(node)
    return sorted(found)


def _edges(granularity: int | None) -> dict[str, set[str]]:
    """The import graph, lazy imports included (an import inside a function that comes back is still a
    circle, only hidden from the interpreter); ``granularity`` cuts names to that many dotted parts."""
    edges: dict[str, set[str]] = {}
    for imp in IMPORTS:
        src, dst = imp.source, imp.target
        if granularity is not None:
            src, dst = ".".join(src.split(".")[:granularity]), ".".join(dst.split(".")[:granularity])
        if src != dst and not _within(src, dst) and not _within(dst, src):
            edges.setdefault(src, set()).add(dst)
    return edges


def test_no_import_cycles_between_modules() -> None:
    """A cycle means neither module can be understood (or imported) first; a package's ``__init__``
    re-exporting its own submodules is not one (parent/child edges are left out)."""
    assert _cycles(_edges(None)) == []


@pytest.mark.parametrize("depth", [1, 2], ids=["packages", "wings"])
def test_no_import_cycles_between_packages_or_wings(depth: int) -> None:
    """Folders form a DAG too: e.g. reward_service.app -> reward_service.compat never comes back."""
    assert _cycles(_edges(depth)) == []


def test_the_checker_sees_imports_it_must_see() -> None:
    """The rules above pass vacuously if the scanner finds nothing: it must find known edges."""
    pairs = {(i.source, i.target) for i in IMPORTS}
    assert ("reward_service.app", "verifiers.schemas") in pairs or any(
        s.startswith("reward_service") and t.startswith("verifiers") for s, t in pairs)
    assert any(s.startswith("trainer_client.ray") and t.startswith("trainer_client.grpo") for s, t in pairs)
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
