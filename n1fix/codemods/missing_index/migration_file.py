"""The Alembic migration the `missing-index` fix creates beside the model change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from n1fix.cst.companions import NewFile
from n1fix.rules.missing_index.migration import Migration


@dataclass(frozen=True)
class MigrationFile(NewFile):
    migration: Migration | None = None

    def after(self, parent: str) -> "MigrationFile":
        migration = self.migration.after(parent)
        path = self.path.with_name(migration.filename)
        display = str(Path(self.display).with_name(migration.filename))
        return replace(
            self,
            path=path,
            display=display,
            text=migration.text,
            link=migration.revision,
            parent=parent,
            migration=migration,
        )


def migration_file(root: Path, migration: Migration) -> MigrationFile:
    path = (root / migration.folder / migration.filename).resolve()
    try:
        display = str(path.relative_to(Path.cwd()))
    except ValueError:
        display = str(path)
    return MigrationFile(
        path=path,
        display=display,
        name=f"the migration that creates {migration.index}",
        text=migration.text,
        chain=migration.folder,
        link=migration.revision,
        parent=migration.down_revision,
        migration=migration,
    )
