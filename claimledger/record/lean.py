"""Slotted model classes that pickle quickly: a dataset holds hundreds of thousands of small objects."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def lean(cls: type[T]) -> type[T]:
    """``cls``, a frozen dataclass with ``slots=True`` (no ``__dict__`` per object), pickled as the tuple of
    its field values, read in C and set through its slots: items travel from the worker processes and
    through the item cache this way. Dataclasses' own pickling of such a class looks up its fields for
    every object it pickles or unpickles."""
    if not hasattr(cls, "__slots__") or not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a slotted dataclass")
    names = tuple(f.name for f in dataclasses.fields(cls))
    getter = operator.attrgetter(*names)
    values: Callable[[Any], tuple[Any, ...]] = getter if len(names) > 1 else lambda item: (getter(item),)
    setters = tuple(getattr(cls, name).__set__ for name in names)  # the slots themselves, past the frozen guard

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return values(self)

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for set_slot, value in zip(setters, state, strict=True):
            set_slot(self, value)

    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    return cls
