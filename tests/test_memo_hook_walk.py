"""A run over part of a project looks through the whole project for modules hooking its
models (n1fix/engine/hook_modules.py); the run memo answers such a run again only while
nothing that walk looked at changed: a hook module edited, added, moved out of sight by
an ignore file. Each answer equals a run without any cache."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_hook_modules import FILES, NO_FIX

from n1fix.config import Config
from n1fix.engine import run_memo, runner

RECEIVER = FILES["shop/signals.py"]


@pytest.fixture
def shop(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(run_memo, "RACY_NS", 0)  # trust the test's fresh stamps
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return tmp_path


def _restock(shop: Path, long_way: list) -> tuple[bool, str]:
    """(did the memo answer, the write-in-loop message) of a run over restock.py alone,
    checked against the same run without cache."""
    long_way.clear()
    named = [shop / "shop" / "restock.py"]
    result = runner.run(named, shop, Config(), jobs=1, memo=True)
    answered = not long_way
    fresh = runner.run(named, shop, Config(cache=False), jobs=1)
    assert [f.to_json() for f in result.findings] == [
        f.to_json() for f in fresh.findings
    ]
    [message] = [f.message for f in result.findings if f.rule == "write-in-loop"]
    return answered, message


def test_an_unchanged_project_is_answered(shop: Path, long_way: list) -> None:
    assert _restock(shop, long_way)[0] is False
    answered, message = _restock(shop, long_way)
    assert answered and NO_FIX in message


def test_a_hook_module_edited_is_a_miss(shop: Path, long_way: list) -> None:
    _restock(shop, long_way)
    _restock(shop, long_way)
    signals = shop / "shop" / "signals.py"
    signals.write_text("")
    answered, message = _restock(shop, long_way)
    assert not answered and NO_FIX not in message


def test_a_hook_module_added_is_a_miss(shop: Path, long_way: list) -> None:
    (shop / "shop" / "signals.py").unlink()
    _restock(shop, long_way)
    assert _restock(shop, long_way)[0]
    (shop / "hooks").mkdir()
    (shop / "hooks" / "stock.py").write_text(textwrap.dedent(RECEIVER).lstrip())
    answered, message = _restock(shop, long_way)
    assert not answered and "a `post_save` receiver for `StockMovement`" in message


@pytest.mark.parametrize("ignore_file", [".gitignore", ".git/info/exclude"])
def test_an_ignore_file_hiding_the_hooks_is_a_miss(
    shop: Path, long_way: list, ignore_file: str
) -> None:
    (shop / ".git" / "info").mkdir(parents=True)
    _restock(shop, long_way)
    assert _restock(shop, long_way)[0]
    (shop / ignore_file).write_text("signals.py\n")
    answered, message = _restock(shop, long_way)
    assert not answered and NO_FIX not in message
