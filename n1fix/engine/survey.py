"""The cheap first pass over every file, with `ast`: model facts, imports, and the gate.

It runs in worker processes, so everything it returns is plain, picklable data; the results
cache stores it as JSON (`cache_codec`), so every field is annotated with its exact type.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

from n1fix.cst.astwalk import index_of
from n1fix.engine.fileio import SourceError, read_source
from n1fix.engine.older_syntax import as_older_syntax
from n1fix.orm.django_facts import DjangoFacts, extract_django, mentions_django
from n1fix.orm.functions import QueryFunction, defined_functions, extract_functions
from n1fix.orm.imports import (
    import_map,
    imported_modules,
    module_name_for,
    resolve_module_path,
)
from n1fix.orm.model_facts import ModelFacts
from n1fix.orm.models import extract_models
from n1fix.orm.normalised_values import extract_normalised_values
from n1fix.orm.session_use import (
    Raiser,
    SessionFactory,
    SessionUse,
    extract_session_use,
)
from n1fix.rules.base import Facts, Rule


@dataclass
class Survey:
    path: Path
    module_name: str
    digest: str = ""  # content hash, for the results cache
    imports: dict[str, str] = field(default_factory=dict)
    resolved: list[Path] = field(default_factory=list)  # project files it imports
    # Imported modules not found in the project: a cached survey is stale once one appears.
    unresolved: list[str] = field(default_factory=list)
    models: list[ModelFacts] = field(default_factory=list)
    django_models: list[DjangoFacts] = field(default_factory=list)
    functions: list[QueryFunction] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)  # every function's qualified name
    session_use: list[SessionUse | SessionFactory | Raiser] = field(
        default_factory=list
    )  # async code, plain raisers
    # Rule name -> what the rule's `survey` found (None included), for its `project_gate`;
    # a rule is listed when it gathers facts and its facts were asked for.
    rule_facts: dict[str, Facts] = field(default_factory=dict)
    # Names of the rules whose gate let this file through; None: `ast` could not parse
    # it (newer syntax, or broken), so every rule gets to look and LibCST decides.
    gated: list[str] | None = None
    error: str | None = None


def survey_file(
    path: Path,
    root: Path,
    rules: dict[str, Rule],
    text: str | None = None,
    facts_of: Collection[str] | None = None,
) -> Survey:
    """Survey one file: every rule in `rules` gates it, and those named in `facts_of`
    (default: all of them) gather their facts."""
    module_name = module_name_for(path, root)
    survey = Survey(path=path, module_name=module_name)
    if text is None:
        try:
            source = read_source(path)
        except SourceError as error:
            survey.error = error.reason
            return survey
        except Exception as error:  # noqa: BLE001 - one file's failure must not stop the run
            survey.error = one_line(f"cannot read: {type(error).__name__}: {error}")
            return survey
        text = source.text
        survey.digest = source.digest
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError:
        tree = _older_syntax_tree(text)
        if tree is None:
            return survey  # gated stays None: LibCST reads it or reports why it can't
    except ValueError:
        return survey
    except (RecursionError, MemoryError):
        # CPython's own parser gives up: the file cannot be compiled or run either.
        survey.error = "too deeply nested to parse (Python itself cannot compile it)"
        return survey
    try:
        _gather_facts(survey, tree, text, root, rules, facts_of)
    except RecursionError:
        survey.error = "too deeply nested to analyse"
    except Exception as error:  # noqa: BLE001 - one file's failure must not stop the run
        survey.error = one_line(
            f"internal error while surveying: {type(error).__name__}: {error}"
        )
    return survey


def _older_syntax_tree(text: str) -> ast.Module | None:
    """The `ast` of a file of syntax newer than the running Python's, read as
    `older_syntax` gives it; None when that reading does not parse either.

    The survey reads it as any other file: its models, receivers, functions and
    imports go to the project index. Only type parameter lists and `type` statements
    differ, and they name types only: every class, call, decorator and assignment is
    where it was, on the same line.
    """
    older = as_older_syntax(text)
    if older is None:
        return None
    try:
        return ast.parse(older)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def imports_of(path: Path, text: str, module_name: str) -> dict[str, str]:
    """The import map `survey_file` gives the file: read from the older-syntax reading
    of a file whose syntax is newer than the running Python's; empty when neither
    reading parses."""
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError:
        tree = _older_syntax_tree(text)
        if tree is None:
            return {}
    except Exception:  # noqa: BLE001 - as the survey: no imports
        return {}
    try:
        return import_map(tree, module_name, path.name == "__init__.py")
    except Exception:  # noqa: BLE001 - as the survey: no imports
        return {}


def _gather_imports(survey: Survey, tree: ast.Module, root: Path) -> None:
    path, module_name = survey.path, survey.module_name
    is_package = path.name == "__init__.py"
    survey.imports = import_map(tree, module_name, is_package)
    imported = imported_modules(tree, module_name, is_package)
    targets = {m: resolve_module_path(m, root, near=path) for m in imported}
    survey.resolved = [target for target in targets.values() if target]
    survey.unresolved = sorted(m for m, target in targets.items() if target is None)


# A file that may normalise a column's values (`n1fix.orm.normalised_values`).
_NORMALISING = re.compile(r"\.(?:lower|upper|casefold|strip)\(")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def one_line(message: str) -> str:
    return " ".join(message.split())


def _gather_facts(
    survey: Survey,
    tree: ast.Module,
    text: str,
    root: Path,
    rules: dict[str, Rule],
    facts_of: Collection[str] | None,
) -> None:
    path, module_name = survey.path, survey.module_name
    index_of(tree)  # one walk, read by the fact extractors and the gates below
    is_package = path.name == "__init__.py"
    _gather_imports(survey, tree, root)
    survey.models = extract_models(tree, module_name, is_package)
    if _NORMALISING.search(text):
        survey.models += extract_normalised_values(
            tree, survey.imports, module_name, _relative(path, root)
        )
    if mentions_django(text, module_name):
        survey.django_models = extract_django(tree, module_name, is_package, text)
    survey.functions = extract_functions(tree, module_name, str(path), text)
    # A batch variant lives next to its per-item twin: only modules with a keyed query
    # function need their function names kept (the survey cache stays small).
    survey.defined = defined_functions(tree, module_name) if survey.functions else []
    survey.rule_facts = {
        name: rule.survey(tree, text)
        for name, rule in rules.items()
        if rule.surveys_files() and (facts_of is None or name in facts_of)
    }
    if (
        "async def" in text or "sessionmaker" in text or "raise " in text
    ):  # a plain helper may be a gate's `raise`
        survey.session_use = extract_session_use(
            tree, module_name, str(path), survey.imports
        )
    survey.gated = [name for name, rule in rules.items() if rule.gate(tree, text)]
