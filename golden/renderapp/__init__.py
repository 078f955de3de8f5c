"""A small render service, the domain of the golden cases (see shared/SCENARIOS.md)."""
