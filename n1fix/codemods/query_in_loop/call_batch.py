"""Rewrite a loop that calls a query function per item: call its batch variant once.

    for project in projects:
        latest = RendersDAL.latest_for_project(session, project.id, limit=4)

becomes

    latest_by_project = RendersDAL.latest_for_projects(session, [project.id for project in projects], limit=4)
    for project in projects:
        latest = latest_by_project[project.id]

The batch variant returns an entry for every key it was given, so the lookup needs no
default. When the variant is new, it is written (`batch_variant`) and comes back as a
`CompanionEdit` for the callee's module (or is added to this module at once, when the
callee lives here).
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.hoist_guards import guard_code
from n1fix.codemods.query_in_loop.batch_variant import write_method
from n1fix.codemods.query_in_loop.loop_keys import _keys, _Rewriter
from n1fix.cst.companions import CompanionEdit, apply_companion
from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import add_beside, add_from_import, remove_unused_import
from n1fix.cst.layout import INDENT, broken_expression, fits
from n1fix.cst.names import NamePicker, plural, singular_snake
from n1fix.orm.dialect import Cardinality
from n1fix.rules.base import Finding
from n1fix.rules.query_in_loop.call_analysis import CallPlan


def fix_call(ctx, finding: Finding) -> tuple[cst.Module, list[CompanionEdit]]:
    plan: CallPlan = finding.plan
    variant = plan.variant
    names = NamePicker(plan.scope, ctx.module)
    statements, keys_ref, replace_iter = _keys(ctx, plan, names)
    call_code = _batch_call(ctx, plan, keys_ref)
    if variant.callee.writes:
        return _replace_loop(ctx, plan, statements, call_code)
    lookup_name = names.pick(_lookup_name(plan))
    condition = guard_code(ctx.code, plan.placement.batch_guards)
    statement = f"{lookup_name} = {call_code}"
    if variant.rows_by is not None:
        # The project's variant was not written to return early for no keys: the batch
        # must not cost a query the loop would not have run.
        condition = f"{keys_ref} and {condition}" if condition else keys_ref
        call_code = _rows_by_key(ctx, plan, call_code, lookup_name, bool(condition))
        statement = f"{lookup_name} = {call_code}"
    indent = ctx.range_of(plan.anchor).start.column + (len(INDENT) if condition else 0)
    if not fits(statement, indent, ctx.project.line_length):
        broken = broken_expression(
            cst.parse_expression(call_code.removeprefix("await "))
        )
        if broken is not None:
            statement = f"{lookup_name} = {'await ' if call_code.startswith('await ') else ''}{broken}"
    if condition:  # the calls ran only under these conditions: so does the batch
        statements.append(f"{lookup_name} = {{}}")
        statement = f"if {condition}:\n" + "\n".join(
            INDENT + line for line in statement.split("\n")
        )
    statements.append(statement)
    config = ctx.module.config_for_parsing
    try:
        new_statements = [
            cst.parse_statement(s + "\n", config=config) for s in statements
        ]
        key_code = ctx.code(plan.placement.key)
        lookup = cst.parse_expression(
            f"{lookup_name}.get({key_code})"
            if variant.rows_by is not None
            else f"{lookup_name}[{key_code}]",
            config=config,
        )
    except cst.ParserSyntaxError as error:
        raise FixFailed(
            f"generated code does not parse: {str(error).splitlines()[0]}"
        ) from error
    module = ctx.module.visit(
        _Rewriter(
            plan.anchor,
            new_statements,
            plan.site,
            lookup,
            plan.items if replace_iter else None,
            replace_iter,
        )
    )
    return _finish(ctx, plan, module)


def _finish(
    ctx, plan: CallPlan, module: cst.Module
) -> tuple[cst.Module, list[CompanionEdit]]:
    """Import the batch function where needed; add it to its module, or hand it back."""
    variant = plan.variant
    imported = _imported_function(ctx, plan)
    if imported is not None:
        # Next to the original name, in the statement the author wrote (`from .dal import`).
        beside = add_beside(module, plan.call.func.value, variant.name)
        module = (
            beside
            if beside is not None
            else add_from_import(module, imported, variant.name, ctx.first_party)
        )
        module = remove_unused_import(module, plan.call.func.value)
    companions: list[CompanionEdit] = []
    if not variant.exists:
        edit = write_method(variant, ctx.project.line_length)
        if edit.path == ctx.path:
            module = cst.parse_module(apply_companion(module.code, edit))
        else:
            companions.append(edit)
    return module, companions


def _rows_by_key(
    ctx, plan: CallPlan, call_code: str, lookup_name: str, guarded: bool
) -> str:
    """`{tag.name: tag for tag in TagDAO.find_by_names(names)}`: the rows of an existing
    variant that returns a list, keyed by the column (unique: one row a key)."""
    model = plan.variant.model
    row = singular_snake(model.name) if model is not None else "row"
    if row == lookup_name:
        row = "row"
    attr = plan.variant.rows_by
    one_line = f"{{{row}.{attr}: {row} for {row} in {call_code}}}"
    indent = (
        ctx.range_of(plan.anchor).start.column
        + (len(INDENT) if guarded else 0)
        + len(lookup_name)
        + 3
    )
    if fits(one_line, indent, ctx.project.line_length):
        return one_line
    return f"{{\n{INDENT}{row}.{attr}: {row} for {row} in {call_code}\n}}"


def _replace_loop(
    ctx, plan: CallPlan, statements: list[str], call_code: str
) -> tuple[cst.Module, list[CompanionEdit]]:
    """A per-item write call: the keys and one bulk call take the loop's place."""
    indent = ctx.range_of(plan.anchor).start.column
    if not fits(call_code, indent, ctx.project.line_length):
        awaited = call_code.startswith("await ")
        broken = broken_expression(
            cst.parse_expression(call_code.removeprefix("await "))
        )
        call_code = f"{'await ' if awaited else ''}{broken}" if broken else call_code
    statements = [*statements, call_code]
    config = ctx.module.config_for_parsing
    new_statements = [cst.parse_statement(s + "\n", config=config) for s in statements]
    loop = plan.anchor
    new_statements[0] = new_statements[0].with_changes(leading_lines=loop.leading_lines)

    class _Swap(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return cst.FlattenSentinel(new_statements) if original is loop else updated

    return _finish(ctx, plan, ctx.module.visit(_Swap()))


def _batch_call(ctx, plan: CallPlan, keys_ref: str) -> str:
    call = plan.call
    func = call.func
    if isinstance(func, cst.Attribute):
        target = f"{ctx.code(func.value)}.{plan.variant.name}"
    else:
        target = plan.variant.name
    args = []
    for arg in call.args:
        if arg.value is plan.placement.key:
            args.append(
                f"{plan.variant.keys_param}={keys_ref}"
                if arg.keyword is not None
                else keys_ref
            )
        elif arg.keyword is not None:
            args.append(f"{arg.keyword.value}={ctx.code(arg.value)}")
        else:
            args.append(ctx.code(arg.value))
    awaited = "await " if isinstance(plan.site, cst.Await) else ""
    return f"{awaited}{target}({', '.join(args)})"


def _imported_function(ctx, plan: CallPlan) -> str | None:
    """The module to import the batch function from, when the original was imported by name."""
    func = plan.call.func
    if not isinstance(func, cst.Name) or func.value not in ctx.imports:
        return None
    return ctx.imports[func.value].rpartition(".")[0] or None


def _lookup_name(plan: CallPlan) -> str:
    """`latest` -> `latest_by_project`; otherwise named from what the query returns."""
    suffix = _key_noun(plan.placement.keys_key, plan.item_target)
    if plan.variant.rows_by is not None:
        suffix = plan.variant.rows_by  # the rows are keyed by that column
    if plan.result_name and plan.result_name != suffix:
        return f"{plan.result_name}_by_{suffix}"
    if plan.variant.shaped:  # what the callee makes of its rows, not the rows
        return _shaped_name(plan.variant.callee.name, suffix, plan.variant.key_param)
    model = plan.variant.model
    entity = singular_snake(model.name) if model is not None else "result"
    card = plan.variant.cardinality
    if card is Cardinality.LIST:
        entity = plural(entity)
    elif card is Cardinality.COUNT:
        entity = f"{entity}_count"
    elif card is Cardinality.EXISTS:
        entity = f"has_{entity}"
    return (
        f"{entity}s_by_{suffix}"
        if card is Cardinality.COUNT
        else f"{entity}_by_{suffix}"
    )


def _shaped_name(callee: str, suffix: str, key_param: str) -> str:
    """`account_summary` -> `account_summary_by_email`; `_get_policy` keyed by
    `policy_id` -> `policies_by_id`; `get_file_by_id` keyed by `id` over file ids ->
    `files_by_id`."""
    noun = callee.lstrip("_")
    for verb in ("get_", "find_", "fetch_", "load_"):
        noun = noun.removeprefix(verb)
    noun = noun.removesuffix(f"_by_{key_param}") or noun
    if noun == suffix and (key_param == "id" or key_param.endswith("_id")):
        return f"{plural(noun)}_by_id"
    return f"{noun}_by_{suffix}"


def _key_noun(key: cst.BaseExpression, target) -> str:
    if isinstance(key, cst.Attribute):
        attr = key.attr.value
        if attr == "id" and isinstance(key.value, cst.Name):
            return key.value.value
        return attr[:-3] if attr.endswith("_id") else attr
    if isinstance(key, cst.Name):
        return key.value[:-3] if key.value.endswith("_id") else key.value
    return "key"
