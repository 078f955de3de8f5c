"""n1fix: find database round-trip waste in Python code and rewrite it."""

__version__ = "0.1.0"
