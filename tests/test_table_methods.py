"""Table methods that guard their lookup and hand back a pydantic copy of the row
(open-webui's models/*.py): which pydantic models only read the row
(`rules.query_in_loop.pure_models`), which `try` is read as a caught failure
(`rules.query_in_loop.caught_failures`), and the batch method's guards
(`codemods.query_in_loop.caught_failures`)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from n1fix.analysis.loop_placement import NoFix
from n1fix.codemods.query_in_loop.caught_failures import guarded_method
from n1fix.cst.errors import FixFailed
from n1fix.rules.query_in_loop.caught_failures import caught_failure
from n1fix.rules.query_in_loop.post_process import shaped_result
from n1fix.rules.query_in_loop.pure_models import pure_model_fields

MODELS = """
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    class Meta(BaseModel):
        description: str | None = None

    class FileModel(BaseModel):
        model_config = ConfigDict(from_attributes=True)

        id: str
        user_id: Optional[str] = None
        meta: Meta
        data: dict | None = Field(default=None, exclude=True)
        tags: list[str] = Field(default_factory=list)
        created_at: int | None

    class FileWithValves(FileModel):
        valves: dict[str, Any] | None = None

    class Validated(BaseModel):
        id: str

        @field_validator("id")
        def strip(cls, value):
            return value.strip()

    class Annotated_(BaseModel):
        id: StrippedId

    class Factory(BaseModel):
        created_at: int = Field(default_factory=time.time)

    class NotPydantic:
        id: str
"""


def _module(source: str) -> cst.Module:
    return cst.parse_module(textwrap.dedent(source))


def test_a_model_of_plain_fields_is_pure_and_reads_its_fields():
    module = _module(MODELS)
    assert pure_model_fields(module, "FileModel") == {
        "id",
        "user_id",
        "meta",
        "data",
        "tags",
        "created_at",
    }
    assert pure_model_fields(module, "FileWithValves") == {
        "id",
        "user_id",
        "meta",
        "data",
        "tags",
        "created_at",
        "valves",
    }


def test_validators_unknown_types_factories_and_other_classes_are_not_shown_pure():
    module = _module(MODELS)
    assert pure_model_fields(module, "Validated") is None
    assert pure_model_fields(module, "Annotated_") is None  # may carry a validator
    assert pure_model_fields(module, "Factory") is None
    assert pure_model_fields(module, "NotPydantic") is None
    assert pure_model_fields(module, "Imported") is None
    # BaseModel not imported from pydantic
    assert pure_model_fields(_module("class M(BaseModel):\n    id: str\n"), "M") is None


FILES = (
    MODELS
    + """
    class FilesTable:
        async def get_file_by_id(self, id: str, db=None):
            try:
                async with get_db_context(db) as db:
                    file = await db.get(File, id)
                    if not file:
                        return None
                    return FileModel.model_validate(file)
            except Exception:
                return None

        async def get_checked(self, id: str, db=None):
            try:
                async with get_db_context(db) as db:
                    file = await db.get(File, id)
                    return Validated.model_validate(file) if file else None
            except Exception:
                return None

        async def get_inside(self, id: str, db=None):
            async with get_db_context(db) as db:
                try:
                    file = await db.get(File, id)
                    return FileModel.model_validate(file) if file else None
                except Exception:
                    return []

        async def get_logged(self, id: str, db=None):
            try:
                async with get_db_context(db) as db:
                    return await db.get(File, id)
            except Exception as e:
                log.exception(e)
                return None

        async def get_reraised(self, id: str, db=None):
            try:
                async with get_db_context(db) as db:
                    return await db.get(File, id)
            except Exception as e:
                raise LookupError(id) from e

        async def get_narrow(self, id: str, db=None):
            try:
                async with get_db_context(db) as db:
                    return await db.get(File, id)
            except KeyError:
                return None
    """
)


def _method(name: str) -> tuple[cst.Module, cst.FunctionDef]:
    module = _module(FILES)
    table = next(
        s
        for s in module.body
        if isinstance(s, cst.ClassDef) and s.name.value == "FilesTable"
    )
    return module, next(
        s
        for s in table.body.body
        if isinstance(s, cst.FunctionDef) and s.name.value == name
    )


def test_a_try_around_the_body_is_read_as_a_caught_failure():
    module, function = _method("get_file_by_id")
    caught = caught_failure(function)
    assert caught is not None and not caught.inside_with
    assert cst.Module([]).code_for_node(caught.default) == "None"
    assert not any(isinstance(n, cst.Try) for n in caught.inner.body.body)
    work = shaped_result(caught.inner, module, "id", lambda node: False, caught=True)
    code = cst.Module(body=work.statements).code
    assert "n1fix_batched_[id] = FileModel.model_validate(file)" in code
    # the row's fields are what the shaping reads; each key's failure is its own
    assert {"id", "meta", "created_at"} <= work.reads
    assert work.unsafe == []


def test_an_uncaught_validation_makes_the_batch_unsafe():
    module, function = _method("get_inside")
    inner = caught_failure(function)
    assert inner is not None and inner.inside_with
    assert cst.Module([]).code_for_node(inner.default) == "[]"
    work = shaped_result(inner.inner, module, "id", lambda node: False)
    assert any("FileModel.model_validate` raises" in note for note in work.unsafe)


def test_a_model_with_validators_is_no_shaping_n1fix_repeats():
    module, function = _method("get_checked")
    caught = caught_failure(function)
    # not shaping: left to the plain reading, whose batch method keeps only lookups
    assert (
        shaped_result(caught.inner, module, "id", lambda node: False, caught=True)
        is None
    )
    guarded = _module(
        """
        class FilesTable:
            async def get_checked(self, id: str, db=None):
                try:
                    async with get_db_context(db) as db:
                        file = await db.get(File, id)
                        if not file:
                            return None
                        return Validated.model_validate(file)
                except Exception:
                    return None
        """
    )
    function = guarded.body[0].body.body[0]
    caught = caught_failure(function)
    with pytest.raises(NoFix, match="cannot show to be pure"):
        shaped_result(caught.inner, module, "id", lambda node: False, caught=True)


@pytest.mark.parametrize("name", ["get_logged", "get_reraised", "get_narrow"])
def test_handlers_that_do_more_than_return_a_literal_are_not_caught_failures(name):
    _, function = _method(name)
    assert caught_failure(function) is None


def _guarded(source: str, *, inside_with: bool = False) -> str:
    _, function = _method("get_inside" if inside_with else "get_file_by_id")
    caught = caught_failure(function)
    method = _module(source).body[0]
    return cst.Module(body=[guarded_method(method, caught, "id", "ids")]).code


def test_the_batch_method_guards_its_query_for_every_key_and_each_key_alone():
    code = _guarded(
        """
        async def get_file_by_ids(self, ids, db=None):
            \"\"\"Docstring.\"\"\"
            if not ids:
                return {}
            async with get_db_context(db) as db:
                files_by_id = {file.id: file for file in await db.scalars(q)}
                results = {}
                for id in ids:
                    file = files_by_id.get(id)
                    results[id] = FileModel.model_validate(file) if file else None
                return results
        """
    )
    assert code == textwrap.dedent(
        """\
        async def get_file_by_ids(self, ids, db=None):
            \"\"\"Docstring.\"\"\"
            if not ids:
                return {}
            try:
                async with get_db_context(db) as db:
                    files_by_id = {file.id: file for file in await db.scalars(q)}
                    results = {}
                    for id in ids:
                        try:
                            file = files_by_id.get(id)
                            results[id] = FileModel.model_validate(file) if file else None
                        except Exception:
                            results[id] = None
                    return results
            except Exception:
                return {id: None for id in ids}
        """
    )


def test_a_try_inside_the_with_stays_inside_it():
    code = _guarded(
        """
        async def get_inside_for_ids(self, ids, db=None):
            if not ids:
                return {}
            async with get_db_context(db) as db:
                files_by_id = {file.id: file for file in await db.scalars(q)}
                return {id: files_by_id.get(id) for id in ids}
        """,
        inside_with=True,
    )
    assert "    async with get_db_context(db) as db:\n        try:\n" in code
    assert (
        "        except Exception:\n            return {id: [] for id in ids}" in code
    )


def test_shaping_in_a_comprehension_over_the_keys_is_not_written():
    with pytest.raises(FixFailed, match="one key's failure would fail every key"):
        _guarded(
            """
            async def get_file_by_ids(self, ids, db=None):
                async with get_db_context(db) as db:
                    files_by_id = {file.id: file for file in await db.scalars(q)}
                    return {id: FileModel.model_validate(files_by_id[id]) for id in ids}
            """
        )


VALIDATED = """
    from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

    _DEFAULT_IMAGE = '/api/v1/users/{user_id}/profile/image'
    _REBOUND = 'a'
    _REBOUND = 'b'
    _CHANGED = 'a'

    def change():
        global _CHANGED
        _CHANGED = 'b'

    class Settings(BaseModel):
        ui: dict | None = {}
        model_config = ConfigDict(extra='allow')
        pass

    class UserModel(BaseModel):
        id: str
        profile_image_url: str | None = None
        variables: dict = Field(default_factory=dict, exclude=True)
        settings: Settings | None = None

        @model_validator(mode='after')
        def _ensure_profile_image(self) -> 'UserModel':
            \"\"\"Assign a generated avatar when no profile image is provided.\"\"\"
            self.profile_image_url = self.profile_image_url or _DEFAULT_IMAGE.format(
                user_id=self.id
            )
            return self

        @field_validator('variables', mode='before')
        @classmethod
        def normalize_variables(cls, value):
            return value if isinstance(value, dict) else {}

    class Checked(BaseModel):
        id: str

        @field_validator('id')
        def check(cls, value, info):
            if not isinstance(value, (str, bytes)):
                return ''
            return value

        @model_validator(mode='after')
        def check_all(self):
            if self.id == '':
                raise ValueError('no id')
            return self

    class Rebound(BaseModel):
        id: str | None = None

        @model_validator(mode='after')
        def fill(self):
            self.id = self.id or _REBOUND
            return self

    class Changed(BaseModel):
        id: str | None = None

        @model_validator(mode='after')
        def fill_changed(self):
            self.id = self.id or _CHANGED
            return self

    class CallsOut(BaseModel):
        id: str

        @field_validator('id')
        @classmethod
        def check(cls, value):
            return validate_image_url(value)

    class ReadsInfo(BaseModel):
        id: str

        @field_validator('id')
        @classmethod
        def check(cls, value, info):
            return info.data

    class Wraps(BaseModel):
        id: str

        @field_validator('id', mode='wrap')
        @classmethod
        def check(cls, value, handler):
            return value

    class Before(BaseModel):
        id: str

        @model_validator(mode='before')
        @classmethod
        def fill(cls, data):
            return data

    class WritesOther(BaseModel):
        id: str

        @model_validator(mode='after')
        def remember(self):
            SEEN.id = self.id
            return self

    class Method(BaseModel):
        id: str

        def label(self):
            return self.id
"""


def test_validators_that_only_normalise_their_input_keep_a_model_pure():
    module = _module(VALIDATED)
    assert pure_model_fields(module, "UserModel") == {
        "id",
        "profile_image_url",
        "variables",
        "settings",
    }
    assert pure_model_fields(module, "Checked") == {"id"}


@pytest.mark.parametrize(
    "name",
    [
        "Rebound",  # a module name bound twice is no constant
        "Changed",  # nor one a function rebinds with `global`
        "CallsOut",  # a project function
        "ReadsInfo",  # pydantic's validation info: other fields
        "Wraps",  # pydantic's handler
        "Before",  # a before-model validator sees the raw input
        "WritesOther",  # writes outside the instance
        "Method",  # any other method: not read
    ],
)
def test_validators_that_call_out_or_read_more_than_their_input_are_not_pure(name):
    assert pure_model_fields(_module(VALIDATED), name) is None


def test_module_constants_are_names_bound_once_and_never_rebound():
    from n1fix.rules.query_in_loop.pure_validators import _module_constants

    module = _module(
        """
        URL = '/a/{id}'
        SIZE = 3
        LIMIT = 10
        LIMIT += 1
        NAME = 'x'
        for NAME in names:
            pass
        PAIR = 'a'
        PAIR, OTHER = 'b', 'c'
        ITEMS = ['a']
        LOCAL = 'a'

        def f():
            LOCAL = 'b'  # a local of f, not the module's
            return LOCAL
        """
    )
    assert _module_constants(module) == {"URL", "SIZE", "LOCAL"}
    starred = _module("URL = '/a'\nfrom settings import *\n")
    assert _module_constants(starred) == set()
