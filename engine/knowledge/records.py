"""Schema items as plain records, so that a knowledge base read back from the cache needs no pydantic.

The loader validates every item into a pydantic model (`engine.knowledge.schema`). Importing
pydantic and building those models' validators takes longer than a warm `crux eval` may take
in all, so the model cache (`engine.site.model_cache`) stores each item as a `Record`: the
model's class and its validated field values, nested items as records too. A record reads its
fields as attributes, as the model does, and a figure's record has the figure's derived
properties (`FigureProperties`, shared with the model). The rest of the pydantic API
(`model_dump`, `model_copy`, `model_fields_set`, ...) is answered by the model, built from the
same values on first use without validating them again: they were valid when the folder was
loaded, and the cache entry is sealed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from engine.knowledge.settings import numeric_setting


class FigureProperties:
    """What a figure derives from its fields: the same for the model and for its record."""

    __slots__ = ()
    if TYPE_CHECKING:  # the fields read, declared for the type checker only (not pydantic fields)
        by: str | None
        choices: tuple[str, ...] | None
        switch: bool
        value: bool | float | str | None

    @property
    def kind(self) -> Literal["number", "switch", "choice", "table"]:
        if self.by is not None:
            return "table"
        if self.choices is not None:
            return "choice"
        return "switch" if self.switch else "number"

    @property
    def options(self) -> tuple[str, ...]:
        """Option names: a choice's names, or ('0', '1') for a switch; empty for numbers."""
        if self.choices is not None:
            return self.choices
        return ("0", "1") if self.switch else ()

    @property
    def setting(self) -> bool | float | str:
        """The value as written (lookup tables have none: the loader replaces them by rows)."""
        assert self.value is not None, "a lookup table has no value of its own"
        return self.value

    def numeric_value(self) -> float:
        """The value as the engine computes with it (a choice becomes its option index)."""
        return numeric_setting(self, self.setting)  # type: ignore[arg-type]


class Record:
    """One validated schema item: its model class's name and its field values."""

    __slots__ = ("_fields_set", "_model", "_model_class", "_values")

    def __init__(
        self, model_class: str, values: Mapping[str, Any], fields_set: frozenset[str]
    ) -> None:
        self._model_class = model_class
        """``module:qualname`` of the pydantic model."""
        self._values = dict(values)
        self._fields_set = fields_set
        """The fields the author wrote (the model's `model_fields_set`)."""
        self._model: Any = None

    def __getattr__(self, name: str) -> Any:
        # Called only when ordinary lookup fails: for a field, or for the pydantic API.
        if name in Record.__slots__:
            raise AttributeError(name)
        values = self._values
        if name in values:
            return values[name]
        if name.startswith("model_"):
            return getattr(self.model(), name)
        raise AttributeError(f"{self._model_class.rpartition(':')[2]} has no field {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in Record.__slots__:
            raise AttributeError(f"a schema item is frozen: cannot set {name!r}")
        object.__setattr__(self, name, value)

    def model(self) -> Any:
        """The pydantic model with these values (built once, not validated again)."""
        if self._model is None:
            module, _, qualname = self._model_class.partition(":")
            model_class = getattr(importlib.import_module(module), qualname)
            values = {name: as_model(value) for name, value in self._values.items()}
            self._model = model_class.model_construct(set(self._fields_set), **values)
        return self._model

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return self._model_class == other._model_class and self._values == other._values
        if hasattr(type(other), "model_fields"):
            return bool(self.model() == other)
        return NotImplemented

    def __hash__(self) -> int:
        # As a frozen model hashes: by its field values (a field holding a dict is unhashable).
        return hash((self._model_class, *self._values.values()))

    def __repr__(self) -> str:
        return repr(self.model())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled without the model built from it: reading the entry back must not need pydantic.
        return (_record, (self._model_class, self._values, self._fields_set))


class FigureRecord(FigureProperties, Record):
    """A figure's record, with the figure's derived properties."""

    __slots__ = ()


_RECORD_CLASSES: dict[str, type[Record]] = {"engine.knowledge.schema:Figure": FigureRecord}


def _record(model_class: str, values: Mapping[str, Any], fields_set: frozenset[str]) -> Record:
    return _RECORD_CLASSES.get(model_class, Record)(model_class, values, fields_set)


def make_record(model_class: str, values: Mapping[str, Any], written: Iterable[str]) -> Record:
    """A record made directly rather than from a model: ``values`` holds every field of
    ``model_class`` (``module:qualname``), already valid; ``written`` are the fields the author
    gave (the model's `model_fields_set`)."""
    return _record(model_class, values, frozenset(written))


def as_record(value: Any) -> Any:
    """``value`` with every pydantic model in it (in tuples, lists and dicts too) as a record."""
    if isinstance(value, Record):
        return value
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        model_class = f"{type(value).__module__}:{type(value).__qualname__}"
        values = {name: as_record(getattr(value, name)) for name in fields}
        return _record(model_class, values, frozenset(value.model_fields_set))
    if isinstance(value, tuple):
        return tuple(as_record(item) for item in value)
    if isinstance(value, list):
        return [as_record(item) for item in value]
    if isinstance(value, dict):
        return {key: as_record(item) for key, item in value.items()}
    return value


def as_model(value: Any) -> Any:
    """``value`` with every record in it as its pydantic model (the inverse of `as_record`)."""
    if isinstance(value, Record):
        return value.model()
    if isinstance(value, tuple):
        return tuple(as_model(item) for item in value)
    if isinstance(value, list):
        return [as_model(item) for item in value]
    if isinstance(value, dict):
        return {key: as_model(item) for key, item in value.items()}
    return value


def field_values(item: Any) -> dict[str, Any]:
    """A schema item's field values, the same for a pydantic model and for its record (nested
    items as records), so that a fingerprint of a freshly loaded knowledge base and of the cached
    one agree, and computing it needs no pydantic. `json_default` writes the nested records."""
    record = as_record(item)
    return dict(record._values)


def json_default(value: Any) -> Any:
    """For `json.dumps(default=...)`: a record as its field values, anything else as text."""
    return dict(value._values) if isinstance(value, Record) else str(value)
