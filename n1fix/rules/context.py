"""What a rule sees: the file being checked and the project around it."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import libcst as cst
from libcst.metadata import CodeRange

from n1fix.cst.chains import dotted_name
from n1fix.cst.parsing import parse_module
from n1fix.cst.positions import Positions
from n1fix.rules.project import ProjectContext

if TYPE_CHECKING:
    from n1fix.orm.dialect import ModelInfo, OrmDialect

_T = TypeVar("_T")


@dataclass
class FileContext:
    path: Path
    display_path: str
    module: cst.Module
    module_name: str
    imports: dict[str, str]
    project: ProjectContext
    # Set for a synthetic batch loop: whether the keys can be None, or of another type
    # than the column, is judged at the real call site, not on the loop's stand-in keys.
    keys_checked_elsewhere: bool = False
    # Set for a synthetic batch loop of a query method: the batch method returns early for
    # no keys, so its batched query needs no `if keys:` of its own.
    keys_never_empty: bool = False
    # Set for the loop n1fix builds to plan a batch method (`rules.query_in_loop.batch_variant`): calls
    # in it are the callee's own business and are not followed.
    planning: bool = False
    # The text the module was parsed from (LibCST prints it back unchanged); rendering
    # the whole module again to get it costs as much as a parse.
    source: str | None = field(default=None, repr=False)
    _positions: Positions | None = field(default=None, repr=False)

    def derived(self, text: str, **changes) -> FileContext:
        """A context for other code seen from this one (the loop a batch method is planned
        from): `text` parsed, the same project, `changes` to the other fields."""
        return dataclasses.replace(
            self, module=parse_module(text), source=text, _positions=None, **changes
        )

    @property
    def orm(self) -> OrmDialect:
        """The project's ORM dialect: ask it whether an expression is a query, a write..."""
        return self.project.dialect()

    def model_for(self, expr: cst.CSTNode | None) -> ModelInfo | None:
        """The model a class reference (`Render`, `models.Render`) names, if indexed."""
        if expr is None:
            return None
        found = self.project.dialect().model_for(
            self.project.models, expr, self.imports, self.module_name
        )
        if found is None:
            found = self._typed_model(expr)
        return found

    def _typed_model(self, expr: cst.CSTNode) -> ModelInfo | None:
        """`db.WorkQueue` where the module binds `db` only as a parameter annotated
        with a project class whose property `WorkQueue` hands out a model
        (`analysis.typed_names`, `orm.model_properties`)."""
        name = dotted_name(expr) if isinstance(expr, cst.BaseExpression) else None
        head, _, rest = (name or "").partition(".")
        if not rest or head in self.imports:
            return None
        annotation = self._parameter_classes.get(head)
        if annotation is None:
            return None
        first, dot, tail = annotation.partition(".")
        if first in self.imports:
            qualified = self.imports[first] + dot + tail
        else:
            qualified = f"{self.module_name}.{annotation}"
        from n1fix.orm.injected_args import defined_at

        defined = defined_at(qualified, self.project.root)
        if defined is None:
            return None
        return self.project.dialect().model_for(
            self.project.models,
            cst.parse_expression(f"{head}.{rest}"),
            {head: defined},
            self.module_name,
        )

    @functools.cached_property
    def _parameter_classes(self) -> dict[str, str]:
        from n1fix.analysis.typed_names import parameter_classes

        return parameter_classes(self.module)

    @property
    def text(self) -> str:
        """The module's source code."""
        if self.source is None:
            self.source = self.module.code
        return self.source

    def range_of(self, node: cst.CSTNode) -> CodeRange:
        if self._positions is None:
            self._positions = Positions(self.module, self.source)
        return self._positions[node]

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def project_module(self, qualified_module: str) -> cst.Module | None:
        """Another module of the project (`app.serializers`), parsed; None when it is not
        the project's or cannot be read."""
        from n1fix.orm.imports import note_read, resolve_module_path

        if qualified_module == self.module_name:
            return self.module
        path = resolve_module_path(qualified_module, self.project.root, near=self.path)
        if path is None:
            return None
        note_read(path)  # also when remembered: this file's findings depend on it
        return _parsed(path)

    def note_fact(self, name: str, answer: _T) -> _T:
        """`answer`, what the project fact `name` (`n1fix.engine.reads.PROJECT_FACTS`:
        read from files that are not modules) told this check; noted, so that the results
        cache re-checks this file when the project's files answer otherwise."""
        from n1fix.orm.imports import note_fact

        note_fact(name, self.project.root, answer)
        return answer

    @functools.cached_property
    def first_party(self) -> set[str]:
        """Top-level packages this file imports from inside the project (for import groups)."""
        from n1fix.orm.imports import resolve_module_path

        tops = {self.module_name.split(".")[0]}
        for qualified in self.imports.values():
            top = qualified.split(".")[0]
            if (
                top
                and top not in tops
                and resolve_module_path(top, self.project.root, near=self.path)
            ):
                tops.add(top)
        return tops


@functools.lru_cache(maxsize=64)
def _parsed_at(path: Path, mtime_ns: int) -> cst.Module | None:
    try:
        return parse_module(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError):
        return None


def _parsed(path: Path) -> cst.Module | None:
    try:
        return _parsed_at(path, path.stat().st_mtime_ns)
    except OSError:
        return None
