"""A blog and a small shop written in the classic declarative style (1.x Query API code)."""
