"""The keys a batch reads (the loop's items, or a list built from them) and the rewriter that puts
the batch before the loop; shared by the query rewrite and the call batch."""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_keys import CONVERSIONS
from n1fix.cst.chains import dotted_name
from n1fix.cst.errors import FixFailed
from n1fix.cst.layout import fits
from n1fix.cst.names import (
    NamePicker,
    binds_locally,
    keys_name,
    plural,
    qualified,
    singular_snake,
)
from n1fix.cst.syntax import all_names, names_assigned, target_names, walk
from n1fix.cst.tidy import as_list
from n1fix.orm.query_shape import recognize
from n1fix.rules.query_in_loop.analysis import LoopQueryPlan


def _target_name(plan: LoopQueryPlan) -> str | None:
    return plan.item_target.value if isinstance(plan.item_target, cst.Name) else None


def _keys(
    ctx, plan: LoopQueryPlan, names: NamePicker
) -> tuple[list[str], str, str | None]:
    """Statements that make the keys available, the name of the key list, and the name
    the loop's iterable was materialised into (when it had to be)."""
    code = ctx.code
    frame = plan.frame
    target_name = _target_name(plan)
    statements: list[str] = []
    replace_iter: str | None = None
    iter_code = code(plan.items)
    if not plan.iter_reiterable:
        if isinstance(plan.items, cst.Name) and binds_locally(
            plan.scope, plan.items.value
        ):
            statements.append(f"{iter_code} = list({iter_code})")
        else:
            replace_iter = names.pick(
                plural(target_name) if target_name else "items",
                *_items_alternatives(plan.items),
            )
            statements.append(f"{replace_iter} = {as_list(plan.items, iter_code)}")
            iter_code = replace_iter

    single_clause = frame.is_for or len(frame.clauses) == 1
    key_is_item = (
        isinstance(plan.keys_key, cst.Name)
        and target_name == plan.keys_key.value
        and single_clause
    )
    if (
        key_is_item
        and not plan.keys_filter
        and (isinstance(plan.items, cst.Name) or replace_iter is not None)
    ):
        return statements, iter_code, replace_iter  # the items are the keys
    parts: list[str] = []
    if key_is_item and not plan.keys_filter:  # `[x for x in xs]` is a copy
        comprehension = f"list({iter_code})"
    else:
        parts = [code(plan.keys_key), *_clauses_code(plan, code, iter_code)]
        comprehension = f"[{' '.join(parts)}]"
    keys_ref = _hoisted_keys(ctx, plan, comprehension) if replace_iter is None else None
    if keys_ref is None:
        fallback = f"{target_name}_keys" if target_name else "keys"
        as_written = getattr(plan, "key", None)
        if isinstance(as_written, cst.Name) and as_written.value != target_name:
            fallback = plural(as_written.value)  # `label = name.strip()`: `labels`
        wanted = keys_name(plan.keys_key, fallback)
        keys_ref = names.pick(
            wanted,
            *_converted(plan.keys_key, wanted),
            *qualified(wanted, target_name, _items_name(plan)),
        )
        statements.append(_fitted(ctx, plan, f"{keys_ref} = ", comprehension, parts))
    return statements, keys_ref, replace_iter


def _converted(key: cst.BaseExpression, wanted: str) -> list[str]:
    """`int_dashboard_ids` for the keys `int(dashboard_id)` when `dashboard_ids` is
    taken (by the items themselves, which hold the unconverted values)."""
    if (
        isinstance(key, cst.Call)
        and isinstance(key.func, cst.Name)
        and key.func.value in CONVERSIONS
    ):
        return [f"{key.func.value}_{wanted}"]
    return []


def _fitted(
    ctx, plan: LoopQueryPlan, head: str, comprehension: str, parts: list[str]
) -> str:
    """`keys = [...]`, broken as black breaks it when the line is too long (a key of
    several columns is a tuple, and long): the comprehension's body on a line of its
    own, or, when that is too long too, its element and each clause on lines of their
    own, a long `if` split before its `and`s."""
    one_line = f"{head}{comprehension}"
    indent = ctx.range_of(plan.anchor).start.column
    limit = ctx.project.line_length
    inner = comprehension[1:-1]
    if (
        fits(one_line, indent, limit)
        or not comprehension.startswith("[")
        or "\n" in comprehension
    ):
        return one_line
    if fits(inner, indent + 4, limit):
        return f"{head}[\n    {inner}\n]"
    lines: list[str] = []
    for part in parts:
        if part.startswith("if ") and not fits(part, indent + 4, limit):
            first, *rest = _top_level_ands(part[len("if ") :])
            lines += [f"if {first}", *(f"and {operand}" for operand in rest)]
        else:
            lines.append(part)
    body = "".join(f"\n    {line}" for line in lines)
    return f"{head}[{body}\n]"


def _top_level_ands(test: str) -> list[str]:
    """The operands of the `and`s of `test` outside brackets and strings."""
    expression = cst.parse_expression(test)
    operands: list[cst.BaseExpression] = []
    while (
        isinstance(expression, cst.BooleanOperation)
        and isinstance(expression.operator, cst.And)
        and not expression.lpar
    ):
        operands.insert(0, expression.right)
        expression = expression.left
    operands.insert(0, expression)
    return [cst.Module([]).code_for_node(operand) for operand in operands]


class _Rewriter(cst.CSTTransformer):
    def __init__(
        self,
        anchor,
        new_statements,
        query,
        lookup,
        old_iter,
        new_iter_name,
        dead=None,
        outside=None,
        records=(),
    ) -> None:
        self.records = {id(after): statement for after, statement in records}
        self.outside = outside
        self.dead = dead
        self.anchor = anchor
        self.new_statements = new_statements
        self.query = query
        self.lookup = lookup
        self.old_iter = old_iter
        self.new_iter_name = new_iter_name

    def on_visit(self, node) -> bool:
        if (
            self.outside is not None
            and isinstance(node, cst.BaseStatement)
            and self.outside(node)
        ):
            return False
        return super().on_visit(node)

    def leave_IndentedBlock(self, original, updated):
        return self._insert(original, updated)

    def leave_Module(self, original, updated):
        return self._insert(original, updated)

    def _insert(self, original, updated):
        if any(id(statement) in self.records for statement in original.body):
            if len(original.body) != len(updated.body):
                raise FixFailed("the block of a recorded add lost a statement")
            body = []  # the loop's block: a statement recorded after its add
            for old, new in zip(original.body, updated.body):
                body.append(new)
                if id(old) in self.records:
                    body.append(self.records[id(old)])
            return updated.with_changes(body=body)
        for i, statement in enumerate(original.body):
            if statement is self.anchor:
                anchor = updated.body[i]
                before, new_statements = list(updated.body[:i]), self.new_statements
                shared = _shared_guard(before[-1] if before else None, new_statements)
                if (
                    shared is not None
                ):  # `empty; if keys: fill` joins the `if keys:` just above
                    before[-1:] = [*new_statements[:-1], shared]
                    new_statements = []
                else:
                    anchor_lines = anchor.leading_lines
                    new_statements = [
                        new_statements[0].with_changes(leading_lines=anchor_lines),
                        *new_statements[1:],
                    ]
                    anchor = anchor.with_changes(leading_lines=[])
                body = [*before, *new_statements, anchor, *updated.body[i + 1 :]]
                return updated.with_changes(body=body)
        return updated

    def on_leave(self, original, updated):
        if self.dead is not None and original is self.dead:
            return cst.RemovalSentinel.REMOVE
        if original is self.query:
            return self.lookup
        if (
            isinstance(updated, cst.UnaryOperation)
            and isinstance(updated.operator, cst.Not)
            and updated.expression is self.lookup
            and isinstance(self.lookup, cst.Comparison)
            and len(self.lookup.comparisons) == 1
            and isinstance(self.lookup.comparisons[0].operator, cst.In)
            and not self.lookup.lpar
        ):
            # `not key in found` reads as `key not in found`
            target = self.lookup.comparisons[0]
            return self.lookup.with_changes(
                comparisons=[
                    target.with_changes(operator=cst.NotIn()),
                ],
                lpar=updated.lpar,
                rpar=updated.rpar,
            )
        if (
            isinstance(updated, (cst.Attribute, cst.Subscript))
            and updated.value is self.lookup
            and isinstance(self.lookup, cst.IfExp)
            and not self.lookup.lpar
        ):
            # `(found[k] if k in found else Book.objects.get(pk=k)).title`
            return updated.with_changes(
                value=self.lookup.with_changes(
                    lpar=[cst.LeftParen()], rpar=[cst.RightParen()]
                )
            )
        if (
            isinstance(updated, cst.Call)
            and len(updated.args) == 1
            and updated.args[0].value is self.lookup
            and not updated.args[0].keyword
            and not updated.args[0].star
            and isinstance(self.lookup, cst.IfExp)
            and len(self.lookup.lpar) == 1
            and isinstance(
                self.lookup.lpar[0].whitespace_after, cst.ParenthesizedWhitespace
            )
        ):
            # `f(\n    found[k] if k in found else get(k)\n)`, as black breaks it: the
            # call's own parentheses hold the broken lookup, not a second pair
            return updated.with_changes(
                whitespace_before_args=self.lookup.lpar[0].whitespace_after,
                args=[
                    updated.args[0].with_changes(
                        value=self.lookup.with_changes(lpar=[], rpar=[]),
                        whitespace_after_arg=self.lookup.rpar[0].whitespace_before,
                    )
                ],
            )
        if self.old_iter is not None and original is self.old_iter:
            return cst.Name(self.new_iter_name)
        return super().on_leave(original, updated)


def _shared_guard(
    previous: cst.CSTNode | None, new_statements: list[cst.BaseStatement]
) -> cst.If | None:
    """The `if keys:` a batch of the same loop put just above, with this batch's query
    added to it; None when there is no such guard.

    Only a guard whose body reads the keys as the list of an `.in_(keys)` or a Django
    `__in=keys` lookup (no statement in it can change them), and only when nothing but the empty lookup comes before this
    batch's own guard (the keys list is the one above, shared)."""
    if len(new_statements) != 2 or not isinstance(guard := new_statements[-1], cst.If):
        return None
    if not (
        isinstance(previous, cst.If)
        and previous.orelse is None
        and previous.test.deep_equals(guard.test)
    ):
        return None
    if not isinstance(keys := guard.test, cst.Name) or not isinstance(
        previous.body, cst.IndentedBlock
    ):
        return None
    listed = {
        id(node.args[0].value)
        for node in walk(previous.body, into_scopes=True)
        if isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "in_"
        and len(node.args) == 1
    }
    listed |= {  # Django's `filter(project_id__in=keys)`
        id(node.value)
        for node in walk(previous.body, into_scopes=True)
        if isinstance(node, cst.Arg)
        and node.keyword is not None
        and node.keyword.value.endswith("__in")
    }
    if any(
        isinstance(n, cst.Name) and n.value == keys.value and id(n) not in listed
        for n in walk(previous.body, into_scopes=True)
    ):
        return None
    body = [*previous.body.body, *guard.body.body]
    return previous.with_changes(body=previous.body.with_changes(body=body))


def _hoisted_keys(ctx, plan: LoopQueryPlan, comprehension: str) -> str | None:
    """A keys list an earlier fix already put in front of this loop, to share it."""
    # The loop's block is inside the function around it (or is the module itself).
    scope = plan.scope if plan.scope is not None else ctx.module
    for block in [ctx.module, *walk(scope, into_scopes=True)]:
        if not isinstance(block, (cst.IndentedBlock, cst.Module)):
            continue
        body = list(block.body)
        if not any(statement is plan.anchor for statement in body):
            continue
        position = next(
            i for i, statement in enumerate(body) if statement is plan.anchor
        )
        changed: set[str] = set()
        for statement in reversed(body[:position]):
            simple = (
                statement.body[0]
                if isinstance(statement, cst.SimpleStatementLine)
                and len(statement.body) == 1
                else None
            )
            if (
                isinstance(simple, cst.Assign)
                and len(simple.targets) == 1
                and isinstance(simple.targets[0].target, cst.Name)
            ):
                name = simple.targets[0].target.value
                if ctx.code(simple.value) == comprehension and name not in changed:
                    reads = set(_names_in(comprehension))
                    return name if not (reads & changed) else None
            changed |= names_assigned(statement) | _assigned_here(statement)
        return None
    return None


def _names_in(code: str) -> set[str]:
    return all_names(cst.parse_expression(code))


def _assigned_here(statement: cst.CSTNode) -> set[str]:
    if isinstance(statement, cst.SimpleStatementLine):
        names: set[str] = set()
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    names |= target_names(target.target)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                names |= target_names(small.target)
        return names
    if isinstance(statement, cst.For):
        return target_names(statement.target)
    return set()


def _items_alternatives(items: cst.BaseExpression) -> list[str]:
    """Names for a materialised iterable when the loop target's plural is taken: the
    model a query of it selects (`status_automation_links`, then with its full name)."""
    shape = recognize(items) if isinstance(items, (cst.Call, cst.Await)) else None
    entity = (
        dotted_name(shape.entity)
        if shape is not None and shape.entity is not None
        else None
    )
    if not entity:
        return []
    words = singular_snake(entity.rsplit(".", 1)[-1]).split("_")
    names = [
        plural("_".join(words[i:]))
        for i in range(len(words) - 1, -1, -1)
        if len(words) - i >= 2
    ]
    names = names or [plural("_".join(words))]
    # `Project.user_id == user.id` -> `user_projects`
    owners = [
        p.attr[: -len("_id")]
        for p in shape.predicates
        if p.attr and p.attr.endswith("_id")
    ]
    return names + [f"{owners[0]}_{plural('_'.join(words))}"] if owners else names


def _items_name(plan: LoopQueryPlan) -> str | None:
    return plan.items.value if isinstance(plan.items, cst.Name) else None


def _clauses_code(plan: LoopQueryPlan, code, first_iter_code: str) -> list[str]:
    """The comprehension's clauses: `for item in items`, then `if a and b` for the
    conditions a `for` loop ran the query under, or a comprehension's own clauses."""
    frame = plan.frame
    if frame.is_for:
        clauses = [f"for {code(plan.item_target)} in {first_iter_code}"]
        if plan.keys_filter:
            tests = [
                _and_operand(code, test, plan.keys_filter) for test in plan.keys_filter
            ]
            clauses.append(f"if {' and '.join(tests)}")
        return clauses
    parts = []
    for i, clause in enumerate(frame.clauses):
        iterable = first_iter_code if i == 0 else code(clause.iter)
        ifs = "".join(f" if {code(if_.test)}" for if_ in clause.ifs)
        parts.append(f"for {code(clause.target)} in {iterable}{ifs}")
    return parts


def _and_operand(code, test: cst.BaseExpression, tests: list) -> str:
    """`test` as an operand of `and` (`a or b` and `x if c else y` need brackets)."""
    text = code(test)
    needs_brackets = (
        len(tests) > 1
        and not test.lpar
        and (
            isinstance(test, cst.IfExp)
            or (
                isinstance(test, cst.BooleanOperation)
                and isinstance(test.operator, cst.Or)
            )
        )
    )
    return f"({text})" if needs_brackets else text
