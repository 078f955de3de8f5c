"""What code means: the model index and query shapes (SQLAlchemy today, Django next)."""
