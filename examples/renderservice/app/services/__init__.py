"""Use cases, called by the HTTP handlers (not part of the demo) and by demo.py."""
