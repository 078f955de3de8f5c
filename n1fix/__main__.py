"""`python -m n1fix`: the same as the `n1fix` command (handy under a profiler)."""

from n1fix.cli_plain import console_script

console_script()
