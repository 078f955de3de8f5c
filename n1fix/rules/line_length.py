"""The project's line length, as its formatter and linters are configured.

Generated code is wrapped to it. The formatter's setting wins (the code is formatted to
it), then the linter's limit: ruff (`ruff.toml`, `.ruff.toml`, `[tool.ruff]` in
pyproject.toml), black (`[tool.black]`), flake8 or pycodestyle (`max-line-length` in
`.flake8`, `setup.cfg`, `tox.ini`); black's default of 88 without any of them. Files are
read only when they are regular files (a FIFO planted as `setup.cfg` must not hang the run).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from n1fix.cst.source import read_regular

DEFAULT = 88
_FLAKE8_FILES = (".flake8", "setup.cfg", "tox.ini")
_FLAKE8_SECTIONS = ("flake8", "pycodestyle", "pep8")


def line_length_for(root: Path) -> int:
    for found in (_ruff(root), _black(root), _flake8(root)):
        if found is not None:
            return found
    return DEFAULT


def _ruff(root: Path) -> int | None:
    for name in ("ruff.toml", ".ruff.toml"):
        data = _toml(root / name)
        if data is not None:
            return _positive(data.get("line-length"))
    return _positive(_tool(root, "ruff").get("line-length"))


def _black(root: Path) -> int | None:
    section = _tool(root, "black")
    return _positive(section.get("line-length", section.get("line_length")))


def _flake8(root: Path) -> int | None:
    for name in _FLAKE8_FILES:
        try:
            text = read_regular(root / name).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        import configparser  # (a start-up cost only for a project with such a file)

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        for section in _FLAKE8_SECTIONS:
            if parser.has_section(section):
                for key in ("max-line-length", "max_line_length"):
                    value = parser.get(section, key, fallback=None)
                    if value is not None and value.strip().isdigit():
                        return _positive(int(value.strip()))
    return None


def _tool(root: Path, name: str) -> dict:
    data = _toml(root / "pyproject.toml") or {}
    section = data.get("tool", {}).get(name, {})
    return section if isinstance(section, dict) else {}


def _toml(path: Path) -> dict | None:
    try:
        return tomllib.loads(read_regular(path).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _positive(value) -> int | None:
    return (
        value
        if isinstance(value, int) and not isinstance(value, bool) and value > 0
        else None
    )
