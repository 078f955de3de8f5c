"""Rewrites, one module per rule, found by the rule's name with underscores."""
