"""related-key-via-relationship's survey leaves out `owner.rel.key` after a statement
that surely reads `owner.rel` otherwise (`earlier_reads`): the check drops such a read
(`_row_read_anyway`). Every read the check may still report is kept: a read under a
branch, a later `and` / `or` operand, a comprehension or a lambda, the same key, a call
of `owner.rel`, a read after the key's. Findings with and without the gates are equal.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from gate_agreement import with_and_without_gates, write_app

from n1fix.rules.related_key_via_relationship.rule import RelatedKeyViaRelationship

RULE = "related-key-via-relationship"

MODELS = """\
from django.db import models


class Payment(models.Model):
    amount = models.IntegerField()


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE)
    info = models.TextField()
"""

# Each function reads `r.payment.pk` where the check reports it.
KEPT = """\
from app.models import Refund


def in_an_if_expression(r: Refund, c):
    x = r.payment.amount if c else 0
    return r.payment.pk


def later_operand(r: Refund, c):
    x = c and r.payment.amount
    return r.payment.pk


def under_a_branch(r: Refund, c):
    if c:
        a = r.payment.amount
    return r.payment.pk


def in_a_comprehension(r: Refund, xs):
    a = [r.payment.amount for _ in xs]
    return r.payment.pk


def in_a_lambda(r: Refund):
    a = r.payment.amount
    f = lambda: r.payment.pk
    return f


def same_key(r: Refund):
    a = r.payment.pk
    return r.payment.pk


def called(r: Refund):
    a = r.payment()
    return r.payment.pk


def read_after(r: Refund):
    b = r.payment.pk
    if b:
        return None
    return r.payment.amount


def other_owner(r: Refund, s: Refund):
    a = s.payment.amount
    return r.payment.pk
"""

# Each `r.payment.pk` follows a plain read of `r.payment`: the check drops them all.
DROPPED = """\
from app import models as m


def assigned_before(r: m.Refund):
    info = r.payment.amount
    return r.payment.pk


async def in_nested_blocks(r: m.Refund, c, xs):
    a = r.payment.amount
    if c:
        for x in xs:
            print(r.payment.pk)
    try:
        pass
    except ValueError:
        a += r.payment.amount
        await log(r.payment.pk)


def one_line(r: m.Refund):
    a = r.payment.amount; return r.payment.pk


class View:
    def method(self, r: m.Refund, c):
        self.a = c or r.payment.amount.real
        print(f"{r.payment.amount}")
        return {"key": r.payment.pk}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_app(
        tmp_path, {"models.py": MODELS, "kept.py": KEPT, "dropped.py": DROPPED}
    )


def test_findings_are_the_same_with_and_without_the_gates(
    project: Path, monkeypatch
) -> None:
    gated, ungated, turned = with_and_without_gates(project, RULE, monkeypatch)
    assert gated == ungated
    kept = [name for name in gated if name.startswith("kept.py")]
    # every function of kept.py but `same_key` (two findings) has one
    assert len(kept) == 10
    assert not any(name.startswith("dropped.py") for name in gated)
    assert "kept.py" in turned and "dropped.py" not in turned


def _survey(source: str) -> list[str]:
    source = textwrap.dedent(source)
    return RelatedKeyViaRelationship().survey(ast.parse(source), source)


def test_the_survey_leaves_out_only_reads_after_a_plain_read() -> None:
    assert _survey(DROPPED) == ["payment.amount"]
    assert "payment.pk" in _survey(KEPT)
    for function in KEPT.split("\n\n\n")[1:]:
        assert "payment.pk" in _survey(function), function
