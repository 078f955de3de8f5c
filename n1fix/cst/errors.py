"""The one error a rewrite raises when it cannot build a change it trusts."""


class FixFailed(Exception):
    """The codemod could not build a rewrite it trusts; the finding stays unfixed."""
