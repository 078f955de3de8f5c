"""Facts about code that more than one rule reads: loop items, where a query can be hoisted,
what runs with what, persistence. Imports only `n1fix.orm` and `n1fix.cst`."""
