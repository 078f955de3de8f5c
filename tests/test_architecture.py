"""The package layout keeps its arrows pointing down:

    cli / report / bot -> engine -> codemods -> rules -> analysis -> orm -> sql -> cst

Read from the source with `ast` (nothing is imported): every `import` of an n1fix module,
at module level or inside a function, counts; one under `if TYPE_CHECKING:` does not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "n1fix"

# What each layer may import besides itself (a module of n1fix, by its dotted name prefix).
LAYERS: dict[str, tuple[str, ...]] = {
    "n1fix.cst": (),
    # SQL written as strings (sqlglot): neutral about the ORM, so rules read it directly
    "n1fix.sql": ("n1fix.cst",),
    "n1fix.orm": ("n1fix.sql", "n1fix.cst"),
    "n1fix.analysis": ("n1fix.orm", "n1fix.sql", "n1fix.cst"),
    "n1fix.rules": ("n1fix.analysis", "n1fix.orm", "n1fix.sql", "n1fix.cst"),
    "n1fix.codemods": (
        "n1fix.rules",
        "n1fix.analysis",
        "n1fix.orm",
        "n1fix.sql",
        "n1fix.cst",
    ),
}
ABOVE_ENGINE = ("n1fix.engine", "n1fix.report", "n1fix.cli", "n1fix.bot", "n1fix.trace")

# Known upward imports, each with the step of issue 15 that removes it (none are left).
ALLOWED_UPWARD: set[tuple[str, str]] = set()


# The ORM seam (issue 15 step 5): rules, shared analyses and codemods ask the project's
# dialect (`ctx.orm`) and name its value types through `n1fix.orm.dialect`. What they
# still import from the rest of orm/, name by name, with why (the work left):
SEAM = "n1fix.orm.dialect"
SEAM_USERS = ("n1fix.rules", "n1fix.analysis", "n1fix.codemods")
PAST_THE_SEAM: dict[tuple[str, str, str | None], str] = {
    (
        "n1fix.rules.context",
        "n1fix.orm.imports",
        "resolve_module_path",
    ): "module resolution (import groups of generated code), no ORM question: belongs in cst/ or the engine",
    **{
        (
            "n1fix.rules.context",
            "n1fix.orm.imports",
            name,
        ): "what a check read of the project, noted for the results cache (module resolution's"
        " observer, no ORM question): belongs in cst/ or the engine with module resolution"
        for name in ("note_fact", "note_read")
    },
    (
        "n1fix.rules.context",
        "n1fix.orm.injected_args",
        "defined_at",
    ): "where a class a parameter is annotated with is defined, through re-exports"
    " (module resolution, no ORM question): belongs in cst/ or the engine with module resolution",
    **{
        (
            "n1fix.rules.query_in_loop.injected_params",
            "n1fix.orm.injected_args",
            name,
        ): "what a project decorator does to its function's parameters, read from its source"
        " (module resolution, no ORM question): belongs in cst/ or the engine with module resolution"
        for name in ("injection", "Injection")
    },
    (
        "n1fix.rules.write_in_loop.loop_body",
        "n1fix.orm.query_shape",
        "is_model_like",
    ): "a spelling heuristic (a CapWords name) in a helper without the context; it moves with the value types",
    (
        "n1fix.codemods.query_in_loop.batch_variant",
        "n1fix.orm.imports",
        "import_map",
    ): "the callee module's import map (module resolution, no ORM question): belongs in cst/ or the engine",
    (
        "n1fix.codemods.query_in_loop.loop_keys",
        "n1fix.orm.query_shape",
        "recognize",
    ): "naming the batch's collection after the entity a query selects: the plan should carry the entity",
    **{
        (
            f"n1fix.rules.lazy_load_in_loop.{module}",
            "n1fix.orm.django_template_places",
            name,
        ): "where a Django project's templates live (its settings' DIRS, its apps'"
        " folders): a question about the project's layout, not its queries"
        for module, name in (
            ("template_reads", "find_template"),
            ("templates", "places_fact"),
            ("gate", "find_template"),
            ("gate", "places_fact"),
            ("gate", "template_places"),
        )
    },
    (
        "n1fix.rules.lazy_load_in_loop.gate",
        "n1fix.orm.imports",
        "note_fact",
    ): "the template places a project gate read, noted for the run memo (module"
    " resolution's observer, no ORM question): belongs in cst/ or the engine",
    **{
        (
            "n1fix.analysis.await_calls",
            "n1fix.orm.session_use",
            name,
        ): "SQLAlchemy's session method names read directly by sequential-awaits: a dialect question"
        " (`is this a session read / write`) once that rule's split has landed"
        for name in (
            "HARMLESS",
            "READ_METHODS",
            "SESSION_NAME",
            "SESSION_TYPE",
            "WRITE_METHODS",
        )
    },
    **{
        (
            "n1fix.analysis.ast_awaits",
            "n1fix.orm.session_use",
            name,
        ): "the same names as `await_calls`, read by the awaits rules' gates (a superset of"
        " what it reads): they move with it"
        for name in ("READ_METHODS", "SESSION_NAME", "SESSION_TYPE", "WRITE_METHODS")
    },
}
# Only the engine chooses the dialect; nothing below it names the implementation.
DIALECT_CHOICE = (
    "n1fix.orm.dialects",
    "n1fix.orm.sqlalchemy_dialect",
    "n1fix.orm.django_dialect",
    # a project that imports both ORMs: it asks each of the two above
    "n1fix.orm.mixed_dialect",
)


def module_names() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = module_names()


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST):
    """Every import statement under `tree`, skipping `if TYPE_CHECKING:` bodies."""
    for child in ast.iter_child_nodes(tree):
        for node in child.orelse if _is_type_checking(child) else [child]:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node
            yield from _imports(node)


def _known(name: str) -> str | None:
    """The n1fix module `name` is or lies in (`n1fix.cst.syntax.walk` -> `n1fix.cst.syntax`)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def edges() -> list[tuple[str, str, str | None, int]]:
    """(importer, imported module, imported name or None, line) for every n1fix import."""
    found = []
    for module, path in MODULES.items():
        is_package = path.name == "__init__.py"
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("n1fix") and (
                        target := _known(alias.name)
                    ):
                        found.append((module, target, None, node.lineno))
                continue
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("n1fix"):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in MODULES:
                    found.append((module, submodule, None, node.lineno))
                elif target := _known(base):
                    found.append((module, target, alias.name, node.lineno))
    return found


EDGES = edges()


def _package(module: str) -> str:
    """The package a module belongs to: itself for a package, else its parent."""
    return (
        module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a
    path around the cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def _cycle_through(
    graph: dict[str, set[str]], start: str, inside: set[str]
) -> list[str]:
    """The shortest cycle from `start` back to it inside `inside`, as [start, ..., start]."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        here = queue.pop(0)
        for there in sorted(graph.get(here, set()) & inside):
            if there == start:
                return [*paths[here], start]
            if there not in paths:
                paths[there] = [*paths[here], there]
                queue.append(there)
    return [start]


def cycles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every module caught in a cycle gets its shortest one, each cycle listed once
    (rotated to start at its smallest module)."""
    found: list[list[str]] = []
    for members in _cycles(graph):
        for start in members:
            cycle = _cycle_through(graph, start, set(members))[:-1]
            first = cycle.index(min(cycle))
            cycle = [*cycle[first:], *cycle[:first], cycle[first]]
            if cycle not in found:
                found.append(cycle)
    return found


def import_graph(edges_: list[tuple[str, str, str | None, int]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for importer, imported, _name, _line in edges_:
        if importer != imported:
            graph.setdefault(importer, set()).add(imported)
    return graph


def test_the_graph_is_read() -> None:
    graph = import_graph(EDGES)
    assert "n1fix.cst.syntax" in graph.get("n1fix.cst.loop_frames", set())
    assert len(EDGES) > 200


def test_no_import_cycle() -> None:
    cycles = [" -> ".join(cycle) for cycle in cycles_in(import_graph(EDGES))]
    assert not cycles, (
        "import cycles in n1fix/ (imports inside functions count):\n  "
        + "\n  ".join(cycles)
    )


def test_a_planted_cycle_is_reported() -> None:
    planted = [*EDGES, ("n1fix.cst.syntax", "n1fix.cst.loop_frames", None, 1)]
    assert [
        "n1fix.cst.loop_frames",
        "n1fix.cst.syntax",
        "n1fix.cst.loop_frames",
    ] in cycles_in(import_graph(planted))


def test_no_underscore_name_crosses_a_package() -> None:
    crossings = [
        f"{importer}:{line} imports {imported}.{name or ''}"
        for importer, imported, name, line in EDGES
        if _package(importer) != _package(imported)
        and not _package(importer).startswith(_package(imported) + ".")
        and (
            (name or "").startswith("_")
            or any(
                part.startswith("_") and part != "__init__"
                for part in imported.split(".")
            )
        )
    ]
    assert not crossings, "private names imported across packages:\n  " + "\n  ".join(
        crossings
    )


def _layer(module: str) -> str | None:
    return next(
        (
            layer
            for layer in LAYERS
            if module == layer or module.startswith(layer + ".")
        ),
        None,
    )


def test_layers_import_only_downwards() -> None:
    wrong = []
    for importer, imported, name, line in EDGES:
        layer = _layer(importer)
        if layer is None or (importer, imported) in ALLOWED_UPWARD:
            continue
        allowed = (layer, *LAYERS[layer])
        if imported == "n1fix" or not any(
            imported == a or imported.startswith(a + ".") for a in allowed
        ):
            wrong.append(
                f"{importer}:{line} ({layer}) imports {imported}"
                + (f".{name}" if name else "")
            )
    assert not wrong, (
        "imports against the layer order (cst <- orm <- analysis <- rules <- codemods):\n  "
        + "\n  ".join(wrong)
    )


def test_nothing_below_the_engine_imports_it() -> None:
    wrong = [
        f"{importer}:{line} imports {imported}"
        for importer, imported, _name, line in EDGES
        if _layer(importer) is not None
        and imported.startswith(ABOVE_ENGINE)
        and (importer, imported) not in ALLOWED_UPWARD
    ]
    assert not wrong, (
        "modules below the engine import the engine or above:\n  " + "\n  ".join(wrong)
    )


def test_the_allowed_upward_imports_still_exist() -> None:
    # An exception that is no longer needed is removed from ALLOWED_UPWARD.
    present = {(importer, imported) for importer, imported, _name, _line in EDGES}
    assert ALLOWED_UPWARD <= present, sorted(ALLOWED_UPWARD - present)


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_exists(layer: str) -> None:
    assert layer in MODULES


def _uses_the_seam(module: str) -> bool:
    return module.startswith(tuple(layer + "." for layer in SEAM_USERS))


def past_the_seam(edges_: list[tuple[str, str, str | None, int]]) -> list[str]:
    return [
        f"{importer}:{line} imports {imported}" + (f".{name}" if name else "")
        for importer, imported, name, line in edges_
        if _uses_the_seam(importer)
        and imported.startswith("n1fix.orm")
        and imported != SEAM
        and (importer, imported, name) not in PAST_THE_SEAM
    ]


def test_a_planted_import_past_the_seam_is_reported() -> None:
    planted = [
        *EDGES,
        ("n1fix.rules.query_in_loop.analysis", "n1fix.orm.query_shape", "recognize", 1),
    ]
    assert past_the_seam(planted) == [
        "n1fix.rules.query_in_loop.analysis:1 imports n1fix.orm.query_shape.recognize"
    ]


def test_rules_and_analyses_reach_the_orm_through_the_seam() -> None:
    past = past_the_seam(EDGES)
    assert not past, (
        "imports of orm/ past the seam (ask ctx.orm; name types through n1fix.orm.dialect):\n  "
        + "\n  ".join(past)
    )


def test_only_the_engine_names_the_dialect_implementation() -> None:
    wrong = [
        f"{importer}:{line} imports {imported}"
        for importer, imported, _name, line in EDGES
        if imported in DIALECT_CHOICE
        and importer not in DIALECT_CHOICE
        and not importer.startswith("n1fix.engine")
    ]
    assert not wrong, "the dialect is chosen by the engine only:\n  " + "\n  ".join(
        wrong
    )


def test_the_imports_past_the_seam_still_exist() -> None:
    # An exception that is no longer needed is removed from PAST_THE_SEAM.
    present = {(importer, imported, name) for importer, imported, name, _line in EDGES}
    assert PAST_THE_SEAM.keys() <= present, sorted(PAST_THE_SEAM.keys() - present)
