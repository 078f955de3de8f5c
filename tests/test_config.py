"""[tool.n1fix] loading: kebab-case keys, defaults, errors naming file and key, CLI merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from n1fix.config import Config, ConfigError, load_config


def write(root: Path, text: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text(text)
    return path


def error(root: Path, text: str) -> str:
    write(root, text)
    with pytest.raises(ConfigError) as info:
        load_config(root)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{root / 'pyproject.toml'}: ")
    return message


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_missing_table_gives_defaults(tmp_path: Path) -> None:
    write(tmp_path, '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n')
    assert load_config(tmp_path) == Config()


def test_defaults() -> None:
    config = Config()
    assert config.select is None and config.exclude is None and config.jobs is None
    assert config.ignore == [] and config.extend_exclude == []
    assert config.respect_gitignore and config.cache and not config.unsafe_fixes
    assert Config().ignore is not config.ignore  # no shared mutable default


def test_all_kebab_keys(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
[tool.n1fix]
select = ["N1"]
ignore = ["N103"]
exclude = ["vendor"]
extend-exclude = ["golden", "tests"]
force-exclude = true
include-tests = true
unsafe-fixes = true
respect-gitignore = false
jobs = 4
cache = false
sqlalchemy-version = "1.4"
""",
    )
    assert load_config(tmp_path) == Config(
        select=["N1"],
        ignore=["N103"],
        exclude=["vendor"],
        extend_exclude=["golden", "tests"],
        force_exclude=True,
        include_tests=True,
        unsafe_fixes=True,
        respect_gitignore=False,
        jobs=4,
        cache=False,
        sqlalchemy_version="1.4",
    )


def test_this_projects_own_pyproject_loads() -> None:
    assert isinstance(load_config(Path(__file__).resolve().parents[1]), Config)


def test_snake_case_key_is_unknown_with_hint(tmp_path: Path) -> None:
    message = error(tmp_path, "[tool.n1fix]\nunsafe_fixes = true\n")
    assert "unknown key 'unsafe_fixes'" in message
    assert "did you mean 'unsafe-fixes'?" in message


def test_unknown_key(tmp_path: Path) -> None:
    assert "unknown key 'colour'" in error(tmp_path, '[tool.n1fix]\ncolour = "red"\n')


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ('select = "N1"', "select", "must be a list of strings, got a string ('N1')"),
        ("ignore = [1, 2]", "ignore", "must be a list of strings"),
        ('unsafe-fixes = "yes"', "unsafe-fixes", "must be true or false"),
        ("jobs = true", "jobs", "must be a positive integer, got a boolean"),
        ("jobs = 0", "jobs", "must be a positive integer"),
        ("cache = 1", "cache", "must be true or false, got an integer (1)"),
        ("sqlalchemy-version = 2.0", "sqlalchemy-version", "got a float"),
        (
            'sqlalchemy-version = "latest"',
            "sqlalchemy-version",
            "must be a version string",
        ),
    ],
)
def test_wrong_types(tmp_path: Path, line: str, key: str, expected: str) -> None:
    message = error(tmp_path, f"[tool.n1fix]\n{line}\n")
    assert f"'{key}'" in message
    assert expected in message


def test_invalid_toml(tmp_path: Path) -> None:
    assert "invalid TOML" in error(tmp_path, "[tool.n1fix\nselect = [\n")


def test_table_of_wrong_type(tmp_path: Path) -> None:
    assert "[tool.n1fix] must be a table" in error(tmp_path, "[tool]\nn1fix = 3\n")


def test_merged_cli_values_win_unless_none() -> None:
    base = Config(select=["N1"], unsafe_fixes=False, jobs=2, extend_exclude=["golden"])
    merged = base.merged(select=None, unsafe_fixes=True, jobs=None, cache=False)
    assert merged.select == ["N1"]
    assert merged.unsafe_fixes is True
    assert merged.jobs == 2
    assert merged.cache is False
    assert base.unsafe_fixes is False  # the original is untouched


def test_merged_exclude_replaces_extend_exclude_adds() -> None:
    base = Config(exclude=["a"], extend_exclude=["golden"])
    merged = base.merged(exclude=["b"], extend_exclude=["gen"])
    assert merged.exclude == ["b"]
    assert merged.extend_exclude == ["golden", "gen"]
    assert base.extend_exclude == ["golden"]


def test_merged_unknown_option() -> None:
    with pytest.raises(TypeError, match="colour"):
        Config().merged(colour="red")
