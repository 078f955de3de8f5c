"""Facts about the whole project, gathered once before any file is checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from n1fix.rules.line_length import line_length_for

if TYPE_CHECKING:
    from n1fix.orm.dialect import OrmDialect
    from n1fix.orm.functions import FunctionIndex
    from n1fix.orm.models import ModelIndex
    from n1fix.orm.session_use import SessionUseIndex

__all__ = ["ProjectContext", "ProjectModule", "SharedFacts", "line_length_for"]


@dataclass(frozen=True)
class ProjectModule:
    """A file of the project as a rule reads it to plan code in it."""

    path: Path
    display: str  # as the user sees it
    # without the comment and blank lines after its last line of code (see
    # `cst.trailing_comments`)
    text: str
    module_name: str
    imports: dict[str, str]


@dataclass(frozen=True)
class SharedFacts:
    """What a rule's `survey` found in one file, with what reading it needs."""

    module_name: str
    display: str  # the file as the user sees it
    imports: dict[str, str]
    facts: object  # `Facts`


@dataclass
class ProjectContext:
    root: Path
    models: "ModelIndex"
    # How the project's ORM code is read: the questions rules ask go here (through
    # `dialect()`). None until chosen: the engine chooses it once some file is checked,
    # or leaves `choose_orm` to choose it on first use.
    orm: "OrmDialect | None"
    line_length: int = (
        88  # where generated statements break, as the project's formatter
    )
    functions: "FunctionIndex | None" = (
        None  # project functions whose body is a keyed query
    )
    session_use: "SessionUseIndex | None" = (
        None  # what project async functions do with sessions
    )
    # The batch variants planned with this index (`rules.query_in_loop.batch_variant`), by
    # callee. Each process fills its own; a new index (a new run) starts empty.
    variants: dict = field(default_factory=dict, repr=False, compare=False)
    # Reads another file of the project for a rule that plans code in it (a batch method
    # next to a callee): its `ProjectModule`, or why it cannot be read. Given by the engine.
    read_module: "Callable[[Path], ProjectModule | str] | None" = field(
        default=None, repr=False, compare=False
    )

    choose_orm: "Callable[[], OrmDialect] | None" = field(
        default=None, repr=False, compare=False
    )
    # Rule name -> the `survey` facts of every file that had some, for the rules that
    # share them (`Rule.SHARES_FACTS`): each as `SharedFacts`, by file path.
    shared_facts: "dict[str, dict[str, SharedFacts]]" = field(
        default_factory=dict, repr=False, compare=False
    )

    def dialect(self) -> "OrmDialect":
        if self.orm is None and self.choose_orm is not None:
            self.orm = self.choose_orm()
        return self.orm

    def __getstate__(self) -> dict:
        return {
            **self.__dict__,
            "variants": {},
        }  # plans hold tree nodes: not for other processes

    def fingerprint(self) -> str:
        """What findings depend on beyond the file itself (for the results cache)."""
        functions = self.functions.fingerprint() if self.functions is not None else ""
        sessions = (
            self.session_use.fingerprint() if self.session_use is not None else ""
        )
        return f"{self.dialect().name}:{self.models.fingerprint()}:{functions}:{sessions}:{self.line_length}"

    def shared_fingerprint(self, rule: str) -> str:
        """A digest of the facts `rule` shares (for the results cache of its files)."""
        import hashlib
        import json

        facts = self.shared_facts.get(rule)
        if not facts:
            return ""
        text = json.dumps(
            {path: [f.module_name, f.facts] for path, f in sorted(facts.items())},
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]
