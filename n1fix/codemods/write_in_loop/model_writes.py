"""Rewrite a per-item write through a model's API (Django) into one bulk call.

- `bulk_create`: a loop that only creates becomes `Model.objects.bulk_create([Model(...)
  for ... in ...])`; otherwise the objects are collected where `create()` was and
  created after the loop.
- `bulk_update`: the `save()` line leaves the loop and `Model.objects.bulk_update(objs,
  fields)` follows it (a queryset iterated in place is listed into a name first).
- `update` / `delete`: the loop becomes one `queryset.update(...)` / `queryset.delete()`.

No `if objs:` guard: `bulk_create([])` and `bulk_update([], ...)` run no query.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.layout import INDENT, exploded_call, fits, one_line, render
from n1fix.cst.names import NamePicker, plural, singular_snake
from n1fix.rules.write_in_loop.model_writes import ModelWriteForm, ModelWritePlan


def fix_model_write(ctx, plan: ModelWritePlan) -> cst.Module:
    names = NamePicker(plan.scope, ctx.module)
    indent = ctx.range_of(plan.loop).start.column
    limit = ctx.project.line_length
    loop = plan.loop
    before: list[str] = []
    after: list[str] = []
    append: str | None = None
    new_iter: str | None = None
    replacement: list[str] | None = None
    if plan.form is ModelWriteForm.BULK_CREATE:
        instance = _joined(plan.instance)
        if plan.replace_loop:
            clause = f"for {ctx.code(loop.target)} in {_joined(ctx.code(loop.iter))}"
            replacement = [
                _bulk_create_of_comprehension(
                    plan.manager, instance, clause, indent, limit
                )
            ]
        else:
            objects = names.pick(plural(singular_snake(plan.model_name)))
            before = [f"{objects} = []"]
            statement_indent = ctx.range_of(plan.statement).start.column
            append = _call_of_one(
                f"{objects}.append", instance, statement_indent, limit
            )
            after = [f"{plan.manager}.bulk_create({objects})"]
    elif plan.form is ModelWriteForm.BULK_UPDATE:
        objects = plan.objects
        if objects is None:
            objects = names.pick(plural(singular_snake(plan.model_name)))
            before = [
                _call(
                    f"{objects} = list", _joined(ctx.code(plan.queryset)), indent, limit
                )
            ]
            new_iter = objects
        bulk = _call(
            f"{plan.manager}.bulk_update", f"{objects}, {plan.fields}", indent, limit
        )
        if plan.replace_loop:
            replacement = [*before, bulk]
            before = []
        else:
            after = [bulk]
    elif plan.form is ModelWriteForm.UPDATE:
        values = ", ".join(f"{name}={render(value)}" for name, value in plan.values)
        replacement = [
            _on_queryset(ctx.code(plan.queryset), "update", values, indent, limit)
        ]
    else:
        replacement = [
            _on_queryset(ctx.code(plan.queryset), "delete", "", indent, limit)
        ]
    config = ctx.module.config_for_parsing
    try:
        parsed = {
            key: [cst.parse_statement(text + "\n", config=config) for text in texts]
            for key, texts in (
                ("before", before),
                ("after", after),
                ("replacement", replacement or []),
            )
        }
        appended = cst.parse_statement(append + "\n", config=config) if append else None
        iterable = cst.parse_expression(new_iter) if new_iter else None
    except cst.ParserSyntaxError as error:  # a bug in the templates
        raise FixFailed(
            f"generated code does not parse: {str(error).splitlines()[0]}"
        ) from error
    rewriter = _Rewriter(
        plan,
        parsed["before"],
        parsed["after"],
        parsed["replacement"] if replacement is not None else None,
        appended,
        iterable,
    )
    return ctx.module.visit(rewriter)


def _joined(code: str) -> str:
    """An expression the author broke over lines, on one line (it moves elsewhere)."""
    if "\n" not in code:
        return code
    try:
        joined = one_line(cst.parse_expression(code))
        return render(joined) if joined is not None else code
    except (cst.ParserSyntaxError, cst.CSTValidationError):
        # a line break that was all the space between two words (`x\n else y`)
        return code


def _call(func: str, args: str, indent: int, limit: int) -> str:
    """`func(args)`, broken black style when past the line length."""
    whole = f"{func}({args})"
    if fits(whole, indent, limit) or "\n" in args:
        return whole
    if fits(args, indent + len(INDENT), limit):
        return f"{func}(\n{INDENT}{args}\n)"
    prefix, _, callee = func.rpartition(" = ")
    exploded = exploded_call(f"{callee}({args})", indent, limit)
    if exploded is None:
        return f"{func}(\n{INDENT}{args}\n)"
    return f"{prefix} = {exploded}" if prefix else exploded


def _call_of_one(func: str, arg: str, indent: int, limit: int) -> str:
    """`func(arg)` where `arg` is one call: on its own line when long, and broken one
    argument a line when that line is long too."""
    whole = f"{func}({arg})"
    if fits(whole, indent, limit) or "\n" in arg:
        return whole
    if not fits(arg, indent + len(INDENT), limit):
        exploded = exploded_call(arg, indent + len(INDENT), limit)
        if exploded is not None:
            arg = exploded.replace("\n", "\n" + INDENT)
    return f"{func}(\n{INDENT}{arg}\n)"


def _on_queryset(queryset: str, method: str, args: str, indent: int, limit: int) -> str:
    """`queryset.method(args)`: the queryset as the author laid it out over lines; one
    written on one line and now too long is broken at its last call's brackets."""
    tail = f".{method}({args})"
    if "\n" in queryset or fits(queryset + tail, indent, limit):
        return queryset + tail
    if args and fits(f"{queryset}.{method}(", indent, limit):
        return _call(f"{queryset}.{method}", args, indent, limit)
    exploded = exploded_call(queryset, indent, limit)
    return (exploded if exploded is not None else queryset) + tail


def _bulk_create_of_comprehension(
    manager: str, instance: str, clause: str, indent: int, limit: int
) -> str:
    comprehension = f"[{instance} {clause}]"
    head = f"{manager}.bulk_create"
    if fits(f"{head}({comprehension})", indent, limit):
        return f"{head}({comprehension})"
    if fits(comprehension, indent + len(INDENT), limit):
        return f"{head}(\n{INDENT}{comprehension}\n)"
    inner = indent + 2 * len(INDENT)
    if not fits(instance, inner, limit):
        exploded = exploded_call(instance, inner, limit)
        if exploded is not None:
            instance = exploded.replace("\n", "\n" + 2 * INDENT)
    return (
        f"{head}(\n{INDENT}[\n{INDENT * 2}{instance}\n{INDENT * 2}{clause}\n"
        f"{INDENT}]\n)"
    )


class _Rewriter(cst.CSTTransformer):
    def __init__(self, plan, before, after, replacement, append, iterable) -> None:
        self.plan = plan
        self.before = before
        self.after = after
        self.replacement = replacement
        self.append = append
        self.iterable = iterable

    def leave_IndentedBlock(self, original, updated):
        return self._around_loop(original, updated)

    def leave_Module(self, original, updated):
        return self._around_loop(original, updated)

    def leave_For(self, original, updated):
        if original is self.plan.loop and self.iterable is not None:
            return updated.with_changes(iter=self.iterable)
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        if original is not self.plan.statement or self.replacement is not None:
            return updated
        if self.append is not None:
            return self.append.with_changes(leading_lines=updated.leading_lines)
        return cst.RemovalSentinel.REMOVE

    def _around_loop(self, original, updated):
        for i, statement in enumerate(original.body):
            if statement is not self.plan.loop:
                continue
            loop = updated.body[i]
            if self.replacement is not None:
                # The loop's blank lines and comments go first; the write's comments
                # stay with the call that now does the writing.
                new = list(self.replacement)
                new[-1] = new[-1].with_changes(
                    leading_lines=list(self.plan.statement.leading_lines)
                )
                new[0] = new[0].with_changes(
                    leading_lines=[*loop.leading_lines, *new[0].leading_lines]
                )
            else:
                new = [*self.before, loop, *self.after]
                if self.before:
                    new[0] = new[0].with_changes(leading_lines=loop.leading_lines)
                    new[1] = loop.with_changes(leading_lines=[])
            return updated.with_changes(
                body=[*updated.body[:i], *new, *updated.body[i + 1 :]]
            )
        return updated
