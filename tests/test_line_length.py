"""The line length generated code is wrapped to comes from the project's own configuration."""

from __future__ import annotations

import pytest

from n1fix.rules.line_length import line_length_for


@pytest.mark.parametrize(
    "files,expected",
    [
        ({}, 88),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}, 100),
        ({"ruff.toml": "line-length = 110\n"}, 110),
        ({".ruff.toml": "line-length = 99\n"}, 99),
        ({"pyproject.toml": "[tool.black]\nline-length = 79\n"}, 79),
        ({"setup.cfg": "[flake8]\nmax-line-length = 90\nexclude = .git\n"}, 90),
        ({"tox.ini": "[flake8]\nmax_line_length = 120\n"}, 120),
        ({".flake8": "[flake8]\nmax-line-length = 100\n"}, 100),
        ({"setup.cfg": "[pycodestyle]\nmax-line-length = 110\n"}, 110),
        # the formatter's setting wins over the linter's limit
        (
            {
                "pyproject.toml": "[tool.black]\nline-length = 88\n",
                "setup.cfg": "[flake8]\nmax-line-length = 120\n",
            },
            88,
        ),
        # ruff.toml is ruff's configuration when both exist
        (
            {
                "ruff.toml": "line-length = 100\n",
                "pyproject.toml": "[tool.ruff]\nline-length = 120\n",
            },
            100,
        ),
        # broken or unrelated files are ignored
        ({"pyproject.toml": "[tool.ruff\n", "setup.cfg": "[metadata]\nname = x\n"}, 88),
        ({"setup.cfg": "[flake8]\nmax-line-length = %(x)s\n"}, 88),
    ],
)
def test_line_length(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert line_length_for(tmp_path) == expected


def test_a_fifo_in_place_of_a_configuration_file_does_not_hang(tmp_path):
    import os

    os.mkfifo(tmp_path / "setup.cfg")
    (tmp_path / "tox.ini").write_text("[flake8]\nmax-line-length = 100\n")
    assert line_length_for(tmp_path) == 100
