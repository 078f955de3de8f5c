"""Load what `session.delete(row)` loads, with the rows: `selectinload` of each
collection, added to the query the deleted rows come from.

    session.query(Tag).filter(...)  -> session.query(Tag).options(selectinload(Tag.objects)).filter(...)
    select(Tag).options(joinedload(Tag.owner))
                                    -> select(Tag).options(joinedload(Tag.owner), selectinload(Tag.objects))
"""

from __future__ import annotations

import libcst as cst

from n1fix.codemods.lazy_load_in_loop.rewrite import (
    InsertOptions,
    ReplaceNode,
    edited_query,
    with_argument,
)
from n1fix.cst.imports import add_from_import, spelling
from n1fix.cst.layout import render
from n1fix.rules.write_in_loop.delete_loads import DeleteLoadsPlan


def fix_delete_loads(ctx, plan: DeleteLoadsPlan) -> cst.Module:
    source = plan.source
    loader = spelling(ctx.imports, "sqlalchemy.orm.selectinload")
    config = ctx.module.config_for_parsing
    options = [
        cst.parse_expression(
            f"{loader or 'selectinload'}({source.entity_code}.{attr})", config=config
        )
        for attr in plan.attrs
    ]
    if source.options.calls:
        options_call = source.options.calls[-1].call
        extended = options_call
        for option in options:
            extended = with_argument(extended, option)
        edit = ReplaceNode(options_call, extended)
    else:
        edit = InsertOptions(source.head, options)
    module = ctx.module.visit(ReplaceNode(*edited_query(ctx, source, edit)))
    if loader is None:
        module = add_from_import(
            module, "sqlalchemy.orm", "selectinload", ctx.first_party
        )
    return _options_one_a_line(ctx, module, [render(option) for option in options])


def _options_one_a_line(ctx, module: cst.Module, options: list[str]) -> cst.Module:
    """A `.options(a, b)` line of a chain broken one call a line that runs past the
    line length gets one option a line, as black writes it."""
    one_line = f".options({', '.join(options)})"
    lines = module.code.splitlines(keepends=True)
    changed = False
    for number, line in enumerate(lines):
        text = line.rstrip("\r\n")
        if text.strip() != one_line or len(text) <= ctx.project.line_length:
            continue
        end = line[len(text) :]
        indent = text[: len(text) - len(text.lstrip())]
        inner = indent + module.default_indent
        lines[number] = (
            f"{indent}.options({end}"
            + "".join(f"{inner}{option},{end}" for option in options)
            + f"{indent}){end}"
        )
        changed = True
    if not changed:
        return module
    return cst.parse_module("".join(lines), config=module.config_for_parsing)
