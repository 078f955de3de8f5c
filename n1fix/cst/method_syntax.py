"""The parts of a function a batch method is made from, read and replaced on the tree.

Shared by the batch variant's planning (`rules.query_in_loop.batch_variant`, which builds
the per-key loop from the callee's body) and its writing
(`codemods.query_in_loop.batch_variant`, which turns the batched loop back into a method):
both must agree on where the work of a method sits.
"""

from __future__ import annotations

import libcst as cst

BATCHED = (
    "n1fix_batched_"  # the synthetic loop's result dict; never survives into the output
)


def find_function(
    module: cst.Module, owner: str | None, name: str
) -> cst.FunctionDef | None:
    """The module-level function `name`, or the method `name` of the module-level class `owner`."""
    body = module.body
    if owner is not None:
        cls = next(
            (s for s in body if isinstance(s, cst.ClassDef) and s.name.value == owner),
            None,
        )
        if cls is None:
            return None
        body = cls.body.body
    return next(
        (s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == name),
        None,
    )


def tail_block(function: cst.FunctionDef) -> tuple[list, list[cst.With]]:
    """The statements that do the work (without the docstring), inside any `with` blocks
    that wrap the whole body (`async with session_factory() as session:`)."""
    statements = without_docstring(list(function.body.body))
    withs: list[cst.With] = []
    while len(statements) == 1 and isinstance(statements[0], cst.With):
        withs.append(statements[0])
        statements = list(statements[0].body.body)
    return statements, withs


def without_docstring(statements: list) -> list:
    if statements and is_docstring(statements[0]):
        return statements[1:]
    return statements


def is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(
            statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)
        )
    )


def with_tail(function: cst.FunctionDef, tail: list) -> cst.FunctionDef:
    """The function with the statements of its tail block (see `tail_block`) replaced."""
    _, withs = tail_block(function)
    if not withs:
        body = list(function.body.body)
        docstring = body[:1] if body and is_docstring(body[0]) else []
        return function.with_changes(
            body=function.body.with_changes(body=[*docstring, *tail])
        )
    innermost = withs[-1]
    replaced = innermost.with_changes(body=innermost.body.with_changes(body=tail))

    class _Swap(cst.CSTTransformer):
        def on_leave(self, original, updated):
            return replaced if original is innermost else updated

    return function.visit(_Swap())


def batch_params(
    params: cst.Parameters, key: str, keys: str, *, annotate_for_analysis: bool
) -> cst.Parameters:
    """The parameters with `key` replaced by `keys` (its annotation `T` by `list[T]`)."""

    def convert(param: cst.Param) -> cst.Param:
        if param.name.value != key:
            return param
        annotation = param.annotation
        if annotation is not None:
            element = cst.Module([]).code_for_node(annotation.annotation)
            annotation = annotation.with_changes(
                annotation=cst.parse_expression(f"list[{element}]")
            )
        elif annotate_for_analysis:
            # Only for the analysis (a list can be read twice); the method stays unannotated
            # like its original.
            annotation = cst.Annotation(cst.Name("list"))
        return param.with_changes(name=cst.Name(keys), annotation=annotation)

    return params.with_changes(
        posonly_params=[convert(p) for p in params.posonly_params],
        params=[convert(p) for p in params.params],
        kwonly_params=[convert(p) for p in params.kwonly_params],
    )


def named_params(params: cst.Parameters) -> list[cst.Param]:
    """The parameters that have a name of their own (not `*args`, `**kwargs`)."""
    return [*params.posonly_params, *params.params, *params.kwonly_params]
