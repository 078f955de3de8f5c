"""A project module read to plan code in it (`read_module`) has the name and imports the
survey gives the same file, without the survey's fact extractors."""

from __future__ import annotations

from pathlib import Path

import pytest

from n1fix.engine.runner import _ProjectModules
from n1fix.engine.survey import survey_file

TEXTS = {
    "app/__init__.py": "from .models import User\nfrom . import dal as d\n",
    "app/dal.py": (
        "import sqlalchemy as sa\nimport os.path\nfrom ..outside import x\n"
        "from .models import *\nfrom .models import User as U\n"
        "def f():\n    from app.models import Project\n"
    ),
    "app/models.py": "class User:\n    pass\n",
    "app/broken.py": "def f(:\n    import os\n",
    # newer syntax than some Pythons read: its imports come from the older reading
    "app/generic.py": "import os\ntype Alias = list[int]\n",
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_read_module_matches_the_survey(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for rel, text in TEXTS.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    path = tmp_path / name
    read = _ProjectModules(tmp_path)(path)
    survey = survey_file(path, tmp_path, {}, text=TEXTS[name])
    assert read.module_name == survey.module_name
    assert read.imports == survey.imports
    assert read.text == TEXTS[name]
    if name in ("app/__init__.py", "app/dal.py", "app/generic.py"):
        assert read.imports  # not a vacuous comparison
