"""Facts about the whole project, gathered once before any file is checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from n1fix.rules.line_length import line_length_for

if TYPE_CHECKING:
    from n1fix.orm.functions import FunctionIndex
    from n1fix.orm.models import ModelIndex
    from n1fix.orm.session_use import SessionUseIndex

__all__ = ["ProjectContext", "line_length_for"]


@dataclass
class ProjectContext:
    root: Path
    models: "ModelIndex"
    line_length: int = 88  # where generated statements break, as the project's formatter
    functions: "FunctionIndex | None" = None  # project functions whose body is a keyed query
    session_use: "SessionUseIndex | None" = None  # what project async functions do with sessions

    def fingerprint(self) -> str:
        """What findings depend on beyond the file itself (for the results cache)."""
        functions = self.functions.fingerprint() if self.functions is not None else ""
        sessions = self.session_use.fingerprint() if self.session_use is not None else ""
        return f"{self.models.fingerprint()}:{functions}:{sessions}:{self.line_length}"
