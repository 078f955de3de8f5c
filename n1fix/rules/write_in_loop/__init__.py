"""The `write-in-loop` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.write_in_loop.rule import WriteInLoop

__all__ = ["WriteInLoop"]
