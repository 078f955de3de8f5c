"""The ecosystem check: n1fix on pinned releases of real applications, judged by a ledger.

Run it as `python ecosystem/check.py` (see README.md, "Contributing: the ecosystem check").
"""
