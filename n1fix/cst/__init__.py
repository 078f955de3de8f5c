"""The neutral syntax layer: LibCST helpers every rule and rewrite shares (names, layout,
imports, loop frames, the one `FixFailed`). Imports nothing of n1fix above it."""
