"""The parts of a query-in-loop batch shared by its forms (entities, counts, one column's
values): the batch's statements, the per-item query turned into the batched one, and the
layout of the grouping code."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.layout import broken_expression, exploded_call, fits
from n1fix.cst.names import plural
from n1fix.orm.dialect import QueryShape, Style
from n1fix.rules.query_in_loop.analysis import LoopQueryPlan


@dataclass
class _Batch:
    """The batched query, as the lookup for no keys and the statements that fill it."""

    empty: str  # `renders_by_project = defaultdict(list)`: what no keys give
    fill: list[str]  # the statements that run the query
    in_place: bool  # `fill` adds to `empty` (else it binds the name anew)
    lookup: str  # what replaces the per-item query: `renders_by_project.get(project.id, [])`
    guarded: bool = (
        True  # `fill` runs under `if keys:` (False: it costs nothing for none)
    )


def _by_keys(head: str, keys_ref: str, suffix: str) -> list[str]:
    """When `renders_by_project` is taken: named after the key list the batch reads
    (`users_by_render_user_id` for `render_user_ids`)."""
    key = keys_ref[:-1] if keys_ref.isidentifier() and keys_ref.endswith("s") else None
    return [f"{head}{key}"] if key and key != suffix else []


# Past this, a dict named after the model (`first_project_preview_background_file_link_by_
# preview_background_file_id`) reads worse than one named after the loop's own variable.
_LONG_NAME = 40


def _group_head(head: str, suffix: str, result: str | None) -> str:
    """`head` (`first_project_asset_type_link_by_`), or `existing_by_` after the name the
    loop assigns the row to (`existing = ...first()`), when `head` makes a long name."""
    if result and len(f"{head}{suffix}") > _LONG_NAME:
        return f"{result}_by_"
    return head


def _nested_call(call: str, depth: int, indent: int, limit: int) -> str:
    """`f(args)` as a line `depth` blocks into a generated statement at `indent`; when too
    long, its arguments on a line of their own, as black breaks it."""
    pad = "    " * depth
    if fits(call, indent + len(pad), limit):
        return call
    broken = exploded_call(call, indent + len(pad), limit)
    return broken.replace("\n", "\n" + pad) if broken is not None else call


def _grouped_loop(
    *,
    first: bool,
    names,
    noun: str,
    suffix: str,
    keys_ref: str,
    row: str,
    key: str,
    value: str,
    source: str,
    key_code: str,
    top_n: str | None,
    symbol,
    indent: int,
    limit: int,
    result: str | None = None,
) -> _Batch:
    """The rows of `for {row} in {source}` grouped by `key` before the loop: the first
    `value` of each key (`first_renders_by_project`), or every one in a list
    (`renders_by_project`, at most `top_n` each); `noun` names what is grouped (or
    `result`, the loop's name for it, when `noun` is long), `symbol` spells
    `collections.defaultdict` (importing it) for the lists."""
    if first:
        head = _group_head(f"first_{noun}_by_", suffix, result)
        group = names.pick(f"{head}{suffix}", *_by_keys(head, keys_ref, suffix))
        nested = _nested_call if not key.startswith("(") else lambda call, *_: call
        keep_first = nested(f"{group}.setdefault({key}, {value})", 1, indent, limit)
        loop = f"for {row} in {source}:\n    {keep_first}"
        return _Batch(f"{group} = {{}}", [loop], True, f"{group}.get({key_code})")
    head = _group_head(f"{plural(noun)}_by_", suffix, result)
    group = names.pick(f"{head}{suffix}", *_by_keys(head, keys_ref, suffix))
    # A key tuple (several columns) is left whole: `right_hand_split` breaks it after.
    nested = _nested_call if not key.startswith("(") else lambda call, *_: call
    append = nested(f"{group}[{key}].append({value})", 1, indent, limit)
    if top_n is not None:
        append = nested(f"{group}[{key}].append({value})", 2, indent, limit)
        append = f"if len({group}[{key}]) < {top_n}:\n        {append}"
    loop = f"for {row} in {source}:\n    {append}"
    return _Batch(
        f"{group} = {symbol('collections.defaultdict')}(list)",
        [loop],
        True,
        f"{group}.get({key_code}, [])",
    )


def _dict_comprehension(
    group: str, element: str, clause: str, source: str, indent: int, limit: int
) -> str:
    """`g = {k: v for v in source}`, broken black style when it does not fit."""
    if "\n" not in source:
        one_line = f"{group} = {{{element} {clause}{source}}}"
        if fits(one_line, indent, limit):
            return one_line
        inner = f"{element} {clause}{source}"
        if fits(inner, indent + 4, limit):
            return f"{group} = {{\n    {inner}\n}}"
        if not fits(f"{clause}{source}", indent + 4, limit):
            source = broken_expression(cst.parse_expression(source)) or source
    # As black splits a comprehension that spans lines: the element, then its clause.
    indented = source.replace("\n", "\n    ")
    return f"{group} = {{\n    {element}\n    {clause}{indented}\n}}"


def _key_is_item_pk(plan: LoopQueryPlan, target_name: str | None) -> bool:
    key = plan.keys_key
    return (
        target_name is not None
        and isinstance(key, cst.Attribute)
        and isinstance(key.value, cst.Name)
        and key.value.value == target_name
        and key.attr.value in ("id", "pk")
    )


def _in_predicate(
    plan: LoopQueryPlan, keys_ref: str, code, symbol=None
) -> cst.BaseExpression:
    """`Render.project_id.in_(keys)`; for a key of several columns the row value
    `tuple_(A.x, A.y).in_(keys)` (`symbol` spells `sqlalchemy.tuple_`, importing it)."""
    if plan.key_parts:
        columns = ", ".join(
            code(part.column_expr)
            if part.column_expr is not None
            else f"{plan.entity_code}.{part.column}"
            for part in plan.key_parts
        )
        return cst.parse_expression(
            f"{symbol('sqlalchemy.tuple_')}({columns}).in_({keys_ref})"
        )
    column = (
        code(plan.column_expr)
        if plan.column_expr is not None
        else f"{plan.entity_code}.{plan.key_column}"
    )
    return cst.parse_expression(f"{column}.in_({keys_ref})")


def _row_key(plan: LoopQueryPlan, row: str) -> str:
    """What a batched row is grouped by: `row.project_id`, or the tuple of a key of
    several columns (`(row.dag_id, row.task_id)`), equal to the item's key tuple."""
    if plan.key_parts:
        return "(" + ", ".join(f"{row}.{part.column}" for part in plan.key_parts) + ")"
    if plan.keys_as_text:
        return f"str({row}.{plan.key_column})"
    return f"{row}.{plan.key_column}"


def _key_words(plan: LoopQueryPlan) -> str:
    """What the rows are grouped by, in a name: the key's column (`project_id`); for a
    key of several columns the item they are all read from (`ref` for `(ref.dag_id,
    ref.task_id)`), else the columns (`dag_id_and_task_id`)."""
    if not plan.key_parts:
        return plan.key_column
    key = plan.keys_key
    owners = {
        element.value.value.value
        for element in (key.elements if isinstance(key, cst.Tuple) else ())
        if isinstance(element.value, (cst.Attribute, cst.Subscript))
        and isinstance(element.value.value, cst.Name)
    }
    if len(owners) == 1 and len(key.elements) == len(plan.key_parts):
        return owners.pop()
    return "_and_".join(part.column for part in plan.key_parts)


def _dedented(ctx, plan: LoopQueryPlan, text: str) -> str:
    """Shift a moved multi-line query left so its closing bracket lines up with the statement.

    LibCST keeps continuation lines relative to the enclosing block, so a query that
    started at the statement's own indentation moves as is; one that started deeper (in a
    comprehension, after an opening bracket) would keep that extra indentation.
    """
    if "\n" not in text or '"""' in text or "'''" in text:
        return text
    first, *rest = text.split("\n")
    closing = rest[-1]
    if not closing.lstrip().startswith((")", "]", "}")):
        return text
    extra = _indent(closing)
    if extra <= 0:
        return text
    return "\n".join([first, *(line[min(extra, _indent(line)) :] for line in rest)])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _BatchQuery(cst.CSTTransformer):
    """Turn the per-item query into the batched one, on the original nodes."""

    def __init__(
        self, plan: LoopQueryPlan, in_expr, add_group_by=None, count_fn=None
    ) -> None:
        self.plan = plan
        self.shape: QueryShape = plan.shape
        self.in_expr = in_expr
        self.group_by = add_group_by
        self.count_fn = count_fn
        pred = plan.key_predicate
        self.pred_node = pred.node if pred is not None else None
        self.filter_by_call = (
            pred.container if pred is not None and pred.via_filter_by else None
        )
        # A key of several columns: the first predicate becomes the row value's `in_`,
        # the others go (the comparisons dropped from their calls, the keywords from
        # their `filter_by`).
        key_preds = [
            part.predicate for part in plan.key_parts if part.predicate is not None
        ] or ([pred] if pred is not None else [])
        self.dropped = {id(p.node) for p in key_preds[1:] if not p.via_filter_by}
        self.keywords: dict[int, set[str]] = {}
        for p in key_preds:
            if p.via_filter_by:
                self.keywords.setdefault(id(p.container), set()).add(p.attr)
        self.limit_call = (
            self.shape.limit.call if self.shape.limit is not None else None
        )
        self.terminal = (
            self.shape.terminal.call if self.shape.terminal is not None else None
        )
        self.statement = None
        if self.shape.select_call is not None and self.shape.style is Style.V2:
            runner = self._runner_call()
            self.statement = runner.args[0].value if runner is not None else None

    def _runner_call(self) -> cst.Call | None:
        node = self.shape.node
        while True:
            if isinstance(node, cst.Await):
                node = node.expression
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                if node.func.value is self.shape.session:
                    return node
                node = node.func.value
            else:
                return None

    def on_leave(self, original, updated):
        if isinstance(original, cst.Arg) and id(original.value) in self.dropped:
            return cst.RemovalSentinel.REMOVE
        if (
            self.pred_node is not None
            and original is self.pred_node
            and not isinstance(original, cst.Arg)
        ):
            return (
                self.in_expr.with_changes(lpar=updated.lpar, rpar=updated.rpar)
                if getattr(updated, "lpar", None)
                else self.in_expr
            )
        if isinstance(original, cst.Call):
            return self._leave_call(original, updated)
        if (
            isinstance(original, cst.Attribute)
            and self.group_by is not None
            and self.shape.select_call is None
            and original is self.shape.session
        ):
            # Flask-SQLAlchemy `Model.query`: count with explicit columns.
            return cst.parse_expression(
                f"{cst.Module([]).code_for_node(updated)}.with_entities({cst.Module([]).code_for_node(self.group_by)}, {cst.Module([]).code_for_node(self.count_fn)})"
            )
        return updated

    def _leave_call(self, original: cst.Call, updated: cst.Call):
        if self.dropped and len(updated.args) < len(original.args):
            if not updated.args:  # `.where(A.y == b)`: nothing left to filter by
                return updated.func.value
            kept = list(updated.args)
            last = original.args[-1]  # its comma and the space before `)` stay
            kept[-1] = kept[-1].with_changes(
                comma=last.comma, whitespace_after_arg=last.whitespace_after_arg
            )
            return updated.with_changes(args=kept)
        if id(original) in self.keywords and original is not self.filter_by_call:
            drops = self.keywords[id(original)]
            kept = [
                a
                for a in updated.args
                if not (a.keyword is not None and a.keyword.value in drops)
            ]
            if not kept:
                return updated.func.value
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated.with_changes(args=kept)
        if original is self.filter_by_call:
            drops = self.keywords[id(original)]
            kept = [
                a
                for a in updated.args
                if not (a.keyword is not None and a.keyword.value in drops)
            ]
            method = "filter" if self.shape.style is Style.V1 else "where"
            if not kept:
                return updated.with_changes(
                    func=updated.func.with_changes(attr=cst.Name(method)),
                    args=[cst.Arg(self.in_expr)],
                )
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return cst.Call(
                func=cst.Attribute(
                    value=updated.with_changes(args=kept), attr=cst.Name(method)
                ),
                args=[cst.Arg(self.in_expr)],
            )
        if original is self.limit_call and isinstance(updated.func, cst.Attribute):
            return updated.func.value
        if original is self.shape.select_call and self.group_by is not None:
            args = list(updated.args)
            if (
                self.count_fn is not None
            ):  # 1.x: query(Model) -> query(Model.key, func.count())
                args = [
                    cst.Arg(
                        self.group_by,
                        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                    ),
                    cst.Arg(self.count_fn),
                ]
            else:
                args = [
                    cst.Arg(
                        self.group_by,
                        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                    ),
                    *args,
                ]
            updated = updated.with_changes(args=args)
            if original is self.statement:
                return cst.Call(
                    func=cst.Attribute(value=updated, attr=cst.Name("group_by")),
                    args=[cst.Arg(self.group_by)],
                )
            return updated
        if (
            self.statement is not None
            and self.group_by is not None
            and original is self.statement
        ):
            return cst.Call(
                func=cst.Attribute(value=updated, attr=cst.Name("group_by")),
                args=[cst.Arg(self.group_by)],
            )
        if original is self.terminal:
            return self._terminal(updated)
        return updated

    def _terminal(self, updated: cst.Call):
        action = self.shape.terminal_action
        counting = self.group_by is not None
        if action == "rename":
            name = "execute" if counting else "scalars"
            return updated.with_changes(
                func=updated.func.with_changes(attr=cst.Name(name))
            )
        inner = updated.func.value
        if (
            self.shape.get_key is not None
        ):  # 1.x `query(M).get(k)` -> `query(M).filter(M.pk.in_(keys))`
            return cst.Call(
                func=cst.Attribute(value=inner, attr=cst.Name("filter")),
                args=[cst.Arg(self.in_expr)],
            )
        if counting and self.shape.style is Style.V1:
            return cst.Call(
                func=cst.Attribute(value=inner, attr=cst.Name("group_by")),
                args=[cst.Arg(self.group_by)],
            )
        if isinstance(inner, cst.Await) and inner.lpar:
            inner = inner.with_changes(lpar=[], rpar=[])
        if updated.lpar and hasattr(inner, "lpar"):
            inner = inner.with_changes(
                lpar=updated.lpar, rpar=updated.rpar
            )  # keep `(` ... `)` wrapping
        if action == "strip+scalars" and not counting:
            value = inner
            if isinstance(value, cst.Await):
                value = value.with_changes(
                    lpar=[cst.LeftParen()], rpar=[cst.RightParen()]
                )
            return cst.Call(func=cst.Attribute(value=value, attr=cst.Name("scalars")))
        return inner


def right_hand_split(statement: str, indent: int, limit: int) -> str:
    """`statement` (generated, at `indent`) with each line still past the limit broken at
    a bracket, as black's right-hand split breaks it: at the last bracket pair of the
    line whose opening line and closing line both fit (`select(A).where(` / `)`), else an
    earlier one with the trailers after it kept on the closing line (`tuple_(` /
    `).in_(keys)`), the inside indented and broken again. A key of several columns makes
    the row value and the tuples long. Unchanged when the result would not parse."""
    out: list[str] = []
    for line in statement.split("\n"):
        out.extend(_split_line(line, indent, limit))
    candidate = "\n".join(out)
    if candidate == statement:
        return statement
    try:
        cst.parse_statement(candidate + "\n")
    except cst.ParserSyntaxError:
        return statement
    return candidate


def _split_line(line: str, indent: int, limit: int) -> list[str]:
    if fits(line, indent, limit) or "#" in line:
        return [line]
    body = line.lstrip(" ")
    pad = line[: len(line) - len(body)]
    pairs = _top_level_brackets(body)
    for opening, closing in reversed(pairs):
        head, inner, tail = (
            body[: opening + 1],
            body[opening + 1 : closing],
            body[closing:],
        )
        if not inner.strip():
            continue
        if fits(pad + head, indent, limit) and fits(pad + tail, indent, limit):
            inside = pad + "    " + inner.strip()
            items = _top_level_items(inner.strip())
            quoted = '"' in inner or "'" in inner  # a comma may sit in a string
            if not fits(inside, indent, limit) and len(items) > 1 and not quoted:
                # one item a line, with black's trailing comma
                return [
                    pad + head,
                    *(f"{pad}    {item}," for item in items),
                    pad + tail,
                ]
            return [pad + head, *_split_line(inside, indent, limit), pad + tail]
    return [line]


def _top_level_items(body: str) -> list[str]:
    """`a, f(b, c)` -> ["a", "f(b, c)"]: the items of a list at bracket depth 0."""
    start, items = 0, []
    pairs = _top_level_brackets(body)
    inside = {i for opening, closing in pairs for i in range(opening, closing + 1)}
    for i, char in enumerate(body):
        if char == "," and i not in inside:
            items.append(body[start:i].strip())
            start = i + 1
    last = body[start:].strip()
    if last:
        items.append(last)
    return items


def _top_level_brackets(body: str) -> list[tuple[int, int]]:
    """(opening, closing) offsets of the bracket pairs of `body` not inside another one,
    strings skipped; empty when `body` is not one line of code."""
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(body).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for token in tokens:
        if token.type != tokenize.OP or token.start[0] != 1:
            continue
        if token.string in "([{":
            stack.append(token.start[1])
        elif token.string in ")]}":
            if not stack:
                return []
            opening = stack.pop()
            if not stack:
                pairs.append((opening, token.start[1]))
    return pairs
