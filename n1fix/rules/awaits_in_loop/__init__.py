"""The `awaits-in-loop` rule: the class and its docs in `rule.py`, its detection (the bounded
gather's plan) in `loop_gather.py`."""

from n1fix.rules.awaits_in_loop.rule import AwaitsInLoop

__all__ = ["AwaitsInLoop"]
