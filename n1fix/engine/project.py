"""Facts about the whole project, gathered once before any file is checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from n1fix.orm.models import ModelIndex


@dataclass
class ProjectContext:
    root: Path
    models: "ModelIndex"
