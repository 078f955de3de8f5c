"""Edits a fix makes to a file other than the one it fixes, and files it creates.

A loop that calls `RendersDAL.latest_for_project()` per item is fixed in the caller's
file, but the batch method it then calls (`latest_for_projects`) belongs next to the
original, in the DAL's module. The codemod returns that method as a `CompanionEdit`: plain,
picklable data (it crosses from worker processes), applied to the other file's text once
all per-file fixes are known. Applying one is idempotent: a method that is already there
(added for another caller in the same run, or by an earlier run) is left as it is.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from n1fix.cst.imports import add_from_import
from n1fix.cst.inserted_reads import inserted_reads_bound
from n1fix.cst.name_binding import new_unbound_reads
from n1fix.cst.parsing import parsed


@dataclass(frozen=True)
class CompanionEdit:
    path: Path  # the file to edit (resolved)
    display: str  # as the user sees it
    owner: (
        str | None
    )  # the module-level class the function belongs to; None: a module function
    after: str  # the function the new one goes after
    name: str  # the new function
    code: str  # its source, at module-level indentation
    imports: tuple[
        tuple[str, str], ...
    ] = ()  # `from module import name` pairs it needs
    first_party: frozenset[str] = (
        frozenset()
    )  # the edited module's first-party packages


@dataclass(frozen=True)
class NewFile:
    """A file a fix creates (an Alembic migration beside the model change that needs it).

    New files of one `chain` (a migrations folder) form a line: each names the one it
    follows (`parent`) and is named by `link`. When one run creates several, each after
    the first is placed after the one before it (`after`), so the line stays one line.
    Creating one is idempotent: a file already there with the same text is left alone.
    """

    path: Path  # where it goes (resolved)
    display: str  # as the user sees it
    name: str  # what it is, for messages
    text: str
    chain: str | None = None
    link: str | None = None
    parent: str | None = None

    def after(self, parent: str) -> "NewFile":
        """The same file, following `parent` in its chain."""
        raise NotImplementedError


class CompanionFailed(Exception):
    """The edit cannot be placed: the class or function it goes after is gone."""


def apply_companion(text: str, edit: CompanionEdit) -> str:
    module = original = parsed(text)
    block_owner = _owner_block(module, edit.owner)
    if block_owner is None:
        raise CompanionFailed(f"class `{edit.owner}` is not in {edit.display}")
    body = list(
        block_owner.body
        if isinstance(block_owner, cst.Module)
        else block_owner.body.body
    )
    names = [s.name.value for s in body if isinstance(s, cst.FunctionDef)]
    if edit.name in names:
        return text
    position = next(
        (
            i
            for i, s in enumerate(body)
            if isinstance(s, cst.FunctionDef) and s.name.value == edit.after
        ),
        None,
    )
    if position is None:
        raise CompanionFailed(f"`{edit.after}` is not in {edit.display}")
    function = cst.parse_statement(
        textwrap.dedent(edit.code), config=module.config_for_parsing
    )
    blank = cst.EmptyLine(indent=False, whitespace=cst.SimpleWhitespace(""))
    spacing = [blank] if edit.owner else [blank, blank]
    function = function.with_changes(leading_lines=spacing)
    body.insert(position + 1, function)
    if position + 2 < len(body):
        following = body[position + 2]
        if not following.leading_lines:
            body[position + 2] = following.with_changes(leading_lines=spacing)
    if isinstance(block_owner, cst.Module):
        module = module.with_changes(body=body)
    else:
        new_owner = block_owner.with_changes(
            body=block_owner.body.with_changes(body=body)
        )
        module = module.with_changes(
            body=[new_owner if s is block_owner else s for s in module.body]
        )
    for source, name in edit.imports:
        module = add_from_import(module, source, name, set(edit.first_party))
    code = module.code
    # What `new_unbound_reads` would say when every read of the new function is bound,
    # asked of a smaller module (`inserted_reads`).
    if inserted_reads_bound(text, module, function, [name for _, name in edit.imports]):
        return code
    # `original` is `text` parsed (the edits above built new trees beside it): parsed
    # and analysed once, not again.
    unbound = new_unbound_reads(original, cst.parse_module(code))
    if unbound is not None:  # the same check as every rewrite of the fixed file
        raise CompanionFailed(f"{edit.display}: {unbound}")
    return code


def _owner_block(module: cst.Module, owner: str | None):
    if owner is None:
        return module
    return next(
        (
            s
            for s in module.body
            if isinstance(s, cst.ClassDef) and s.name.value == owner
        ),
        None,
    )
