"""The `lazy-load-in-loop` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.lazy_load_in_loop.rule import LazyLoadInLoop

__all__ = ["LazyLoadInLoop"]
