"""The results cache's records as plain JSON values, and back.

The cache lives in the scanned tree, so whoever controls the tree controls its bytes: it
must never be able to run code, as a pickle can. JSON holds only strings, numbers, lists
and objects; decoding builds nothing but the dataclasses listed in `RECORDS`, field by
field, each value checked against the field's annotation (a tuple comes back a tuple, a
set a set, a path a `Path`; a rule's `Facts` are plain JSON and stay as they are). Anything
else raises `Malformed`, and the cache treats the entry as missing.

A record is a list: its class's name, then its fields in order (fields named in
`RECORDS` as left out, such as a finding's plan, come back as their default).
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import operator
import types
import typing
from pathlib import Path
from typing import Any, Callable

from n1fix.engine.survey import Survey
from n1fix.orm.django_facts import (
    DjangoBindingFacts,
    DjangoClassFacts,
    DjangoFieldFacts,
    DjangoManagerFacts,
    DjangoReceiverFacts,
)
from n1fix.orm.functions import QueryFunction
from n1fix.orm.model_facts import (
    AliasFacts,
    ClassFacts,
    ColumnFacts,
    ListenerFacts,
    ModuleFacts,
    RelationshipFacts,
    SessionQueryFacts,
)
from n1fix.orm.normalised_values import NormalisedValueFacts
from n1fix.orm.session_use import Raiser, SessionFactory, SessionUse
from n1fix.rules.base import Facts, Finding

__all__ = ["Malformed", "decoder", "encoder"]

# Every class the cache may hold, with the fields it does not keep.
RECORDS: dict[type, tuple[str, ...]] = {
    Survey: (),
    ClassFacts: (),
    ColumnFacts: (),
    RelationshipFacts: (),
    AliasFacts: (),
    ModuleFacts: (),
    ListenerFacts: (),
    SessionQueryFacts: (),
    NormalisedValueFacts: (),
    DjangoClassFacts: (),
    DjangoFieldFacts: (),
    DjangoManagerFacts: (),
    DjangoReceiverFacts: (),
    DjangoBindingFacts: (),
    QueryFunction: (),
    SessionUse: (),
    SessionFactory: (),
    Raiser: (),
    Finding: ("plan",),  # LibCST nodes: never cached (a cached finding has no fix plan)
}


class Malformed(ValueError):
    """A value does not have the type its field declares."""


Codec = Callable[[Any], Any]
_encoders: dict[Any, Codec] = {}
_decoders: dict[Any, Codec] = {}


def encoder(annotation: Any) -> Codec:
    """A function turning a value of `annotation` into plain JSON values (or raising Malformed)."""
    if annotation not in _encoders:
        _encoders[annotation] = _placeholder(_encoders, annotation)
        _encoders[annotation] = _build(annotation, encode=True)
    return _encoders[annotation]


def decoder(annotation: Any) -> Codec:
    """A function turning what `encoder(annotation)` gave, read back from JSON, into the value."""
    if annotation not in _decoders:
        _decoders[annotation] = _placeholder(_decoders, annotation)
        _decoders[annotation] = _build(annotation, encode=False)
    return _decoders[annotation]


def _placeholder(table: dict, annotation: Any) -> Codec:
    # A record may (in principle) hold itself: look the real codec up when first called.
    return lambda value: table[annotation](value)


_PLAIN = (str, int, bool, type(None))


def _plain_types(annotation: Any) -> frozenset | None:
    """The types a value of `annotation` may have when it is JSON as it is (`str | None`),
    else None: checked with one set lookup instead of a call (decoding a survey is mostly this)."""
    if annotation in _PLAIN:
        return frozenset({annotation})
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        options = typing.get_args(annotation)
        if all(option in _PLAIN for option in options):
            return frozenset(options)
    return None


def _build(annotation: Any, encode: bool) -> Codec:
    plain = _plain_types(annotation)
    if plain is not None:
        return _exact(plain)
    if annotation in RECORDS:
        return _record(annotation, encode)
    if annotation == Facts:
        return _plain_json
    if annotation is Any or annotation is object:
        raise TypeError(f"the cache cannot hold an untyped value ({annotation!r})")
    if annotation is Path:
        return _path(encode)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum(annotation, encode)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return _union(args, encode)
    if origin in (list, set, frozenset):
        return _collection(origin, args[0], encode)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _collection(tuple, args[0], encode)
        return _fixed_tuple(args, encode)
    if origin is dict:
        return _dict(args[0], args[1], encode)
    raise TypeError(f"the cache cannot hold {annotation!r}")


def _codec(annotation: Any, encode: bool) -> Codec:
    return encoder(annotation) if encode else decoder(annotation)


def _exact(kinds: frozenset) -> Codec:
    # `type(...) in`, not isinstance: True is not an int here.
    def same(value: Any) -> Any:
        if type(value) not in kinds:
            raise Malformed(
                f"expected {' or '.join(k.__name__ for k in kinds)}, got {type(value).__name__}"
            )
        return value

    return same


_JSON_LEAVES = frozenset({str, int, bool, type(None)})


def _plain_json(value: Any) -> Any:
    """`value` itself when it is JSON that reads back the same (no tuple, set or float)."""
    kind = type(value)
    if kind is list:
        if not set(map(type, value)) <= _JSON_LEAVES:
            for item in value:
                _plain_json(item)
    elif kind is dict:
        for name, item in value.items():
            if type(name) is not str:
                raise Malformed("a dict key in a rule's facts is not a string")
            _plain_json(item)
    elif kind not in _JSON_LEAVES:
        raise Malformed(f"a rule's facts hold a {kind.__name__}, not plain JSON")
    return value


def _path(encode: bool) -> Codec:
    if encode:

        def to_text(value: Any) -> str:
            if not isinstance(value, Path):
                raise Malformed(f"expected a path, got {type(value).__name__}")
            return str(value)

        return to_text

    # The same few project files are imported everywhere: build each Path once (a Path is
    # immutable, so sharing one is safe; a pickle shared them too).
    made: dict[str, Path] = {}

    def to_path(value: Any) -> Path:
        path = made.get(value) if type(value) is str else None
        if path is None:
            if type(value) is not str:
                raise Malformed(f"expected a path, got {type(value).__name__}")
            path = made[value] = Path(value)
        return path

    return to_path


def _enum(kind: type[enum.Enum], encode: bool) -> Codec:
    if encode:

        def to_value(value: Any) -> Any:
            if not isinstance(value, kind):
                raise Malformed(f"expected {kind.__name__}, got {type(value).__name__}")
            return value.value

        return to_value

    def to_member(value: Any) -> Any:
        try:
            return kind(value)
        except (ValueError, TypeError) as error:
            raise Malformed(f"not a {kind.__name__}: {value!r}") from error

    return to_member


def _union(options: tuple, encode: bool) -> Codec:
    codecs = [_codec(option, encode) for option in options]
    records = {
        option.__name__: codec
        for option, codec in zip(options, codecs)
        if option in RECORDS
    }
    others = [codec for option, codec in zip(options, codecs) if option not in RECORDS]

    def either(value: Any) -> Any:
        if value is None and type(None) in options:
            return None
        if records:
            name = (
                type(value).__name__
                if encode
                else (value[0] if type(value) is list and value else None)
            )
            if type(name) is str and name in records:
                return records[name](value)
        for codec in others:
            try:
                return codec(value)
            except Malformed:
                continue
        raise Malformed(f"{type(value).__name__} is none of {options!r}")

    return either


def _collection(kind: type, item: Any, encode: bool) -> Codec:
    plain = _plain_types(item)
    if plain is not None:
        return _plain_collection(kind, plain, encode)
    pairs = _plain_pairs(item)
    if pairs is not None:
        return _collection_of_plain_tuples(kind, pairs, encode)
    codec = _codec(item, encode)
    if encode:

        def to_list(value: Any) -> list:
            if not isinstance(value, kind):
                raise Malformed(f"expected {kind.__name__}, got {type(value).__name__}")
            return [codec(element) for element in value]

        return to_list

    def from_list(value: Any) -> Any:
        if type(value) is not list:
            raise Malformed(f"expected a list, got {type(value).__name__}")
        return (
            kind(codec(element) for element in value)
            if kind is not list
            else [codec(e) for e in value]
        )

    return from_list


def _plain_pairs(item: Any) -> tuple[int, frozenset] | None:
    """(width, types) for a fixed tuple whose items all have the same plain types
    (`tuple[str, str]`: a module's names, a file's `.a.b` reads), else None."""
    if typing.get_origin(item) is not tuple:
        return None
    args = typing.get_args(item)
    if not args or Ellipsis in args:
        return None
    plains = {_plain_types(arg) for arg in args}
    if len(plains) != 1 or None in plains:
        return None
    return len(args), plains.pop()


def _collection_of_plain_tuples(
    kind: type, pairs: tuple[int, frozenset], encode: bool
) -> Codec:
    width, plain = pairs
    inner = tuple if encode else list

    def convert(value: Any) -> Any:
        if type(value) is not (kind if encode else list):
            raise Malformed(f"expected a {kind.__name__}")
        if value and (
            set(map(type, value)) != {inner}
            or set(map(len, value)) != {width}
            or not set(map(type, itertools.chain.from_iterable(value))) <= plain
        ):
            raise Malformed(f"expected a {kind.__name__} of {width}-tuples")
        return (
            [list(element) for element in value] if encode else kind(map(tuple, value))
        )

    return convert


def _plain_collection(kind: type, plain: frozenset, encode: bool) -> Codec:
    def convert(value: Any) -> Any:
        if (
            type(value) is not (list if not encode else kind)
            or not set(map(type, value)) <= plain
        ):
            raise Malformed(
                f"expected a {kind.__name__} of {' or '.join(k.__name__ for k in plain)}"
            )
        return list(value) if encode or kind is list else kind(value)

    return convert


def _plain_check(positions: list[int], plain_types: list) -> Callable[[list], bool]:
    """Do the values at `positions` all have their plain types?"""
    kinds = [plain_types[i] for i in positions]
    if not positions:
        return lambda values: True
    if len(positions) == 1:
        [only], [allowed] = positions, kinds
        return lambda values: type(values[only]) in allowed
    pick = operator.itemgetter(*positions)
    return lambda values: all(map(operator.contains, kinds, map(type, pick(values))))


def _fixed_tuple(items: tuple, encode: bool) -> Codec:
    plains = [_plain_types(item) for item in items]
    if all(plain is not None for plain in plains):
        width = len(items)

        def plain_tuple(value: Any) -> Any:
            if type(value) is not (tuple if encode else list) or len(value) != width:
                raise Malformed(f"expected a tuple of {width}")
            if not all(map(operator.contains, plains, map(type, value))):
                raise Malformed("a tuple holds a value of the wrong type")
            return list(value) if encode else tuple(value)

        return plain_tuple
    codecs = [_codec(item, encode) for item in items]

    def convert(value: Any) -> Any:
        if type(value) is not (tuple if encode else list) or len(value) != len(codecs):
            raise Malformed(f"expected a tuple of {len(codecs)}")
        converted = [codec(element) for codec, element in zip(codecs, value)]
        return converted if encode else tuple(converted)

    return convert


def _dict(key: Any, item: Any, encode: bool) -> Codec:
    if key is not str:
        raise TypeError(f"the cache keeps only dicts keyed by str, not {key!r}")
    codec = _codec(item, encode)

    def convert(value: Any) -> dict:
        if type(value) is not dict:
            raise Malformed(f"expected a dict, got {type(value).__name__}")
        out = {}
        for name, element in value.items():
            if type(name) is not str:
                raise Malformed("a dict key is not a string")
            out[name] = codec(element)
        return out

    return convert


def _record(cls: type, encode: bool) -> Codec:
    left_out = RECORDS[cls]
    fields = [f for f in dataclasses.fields(cls) if f.name not in left_out]
    if [f.name for f in dataclasses.fields(cls)][: len(fields)] != [
        f.name for f in fields
    ]:
        raise TypeError(
            f"{cls.__name__}: only trailing fields can be left out of the cache"
        )
    hints = typing.get_type_hints(
        cls, include_extras=True
    )  # keeps `Facts` apart from `object`
    names = [f.name for f in fields]
    tag = cls.__name__
    width = len(names) + 1
    # Fields of plain types are checked all at once (one pass in C); the others converted.
    plain_types = [_plain_types(hints[name]) for name in names]
    check = _plain_check(
        [i for i, plain in enumerate(plain_types) if plain is not None], plain_types
    )
    steps = [
        (i, _codec(hints[name], encode))
        for i, name in enumerate(names)
        if plain_types[i] is None
    ]

    def convert_fields(values: list) -> list:
        if not check(values):
            raise Malformed(f"{tag}: a field holds a value of the wrong type")
        for i, codec in steps:
            values[i] = codec(values[i])
        return values

    if encode:

        def to_list(value: Any) -> list:
            if type(value) is not cls:
                raise Malformed(f"expected {tag}, got {type(value).__name__}")
            return [tag, *convert_fields([getattr(value, name) for name in names])]

        return to_list

    def from_list(value: Any) -> Any:
        if type(value) is not list or len(value) != width or value[0] != tag:
            raise Malformed(f"not a {tag} record")
        return cls(*convert_fields(value[1:]))

    return from_list
