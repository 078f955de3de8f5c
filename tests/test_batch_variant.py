"""Who does what for a batch variant: detection records facts, the codemod writes the method.

The method's text is held by golden cases and tests/test_call_batch.py; these tests hold
the split: what a finding says when the codemod cannot write the method, what a fix does
when it cannot, where the plans of one run are kept, and how the codemods name key lists.
"""

from __future__ import annotations

import pickle

import libcst as cst
from test_call_batch import _project, _run

from n1fix.cst.errors import FixFailed
from n1fix.cst.names import keys_name

SERVICE = """
    from app.dal import RendersDAL


    def gallery(session, projects):
        return {project.id: RendersDAL.by_project(session, project.id) for project in projects}
"""


def test_a_method_the_codemod_cannot_write_is_a_finding_without_a_fix(
    tmp_path, monkeypatch
):
    import n1fix.codemods.query_in_loop.batch_variant as writer

    def cannot(*args, **kwargs):
        raise FixFailed("the batched loop has an unexpected shape")

    monkeypatch.setattr(writer, "_tidy", cannot)
    (finding,) = _run(_project(tmp_path, SERVICE)).findings
    assert finding.applicability.value == "none"
    assert finding.message.endswith(
        "no fix: `RendersDAL.by_project` cannot get a batch method: the batched loop has an unexpected shape"
    )


def test_the_method_is_written_when_the_fix_is_built_and_a_failure_drops_the_fix(
    tmp_path, monkeypatch
):
    import n1fix.codemods.query_in_loop.call_batch as call_batch

    root = _project(tmp_path, SERVICE)
    written = []
    real = call_batch.write_method

    def spy(variant, line_length):
        written.append(variant.name)
        return real(variant, line_length)

    monkeypatch.setattr(call_batch, "write_method", spy)
    (finding,) = _run(root).findings
    assert finding.applicability.value == "safe"
    assert written == []  # a scan plans, it writes no method
    result = _run(root, fix=True)
    assert written and set(written) == {"by_projects"}
    assert (
        "def by_projects("
        in next(c for c in result.changes if c.path.name == "dal.py").new_text
    )

    def fails(variant, line_length):
        raise FixFailed("the batch method does not compile")

    monkeypatch.setattr(call_batch, "write_method", fails)
    result = _run(root, fix=True)
    assert result.changes == []
    assert [f.applicability.value for f in result.findings] == ["safe"]
    assert any(
        "the batch method does not compile" in failure for failure in result.failures
    )


def test_the_plans_of_a_run_live_on_its_project_and_stay_in_their_process(tmp_path):
    root = _project(tmp_path, SERVICE)
    project = _run(root).project
    assert [key[0] for key in project.variants] == ["app.dal.RendersDAL.by_project"]
    assert pickle.loads(pickle.dumps(project)).variants == {}
    # A new run plans afresh: the callee changed, so does the verdict.
    dal = root / "app" / "dal.py"
    dal.write_text(
        dal.read_text().replace(
            "project_id: int, limit: int = 10", "project_id: int = 0, limit: int = 10"
        )
    )
    (finding,) = _run(root).findings
    assert "`project_id` has a default value" in finding.message


def test_key_lists_are_named_after_the_key():
    def name(code: str, otherwise: str = "keys") -> str:
        return keys_name(cst.parse_expression(code), otherwise)

    assert name("render.id") == "render_ids"
    assert name("render.project_id") == "project_ids"
    assert name("render.slug") == "render_slugs"
    assert name("self.user.id") == "ids"
    assert name("uid") == "uids"
    assert name("row[0]", "render_ids") == "render_ids"
