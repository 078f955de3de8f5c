"""The engine: discover files, index the project, gate, parse once, run rules, fix."""
