"""What one file's check read from the rest of the project, and whether it still reads
the same: the results cache keeps a file's findings with its reads, so that a change to
one model re-checks the files that asked about that model, not every file.

A check sees the project through its `ProjectContext`: the three indexes (models,
functions, session use), other files' text (`read_module`), the batch-variant memo, and,
through `n1fix.orm.imports`, which project file a module name resolves to and what such
a file defines. While a file is checked, each of these is wrapped so that every read is
noted with a digest of its answer:

- a method call on an index, with plain arguments (strings, numbers, a dict of strings)
  or values the index holds (a function, named as the index knows it: `reference`):
  the method, the arguments and a digest of the answer; replayed on the new index;
- anything else read from an index (a dict it holds, a call with other arguments): the
  whole index, keyed by its fingerprint;
- a hit in the batch-variant memo (a plan another file's check made, from reads that
  this file did not make): the whole project;
- a module resolved to a file: the module, where from, and the file found (or none);
- another file read or parsed: its content hash (a module another rule's question needs,
  such as the serializers a Django REST framework view names: `FileContext.project_module`);
- a module read to plan code in it (`read_module`: the callee's module of a batch
  method): its content hash and a digest of what `read_module` gave, which leaves out
  the comment lines after the module's last line of code; when the content changed,
  the replay asks `read_module` again, so a comment added at the end of the module does
  not re-check the files whose plans read it;
- a fact of the project read from files that are not modules (`PROJECT_FACTS`: does it
  install psycopg 2, from its dependency files): a digest of the answer, which the replay
  asks again of today's files.

Unknown is a miss: an answer that cannot be digested (not plain data) makes the whole
index the key. The cached findings are reused when every noted read gives the same
answer today.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import json
from pathlib import Path
from typing import Any, Callable

from n1fix.orm import imports as orm_imports

INDEXES = ("models", "functions", "session_use")
# An argument noted by the name its index knows it by (see `_referenced_args`).
REF = "$ref"
EVERYTHING = "project"  # in `whole`: every index, every file
# What `file_digest` gives for a path outside the project (which is not read).
OUTSIDE = "outside the project"
# The project facts a check may note (`n1fix.orm.imports.note_fact`), by name: the
# function of the project's root that answers it, as module and name (imported when a
# cached check's read is replayed).
PROJECT_FACTS = {
    "declares_psycopg2": ("n1fix.sql.drivers", "declares_psycopg2"),
    # where a Django project's templates are looked up (settings' DIRS, apps' folders)
    "template_places": (
        "n1fix.orm.django_template_places",
        "places_fact",
    ),
    "schema_indexes": ("n1fix.sql.schema_files", "schema_indexes"),
}


class Unstable(Exception):
    """A value with no stable digest (not plain data)."""


def stable(value: Any) -> str:
    """A text that is equal for equal plain data, across processes and runs."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, Path):
        return f"Path({str(value)!r})"
    if isinstance(value, (tuple, list)):
        inner = ",".join(stable(item) for item in value)
        return f"{type(value).__name__}[{inner}]"
    if isinstance(value, (set, frozenset)):
        return "set{" + ",".join(sorted(stable(item) for item in value)) + "}"
    if isinstance(value, dict):
        items = sorted(f"{stable(k)}:{stable(v)}" for k, v in value.items())
        return "dict{" + ",".join(items) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(
            f"{field.name}={stable(getattr(value, field.name))}"
            for field in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({fields})"
    raise Unstable(type(value).__name__)


def digest(value: Any) -> str:
    return hashlib.blake2b(stable(value).encode(), digest_size=12).hexdigest()


def _plain_args(args: tuple, kwargs: dict) -> bool:
    def plain(value: Any) -> bool:
        if value is None or isinstance(value, (bool, int, str)):
            return True
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )

    return all(map(plain, args)) and all(map(plain, kwargs.values()))


def _referenced_args(index: Any, args: tuple) -> tuple | None:
    """`args` with each value the index itself holds (a function `effects()` is asked
    about) as `[REF, name]`, the name the index knows it by (`index.reference`); None
    when a value is neither plain nor the index's."""
    reference = getattr(index, "reference", None)
    noted = []
    for value in args:
        if value is None or isinstance(value, (bool, int, str, dict)):
            noted.append(value)
            continue
        name = reference(value) if reference is not None else None
        if type(name) is not str:
            return None
        noted.append([REF, name])
    return tuple(noted)


def _plain_or_referenced(args: tuple, kwargs: dict) -> bool:
    return _plain_args(tuple(None if _is_ref(a) else a for a in args), kwargs)


def _is_ref(value: Any) -> bool:
    return (
        type(value) is list
        and len(value) == 2
        and value[0] == REF
        and type(value[1]) is str
    )


def _replayable(method: str) -> bool:
    """A method a cache entry may name for replay: public ones only (the cache sits in
    the scanned tree; an entry naming `__init__` must not re-make the index)."""
    return method.isidentifier() and not method.startswith("_")


@dataclasses.dataclass
class FileReads:
    """The reads of one file's check (plain JSON when saved)."""

    # index name -> JSON of [method, args, kwargs] -> digest of the answer
    calls: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    whole: set[str] = dataclasses.field(default_factory=set)
    # JSON of [module, root, near] -> the file found, or None
    resolved: dict[str, str | None] = dataclasses.field(default_factory=dict)
    files: set[str] = dataclasses.field(default_factory=set)  # other files read
    # path -> digest of `read_module`'s answer (a module read to plan code in it)
    modules: dict[str, str] = dataclasses.field(default_factory=dict)
    # JSON of [fact, root] -> digest of the answer
    facts: dict[str, str] = dataclasses.field(default_factory=dict)

    def to_json(self, file_digest: Callable[[str], str]) -> dict:
        return {
            "calls": self.calls,
            "whole": sorted(self.whole),
            "resolved": self.resolved,
            "files": {path: file_digest(path) for path in sorted(self.files)},
            "modules": {
                path: [file_digest(path), answer]
                for path, answer in sorted(self.modules.items())
            },
            "facts": self.facts,
        }


class _Digests:
    """Digests of the answers one check is given, remembered by identity: a check asks
    about the same few models again and again (pretix's `orders.py`: 223 `model_for`
    calls), and digesting a model walks all of its fields. The indexes are not changed
    while a file is checked (the replay remembers its digests the same way), and each
    answer is kept, so that its id is not reused."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, str]] = {}

    def __call__(self, value: Any) -> str:
        if value is None or isinstance(value, (bool, int, str)):
            return digest(value)
        known = self._known.get(id(value))
        if known is None:
            known = self._known[id(value)] = (value, digest(value))
        return known[1]


class _RecordedIndex:
    """An index as one check sees it: every read noted in `reads`."""

    def __init__(
        self, name: str, index: Any, reads: FileReads, digests: _Digests
    ) -> None:
        self._name, self._index, self._reads = name, index, reads
        self._digest = digests

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._index, attr)
        if not callable(value) or not _replayable(attr):
            self._reads.whole.add(self._name)
            return value

        def call(*args, **kwargs):
            answer = value(*args, **kwargs)
            self._note(attr, args, kwargs, answer)
            return answer

        return call

    def _note(self, method: str, args: tuple, kwargs: dict, answer: Any) -> None:
        args = _referenced_args(self._index, args)
        if args is None or not _plain_or_referenced(args, kwargs):
            self._reads.whole.add(self._name)
            return
        try:
            answer_digest = self._digest(answer)
        except Unstable:
            self._reads.whole.add(self._name)
            return
        key = json.dumps([method, list(args), kwargs], sort_keys=True)
        self._reads.calls.setdefault(self._name, {})[key] = answer_digest

    def __contains__(self, item: object) -> bool:
        answer = item in self._index
        self._note("__contains__", (item,), {}, answer)
        return answer

    def __bool__(self) -> bool:
        answer = bool(self._index)
        self._note("__bool__", (), {}, answer)
        return answer

    def __len__(self) -> int:
        self._reads.whole.add(self._name)
        return len(self._index)

    def __iter__(self):
        self._reads.whole.add(self._name)
        return iter(self._index)


class _RecordedMemo:
    """The batch-variant memo: a hit holds a plan another file's check made, from reads
    that this file did not make, so a hit makes the whole project the key. A miss is
    planned by this check, its reads noted as it makes them."""

    def __init__(self, memo: dict, reads: FileReads) -> None:
        self._memo, self._reads = memo, reads

    def get(self, key, default=None):
        if key in self._memo:
            self._reads.whole.add(EVERYTHING)
        return self._memo.get(key, default)

    def __getitem__(self, key):
        self._reads.whole.add(EVERYTHING)
        return self._memo[key]

    def __setitem__(self, key, value) -> None:
        self._memo[key] = value

    def __contains__(self, key) -> bool:
        found = key in self._memo
        if found:
            self._reads.whole.add(EVERYTHING)
        return found


class _Observer:
    """What `n1fix.orm.imports` tells about the files a check looks for and reads."""

    def __init__(self, reads: FileReads) -> None:
        self.reads = reads

    def resolved(
        self, module: str, root: Path, near: Path | None, found: Path | None
    ) -> None:
        key = json.dumps([module, str(root), None if near is None else str(near)])
        self.reads.resolved[key] = None if found is None else str(found)

    def read(self, path: Path) -> None:
        self.reads.files.add(str(path))

    def fact(self, name: str, root: Path, answer: Any) -> None:
        key = json.dumps([name, str(root)])
        try:
            self.reads.facts[key] = digest(answer)
        except Unstable:
            self.reads.whole.add(EVERYTHING)


def recording(project, reads: FileReads):
    """`project` as one file's check sees it, its reads noted in `reads`."""
    digests = _Digests()
    changes: dict[str, Any] = {
        name: _RecordedIndex(name, getattr(project, name), reads, digests)
        for name in INDEXES
        if getattr(project, name) is not None
    }
    changes["variants"] = _RecordedMemo(project.variants, reads)
    # A dialect that reads the models itself (Django's) asks them through the recorded
    # index too.
    with_models = getattr(project.orm, "with_models", None)
    if with_models is not None and "models" in changes:
        changes["orm"] = with_models(changes["models"])
    if project.read_module is not None:
        read_module = project.read_module

        def read(path: Path):
            answer = read_module(path)
            _note_module(reads, digests, str(path), answer)
            return answer

        changes["read_module"] = read
    return dataclasses.replace(project, **changes)


def _note_module(reads: FileReads, digests: _Digests, path: str, answer: Any) -> None:
    """Note what `read_module` gave for `path`; the whole file when the answer has no
    digest, or when the check was given two answers for it (the file changed while it
    ran)."""
    try:
        answer_digest = digests(answer)
    except Unstable:
        reads.files.add(path)
        return
    if reads.modules.setdefault(path, answer_digest) != answer_digest:
        reads.files.add(path)


class observing:
    """While checking one file: `n1fix.orm.imports` notes its resolutions and reads."""

    def __init__(self, reads: FileReads) -> None:
        self.observer = _Observer(reads)

    def __enter__(self) -> None:
        orm_imports.set_observer(self.observer)

    def __exit__(self, *exc) -> None:
        orm_imports.set_observer(None)


def fact_digest(key: str, project_root: Path) -> str | None:
    """Today's answer to a noted project fact (`_Observer.fact`'s key); None (a miss) for
    a fact not in `PROJECT_FACTS` or of another root than the project's (a crafted
    entry). Raises what `json.loads` and the fact raise on a malformed key."""
    name, root = json.loads(key)
    if name not in PROJECT_FACTS or Path(root) != Path(project_root):
        return None
    module, function = PROJECT_FACTS[name]
    ask = getattr(importlib.import_module(module), function)
    return digest(ask(Path(root)))


class Replay:
    """Do a cached check's reads give the same answers on today's project? One per run:
    answers are remembered, since many files ask the same questions."""

    def __init__(self, project, file_digest: Callable[[str], str]) -> None:
        self.project = project
        self.file_digest = file_digest
        self._fingerprints: dict[str, str] = {}
        self._answers: dict[tuple[str, str], str | None] = {}
        self._resolved: dict[str, str | None] = {}
        self._facts: dict[str, str | None] = {}
        self._modules: dict[str, str | None] = {}
        # Many calls answer with the same object (a model): digested once.
        self._digest = _Digests()

    def still_hold(self, reads: Any) -> bool:
        try:
            return self._still_hold(reads)
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
            return False  # a malformed record: a miss

    def _still_hold(self, reads: dict) -> bool:
        if reads["whole_key"] != self.whole_key(reads):
            return False
        for name, calls in reads["calls"].items():
            if name not in INDEXES:
                return False
            for key, answer in calls.items():
                if self._answer(name, key) != answer:
                    return False
        for key, found in reads["resolved"].items():
            if self._resolve(key) != found:
                return False
        for path, file_digest in reads["files"].items():
            if self.file_digest(path) != file_digest:
                return False
        for path, (file_digest, answer) in reads["modules"].items():
            if self.file_digest(path) != file_digest and self._module(path) != answer:
                return False
        for key, answer in reads["facts"].items():
            if self._fact(key) != answer:
                return False
        return True

    def _answer(self, name: str, key: str) -> str | None:
        if (name, key) not in self._answers:
            index = getattr(self.project, name)
            method, args, kwargs = json.loads(key)
            try:
                if method == "__contains__":
                    answer = digest(args[0] in index)
                elif method == "__bool__":
                    answer = digest(bool(index))
                elif not _replayable(method):
                    answer = None
                else:
                    args = self._dereferenced(index, args)
                    answer = (
                        None
                        if args is None
                        else self._digest(getattr(index, method)(*args, **kwargs))
                    )
            except Unstable:
                answer = None
            self._answers[(name, key)] = answer
        return self._answers[(name, key)]

    @staticmethod
    def _dereferenced(index: Any, args: list) -> list | None:
        """The noted arguments with each `[REF, name]` looked up in today's index;
        None when one is not there (or the index gives none by name)."""
        if not any(_is_ref(arg) for arg in args):
            return args
        referenced = getattr(index, "referenced", None)
        if referenced is None:
            return None
        values = []
        for arg in args:
            if _is_ref(arg):
                arg = referenced(arg[1])
                if arg is None:
                    return None
            values.append(arg)
        return values

    def _module(self, path: str) -> str | None:
        """A digest of what `read_module` gives for `path` today; None (a miss) for a
        path outside the project (only a crafted entry names one: it is not read)."""
        if path not in self._modules:
            read_module = self.project.read_module
            answer = None
            if read_module is not None and self.file_digest(path) != OUTSIDE:
                try:
                    answer = self._digest(read_module(Path(path)))
                except (Unstable, OSError):
                    pass  # a miss
            self._modules[path] = answer
        return self._modules[path]

    def _fact(self, key: str) -> str | None:
        if key not in self._facts:
            self._facts[key] = fact_digest(key, self.project.root)
        return self._facts[key]

    def _resolve(self, key: str) -> str | None:
        if key not in self._resolved:
            module, root, near = json.loads(key)
            found = orm_imports.resolve_module_path(
                module, Path(root), near=None if near is None else Path(near)
            )
            self._resolved[key] = None if found is None else str(found)
        return self._resolved[key]

    def whole_key(self, reads: dict) -> str:
        """The fingerprints of the indexes read whole (all of them for the project)."""
        whole = reads["whole"]
        if not set(whole) <= {*INDEXES, EVERYTHING}:
            raise ValueError(f"unknown index in {whole}")
        names = INDEXES if EVERYTHING in whole else sorted(whole)
        return ":".join(f"{name}={self._fingerprint(name)}" for name in names)

    def _fingerprint(self, name: str) -> str:
        if name not in self._fingerprints:
            index = getattr(self.project, name)
            self._fingerprints[name] = "" if index is None else index.fingerprint()
        return self._fingerprints[name]
