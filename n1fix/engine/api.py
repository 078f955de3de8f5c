"""In-process entry points for one file's text: what tests and editors call."""

from __future__ import annotations

from pathlib import Path

from n1fix.config import load_config
from n1fix.engine.checker import file_context, run_rules
from n1fix.engine.discovery import find_project_root
from n1fix.engine.fixer import FixOutcome, fix_text
from n1fix.engine.runner import _project, _survey_all, display_path, gate_on_project
from n1fix.engine.survey import survey_file
from n1fix.orm.imports import clear_resolution_cache
from n1fix.rules import select_rules
from n1fix.rules.base import Finding
from n1fix.sql.schema_files import schema_indexes
from n1fix.sql.drivers import declares_psycopg2


def _setup(path: Path, text: str):
    clear_resolution_cache()
    declares_psycopg2.cache_clear()  # the dependency files may have changed
    schema_indexes.cache_clear()  # and the migrations
    path = Path(path).resolve()
    root = find_project_root([path])
    config = load_config(root)
    rules = [rule() for rule in select_rules(config.select, config.ignore)]
    # The text given wins over what is on disk (it may not be saved yet); the modules it
    # imports are read from disk.
    own = survey_file(path, root, {r.NAME: r for r in rules}, text=text)
    surveys = _survey_all(own.resolved, root)
    surveys[path] = own
    project = _project(root, surveys)
    gate_on_project(own, project, rules)
    display = display_path(path)

    def make(new_text: str):
        return file_context(
            path, display, new_text, own.module_name, own.imports, project
        )

    return rules, make


def scan_source(path: Path, text: str) -> list[Finding]:
    rules, make = _setup(path, text)
    return run_rules(make(text), rules)


def fix_source(path: Path, text: str, *, unsafe_fixes: bool = False) -> FixOutcome:
    rules, make = _setup(path, text)
    return fix_text(text, make, rules, unsafe_fixes=unsafe_fixes)
