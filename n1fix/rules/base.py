"""What every rule shares: the finding it yields, its severity and fix safety."""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, ClassVar, Iterable

if TYPE_CHECKING:
    from n1fix.rules.context import FileContext
    from n1fix.rules.project import ProjectContext

# What a rule's `survey` finds in one file: plain JSON values only (str, int, bool, None,
# and lists and str-keyed dicts of them; no tuples, sets or floats), since the results
# cache keeps them and a warm run must hand `project_gate` what a cold run did.
Facts = Annotated[object, "plain JSON"]


@dataclass(frozen=True)
class GatedFile:
    """A file some rule's gate let through, as `Rule.project_turns_away` reads it."""

    path: Path
    module_name: str
    imports: dict[str, str]  # local name -> qualified name (`orm.imports.import_map`)
    # What a rule's `survey` found in another file of the project, by the path import
    # resolution gives (`facts_of(rule name, path)`); KeyError when this run did not
    # survey that file, or not for that rule.
    facts_of: Callable[[str, Path], Facts | None] = field(repr=False, compare=False)
    # The project file of a module as `FileContext.project_module` finds it from this
    # file (`orm.imports.resolve_module_path`), or None.
    find_module: Callable[[str], Path | None] = field(repr=False, compare=False)


class Severity(str, enum.Enum):
    """How the cost grows: `high` once per item, `medium` a constant extra, `low` advice."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class FixAvailability(str, enum.Enum):
    """Whether a rule can offer fixes at all (per rule, as in ruff)."""

    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NONE = "none"


class Applicability(str, enum.Enum):
    """How safe one finding's fix is (per finding, as in ruff).

    `safe` fixes are applied by `n1fix apply`; `unsafe` ones only with `--unsafe-fixes`
    (or when accepted in the interactive prompt); `none` means no fix is offered.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


@dataclass
class Finding:
    rule: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    severity: Severity
    applicability: Applicability = Applicability.NONE
    # Why the fix is unsafe or absent, in words a user learns from.
    fix_note: str | None = None
    # The header line of the loop that makes it run per item (for suppressions).
    loop_line: int | None = None
    # The codemod's plan: opaque to the engine, never serialised.
    plan: Any = field(default=None, repr=False, compare=False)

    @property
    def fixable(self) -> bool:
        return self.applicability is not Applicability.NONE

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule)

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "severity": self.severity.value,
            "fixable": self.fixable,
            "applicability": self.applicability.value,
        }


class Rule:
    """Base class of every rule.

    A subclass sets `NAME` (kebab-case, names the pattern), `MESSAGE`, `SEVERITY` and
    `FIX`, documents itself in its docstring (What it does / Why is this bad? / Example /
    Use instead / Fix safety), and implements `gate` (cheap, on the `ast` tree) and
    `check` (precise, on the LibCST tree). It lives in the package
    `n1fix.rules.<name with underscores>` (the class in `rule.py`, exported by the
    package's `__init__.py`); its codemod is the package of the same name in
    `n1fix.codemods`, exposing `fix`, and both are found by that name.

    A rule whose findings in a file depend on the rest of the project (a function defined
    elsewhere, a model's keys) also implements `survey` (facts about each file) and
    `project_gate` (given those facts and the project, may the file hold a finding after
    all?). The engine runs these hooks for every selected rule without knowing any.
    """

    NAME: ClassVar[str]
    MESSAGE: ClassVar[str]
    SEVERITY: ClassVar[Severity]
    FIX: ClassVar[FixAvailability] = FixAvailability.NONE
    # Off unless selected by name (or by the option that asks for it), like ruff's
    # rules outside the default set.
    DEFAULT: ClassVar[bool] = True
    # Round trips before and after the fix, as formulas in N (the items of the loop), for
    # the audit report; None when the rule is not about round trips.
    ROUND_TRIPS: ClassVar[tuple[str, str] | None] = None
    # The rule whose name reported this rule's findings before they became a rule of their
    # own (as ruff redirects renamed codes): a suppression, `select` or `ignore` naming
    # that rule still covers them.
    SPLIT_FROM: ClassVar[str | None] = None
    # The rule's `check` reads what `survey` found in every file of the project (its
    # `ProjectContext.shared_facts`), not only in the file checked: an index a migration
    # declares, a query in another module.
    SHARES_FACTS: ClassVar[bool] = False

    def gate(self, tree: ast.Module, text: str) -> bool:
        """May this file (its `ast` tree and source text) hold a finding?

        It may say yes too often, never too rarely: a file it turns away is not checked.
        """
        return True

    def survey(self, tree: ast.Module, text: str) -> Facts | None:
        """Facts about this file that `project_gate` will need (None: none).

        Runs in the cheap pass on every file (in a worker process) while the rule is
        selected; its answer is cached with the file's survey, so it must be `Facts`.
        """
        return None

    def project_gate(self, facts: Facts | None, project: "ProjectContext") -> bool:
        """May a file that `gate` turned away hold a finding after all, now that the whole
        project is known? `facts` is what `survey` found in the file.

        Like `gate`, it may say yes too often, never too rarely.
        """
        return False

    def project_turns_away(
        self, facts: Facts | None, file: "GatedFile", project: "ProjectContext"
    ) -> bool:
        """Can a file that `gate` let through be turned away after all, now that the whole
        project is known? `facts` is what `survey` found in it; `file` says where it is,
        what it imports, and what `survey` found in the project's other files.

        The reverse of `project_gate`: it may say no too often, never yes too often (a
        file it turns away is not checked). An answer that reads another file's facts is
        asked again in every run, from that file's survey of the run: nothing keeps it.
        """
        return False

    @classmethod
    def surveys_files(cls) -> bool:
        """Does the rule gather facts with `survey` (the engine keeps them per file)?"""
        return cls.survey is not Rule.survey

    def check(self, ctx: "FileContext") -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def module_name(cls) -> str:
        return cls.NAME.replace("-", "_")

    @classmethod
    def finding_at(
        cls,
        ctx: "FileContext",
        node,
        message: str,
        applicability: Applicability = Applicability.NONE,
        fix_note: str | None = None,
        plan: Any = None,
        loop: Any = None,
    ) -> Finding:
        """A finding of this rule spanning `node` (1-based columns, as editors count)."""
        span = ctx.range_of(node)
        loop_line = ctx.range_of(loop).start.line if loop is not None else None
        return Finding(
            rule=cls.NAME,
            path=ctx.display_path,
            line=span.start.line,
            column=span.start.column + 1,
            end_line=span.end.line,
            end_column=span.end.column + 1,
            message=message,
            severity=cls.SEVERITY,
            applicability=applicability,
            fix_note=fix_note,
            plan=plan,
            loop_line=loop_line,
        )
