"""Configuration from ``[tool.n1fix]`` in the project's ``pyproject.toml``.

Keys are kebab-case, as in ruff (``unsafe-fixes``, ``extend-exclude``). Unknown keys and
values of the wrong type are errors, not silently ignored, so a typo never turns a setting
off without the user noticing.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Config", "ConfigError", "load_config"]


class ConfigError(Exception):
    """The configuration cannot be used; `str()` is one line naming the file and the key."""


@dataclass
class Config:
    """n1fix settings; the defaults are what a project without ``[tool.n1fix]`` gets."""

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    # Apply the excludes to paths named on the command line too (pre-commit names every file).
    force_exclude: bool = False
    # Check test code too (test_*.py, *_test.py, conftest.py, tests/ and test/ folders).
    include_tests: bool = False
    unsafe_fixes: bool = False
    respect_gitignore: bool = True
    jobs: int | None = None
    cache: bool = True
    sqlalchemy_version: str | None = None
    # A suppression comment without a reason is a finding (rule suppression-without-reason).
    require_reason: bool = False

    def merged(self, **cli_overrides: Any) -> Config:
        """A copy with every command-line value that is not None put over the file's.

        ``extend_exclude`` from the command line is added to the file's list (as in ruff);
        every other value replaces the file's.
        """
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(cli_overrides) - names)
        if unknown:
            raise TypeError(f"unknown configuration option(s): {', '.join(unknown)}")
        changes = {k: v for k, v in cli_overrides.items() if v is not None}
        if "extend_exclude" in changes:
            changes["extend_exclude"] = [
                *self.extend_exclude,
                *changes["extend_exclude"],
            ]
        return _with_required_reasons(dataclasses.replace(self, **changes))


REASON_RULE = "suppression-without-reason"


def _with_required_reasons(config: Config) -> Config:
    """`require-reason` selects the rule that reports suppressions without a reason, on
    top of the selection (the default rules when nothing is selected)."""
    if not config.require_reason or (
        config.select is not None and REASON_RULE in config.select
    ):
        return config
    if config.select is None:
        from n1fix.rules import default_rule_names

        return dataclasses.replace(config, select=[*default_rule_names(), REASON_RULE])
    return dataclasses.replace(config, select=[*config.select, REASON_RULE])


def load_config(root: Path) -> Config:
    """Read ``[tool.n1fix]`` from ``<root>/pyproject.toml``; defaults when there is none."""
    from n1fix.engine.fileio import read_regular

    path = root / "pyproject.toml"
    try:
        data = tomllib.loads(read_regular(path).decode("utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{path}: cannot read: {reason.lower()}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc

    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    table = tool.get("n1fix", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.n1fix] must be a table")

    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            import difflib  # (only for the message)

            hint = difflib.get_close_matches(key, _KEYS, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise ConfigError(f"{path}: [tool.n1fix] unknown key '{key}'{suggestion}")
        check, expected = _KEYS[key]
        if not check(value):
            raise ConfigError(
                f"{path}: [tool.n1fix] '{key}' must be {expected}, got {_describe(value)}"
            )
        values[key.replace("-", "_")] = (
            list(value) if isinstance(value, list) else value
        )
    return _with_required_reasons(Config(**values))


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_jobs(value: object) -> bool:
    # bool is an int subclass; `jobs = true` is a mistake, not 1.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_version(value: object) -> bool:
    return (
        isinstance(value, str) and re.fullmatch(r"\d+(\.\d+){0,2}", value) is not None
    )


_KEYS: dict[str, tuple[Callable[[object], bool], str]] = {
    "select": (_is_str_list, "a list of strings"),
    "ignore": (_is_str_list, "a list of strings"),
    "exclude": (_is_str_list, "a list of strings"),
    "extend-exclude": (_is_str_list, "a list of strings"),
    "force-exclude": (_is_bool, "true or false"),
    "include-tests": (_is_bool, "true or false"),
    "unsafe-fixes": (_is_bool, "true or false"),
    "respect-gitignore": (_is_bool, "true or false"),
    "jobs": (_is_jobs, "a positive integer"),
    "cache": (_is_bool, "true or false"),
    "sqlalchemy-version": (_is_version, 'a version string such as "1.4" or "2.0"'),
    "require-reason": (_is_bool, "true or false"),
}


_KINDS = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    list: "an array",
    dict: "a table",
}


def _describe(value: object) -> str:
    kind = _KINDS.get(type(value), type(value).__name__)
    shown = repr(value)
    return f"{kind} ({shown})" if len(shown) <= 40 else kind
