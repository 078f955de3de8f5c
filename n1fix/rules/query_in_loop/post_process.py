"""A query function that shapes its result before it returns it, read as one key's work.

Real helpers rarely end in `return session.get(Model, key)`. They check the row and
raise (`if not policy: raise ResourceNotFoundError(...)`), or turn it into a plain value
(`if data: return {"total": data.running_total}` / `return {"total": 0}`), after the
query. Such a body is the query followed by pure post-processing: per key, the batch
method can look the row up in the batched result and run the same post-processing on it,

    for policy_id in policy_ids:
        policy = <the query>
        if not policy:
            raise ResourceNotFoundError(...)
        n1fix_batched_[policy_id] = policy

which is the per-key loop the query-in-loop analysis then batches (`batch_variant`).

Post-processing is pure when it only reads: names, attributes, constant subscripts,
literals, comparisons, and the conversions of `item_keys` (builtins no binding shadows).
What a `raise` builds runs only when the call fails, so its expression is not judged; a
raise makes the fix unsafe, since the batch method raises for the first failing key before
the caller's loop runs, where the original raised at that item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from n1fix.analysis.item_keys import CONVERSIONS, shadowed_builtins
from n1fix.analysis.loop_placement import NoFix
from n1fix.cst.method_syntax import BATCHED, tail_block
from n1fix.cst.statements import is_name_assignment, sole_small_statement
from n1fix.cst.syntax import target_names, walk
from n1fix.rules.query_in_loop.pure_models import pure_model_fields

_PURE_CALLS = {*CONVERSIONS, "bool"}
_PURE_NODES = (
    cst.Name,
    cst.Attribute,
    cst.Dot,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.Integer,
    cst.Float,
    cst.FormattedString,
    cst.FormattedStringText,
    cst.FormattedStringExpression,
    cst.Comparison,
    cst.ComparisonTarget,
    cst.BooleanOperation,
    cst.UnaryOperation,
    cst.IfExp,
    cst.Dict,
    cst.DictElement,
    cst.List,
    cst.Tuple,
    cst.Element,
    cst.LeftParen,
    cst.RightParen,
    cst.Comma,
    cst.Colon,
)


@dataclass
class KeyWork:
    """The callee's body as one key's work in the batch method's loop."""

    statements: list[cst.BaseStatement]  # the loop body, its returns recorded
    unsafe: list[str] = field(default_factory=list)
    # attributes the shaping reads of the query's result: a caller's loop that assigns one
    # would see its change in the calls after it, and the batch method would not
    reads: set[str] = field(default_factory=set)


_RUNNERS = {"execute", "scalars", "scalar", "query", "get"}


def shaped_result(
    function: cst.FunctionDef,
    module: cst.Module,
    key: str,
    is_query,
    *,
    caught: bool = False,
) -> KeyWork | None:
    """The per-key loop body of a query followed by pure post-processing, or None when the
    body is the plain query (`name = ...` lines and a `return` of the result or of the
    query), which the caller reads itself. Raises NoFix when the post-processing is not one
    n1fix can repeat. `is_query(node)` says whether an expression is a query the ORM layer
    recognises; `caught`: the callee catches its own failure (`caught_failures`)."""
    name = function.name.value
    statements, _ = tail_block(function)
    at = 0
    while at < len(statements) and is_name_assignment(
        sole_small_statement(statements[at])
    ):
        at += 1
    post = statements[at:]
    if any(
        isinstance(n, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign))
        and key in target_names(n.target)
        for n in walk(function.body)
    ):
        raise NoFix(
            f"`{name}` rebinds `{key}`; its batch method records each result under the key it was given"
        )
    judge = _Judge(name, shadowed_builtins(module), key, statements[:at], module)
    # An await after the query is more I/O per key; an await in the lines that run the
    # query (`file = await db.get(File, id)`) is the query's own.
    awaits = any(isinstance(n, cst.Await) for s in post for n in walk(s))
    if len(post) == 1 and (
        awaits
        or not judge.shapes(sole_small_statement(post[0]))
        or _inlined(statements[:at], post[0])
    ):
        return None  # the plain reading (it reads `return (await ...).x` itself)
    if not post or not isinstance(sole_small_statement(post[-1]), cst.Return):
        raise NoFix(f"`{name}` does not end by returning its query's result")
    if at == 0:
        raise NoFix(
            f"`{name}` does more than run its query; n1fix batches methods whose body is the query"
        )
    if awaits or any(isinstance(n, cst.Yield) for n in walk(function.body)):
        raise NoFix(
            f"`{name}` does more than run its query; n1fix batches methods whose body is the query"
        )
    querying = [s for s in statements[:at] if _runs_a_query(s, is_query)]
    if any(
        isinstance(n, cst.Await)
        for s in statements[:at]
        if s not in querying
        for n in walk(s)
    ):
        raise NoFix(
            f"`{name}` awaits more than its query; n1fix batches methods whose body is the query"
        )
    if len(querying) > 1:
        # Only one query is batched: the others would stay in the batch method's loop,
        # once per key.
        raise NoFix(
            f"`{name}` runs more than one query; n1fix batches methods whose body is one query"
        )
    work: list[cst.BaseStatement] = list(statements[:at])
    unsafe: list[str] = []
    for statement in post[:-1]:
        small = sole_small_statement(statement)
        if is_name_assignment(small):
            judge.check(small.value)
            judge.local.add(small.targets[0].target.value)
            work.append(statement)
            continue
        guarded = _guarded_exit(statement)
        if guarded is None:
            raise NoFix(
                f"`{name}` does more than run its query and shape its result; n1fix batches methods whose body is the query"
            )
        judge.check(statement.test)
        if isinstance(guarded, cst.Raise):
            unsafe.append(
                f"`{name}` raises for some keys; its batch method raises for the first such "
                "key before the loop runs, where each call raised at its item"
            )
            work.append(statement)
            continue
        judge.check(guarded.value)
        body = [_record(key, guarded.value), cst.parse_statement("continue\n")]
        work.append(statement.with_changes(body=statement.body.with_changes(body=body)))
    last = sole_small_statement(post[-1])
    if last.value is None:
        raise NoFix(f"`{name}` does not end by returning its query's result")
    judge.check(last.value)
    work.append(
        _record(key, last.value).with_changes(leading_lines=post[-1].leading_lines)
    )
    # A callee that catches its own failure gives the key whose shaping raises its
    # default, and so does the batch method, each key's shaping in a `try` of its own.
    return KeyWork(work, [*unsafe, *([] if caught else judge.raises)], judge.reads)


class _Judge:
    """Whether the shaping only reads the key and what the query gave: no calls but the
    builtin conversions, no names but the function's own locals (a parameter or a global
    may be an object the caller's loop changes between calls)."""

    def __init__(
        self, name: str, shadowed: frozenset[str], key: str, assignments, module
    ):
        self.name = name
        self.shadowed = shadowed
        self.module = module
        self.raises: list[str] = []  # what the shaping may raise, as unsafe notes
        self.local = {key, "None", "True", "False"}
        self.local |= {
            sole_small_statement(s).targets[0].target.value for s in assignments
        }
        self.reads: set[str] = set()

    def shapes(self, small) -> bool:
        """A final `return` of a pure expression of the query's result (`return (row.kind
        or "") if row else ""`), not of the result itself or of the query."""
        if not isinstance(small, cst.Return) or small.value is None:
            return False
        if isinstance(small.value, cst.Name):
            return False
        try:
            self.check(small.value)
        except NoFix:
            return False
        return True

    def check(self, expr: cst.CSTNode) -> None:
        called = set()
        for node in [expr, *walk(expr)]:
            if id(node) in called:
                continue
            if isinstance(node, cst.Call) and self._validated(node, called):
                continue
            if isinstance(node, cst.Call):
                func = node.func
                if not (
                    isinstance(func, cst.Name)
                    and func.value in _PURE_CALLS
                    and func.value not in self.shadowed
                    and all(arg.keyword is None and not arg.star for arg in node.args)
                ):
                    raise NoFix(
                        f"`{self.name}` shapes its query's result with calls n1fix cannot show to be pure"
                    )
                called.add(id(func))
            elif isinstance(node, cst.Name):
                if id(node) not in called and node.value not in self.local:
                    raise NoFix(
                        f"`{self.name}` shapes its query's result with `{node.value}`, "
                        "which the caller's loop could change between calls"
                    )
            elif isinstance(node, cst.Attribute):
                self.reads.add(node.attr.value)
                called.add(id(node.attr))
            elif isinstance(node, cst.Subscript):
                if not all(
                    isinstance(e.slice, cst.Index)
                    and isinstance(e.slice.value, (cst.SimpleString, cst.Integer))
                    for e in node.slice
                ):
                    raise NoFix(
                        f"`{self.name}` shapes its query's result with a lookup n1fix cannot show to be pure"
                    )
            elif not isinstance(node, _PURE_NODES) and not _is_part(node):
                raise NoFix(
                    f"`{self.name}` shapes its query's result in a way n1fix cannot show to be pure"
                )

    def _validated(self, call: cst.Call, called: set[int]) -> bool:
        """`Model.model_validate(row)` of a pure pydantic model of the module
        (`pure_models`): what it reads of the row are the model's fields."""
        func = call.func
        if not (
            isinstance(func, cst.Attribute)
            and func.attr.value == "model_validate"
            and isinstance(func.value, cst.Name)
            and len(call.args) == 1
            and call.args[0].keyword is None
            and not call.args[0].star
        ):
            return False
        fields = pure_model_fields(self.module, func.value.value)
        if fields is None:
            return False
        self.reads |= fields
        raises = (
            f"`{func.value.value}.model_validate` raises for a row its fields do not "
            "accept; the batch method raises for the first such key before the loop "
            "runs, where each call raised at its item"
        )
        if raises not in self.raises:
            self.raises.append(raises)
        called.update({id(func), id(func.value), id(func.attr)})
        return True


def _inlined(assignments: list, returned) -> bool:
    """Does the plain reading write the awaited query into the return (`count = await
    session.scalar(q)`, `return count or 0`: `return (await session.scalar(q)) or 0`)?
    It does when the return reads each awaited name once."""
    awaited = [
        sole_small_statement(s).targets[0].target.value
        for s in assignments
        if isinstance(sole_small_statement(s).value, cst.Await)
    ]
    uses = [n.value for n in walk(returned) if isinstance(n, cst.Name)]
    return bool(awaited) and all(uses.count(name) == 1 for name in awaited)


def _runs_a_query(statement, is_query) -> bool:
    """A statement with a recognised query in it, or a call of a session's runner
    (`session.scalars(stmt)`, whose statement sits in a variable)."""
    for node in walk(statement):
        if not isinstance(node, cst.Call):
            continue
        if is_query(node):
            return True
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _RUNNERS:
            return True
    return False


def _guarded_exit(statement) -> cst.Raise | cst.Return | None:
    """`if test: raise ...` or `if test: return value`, with no `elif`/`else`."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return None
    body = statement.body
    if not isinstance(body, cst.IndentedBlock) or len(body.body) != 1:
        return None
    small = sole_small_statement(body.body[0])
    if isinstance(small, cst.Raise) and small.exc is not None:
        return small
    if isinstance(small, cst.Return) and small.value is not None:
        return small
    return None


def _is_part(node: cst.CSTNode) -> bool:
    """Syntax that carries no computation of its own: whitespace, brackets, operators."""
    return isinstance(
        node,
        (
            cst.Arg,
            cst.SubscriptElement,
            cst.Index,
            cst.BaseBooleanOp,
            cst.BaseCompOp,
            cst.BaseUnaryOp,
            cst.SimpleWhitespace,
            cst.ParenthesizedWhitespace,
            cst.TrailingWhitespace,
            cst.Newline,
            cst.EmptyLine,
            cst.Comment,
            cst.LeftCurlyBrace,
            cst.RightCurlyBrace,
            cst.LeftSquareBracket,
            cst.RightSquareBracket,
        ),
    )


def _record(key: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    record = cst.parse_statement(f"{BATCHED}[{key}] = x\n")
    return record.with_changes(body=[record.body[0].with_changes(value=value)])
