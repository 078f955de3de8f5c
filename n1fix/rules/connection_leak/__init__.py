"""The `connection-leak` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.connection_leak.rule import ConnectionLeak

__all__ = ["ConnectionLeak"]
