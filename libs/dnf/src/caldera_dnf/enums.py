"""Enumerations of the connection operations (lava-dnf's names); strings are accepted too."""

from __future__ import annotations

import enum
import typing as ty


class _NamedEnum(enum.Enum):
    @classmethod
    def coerce(cls, value: ty.Any, what: str) -> ty.Self:
        """Return the member for ``value`` (a member or its name, case-insensitive) or raise naming ``what``."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str) and value.upper() in cls.__members__:
            return cls[value.upper()]
        allowed = ", ".join(repr(n) for n in cls.__members__)
        raise ValueError(f"{what}: expected {cls.__name__} or one of {allowed}, got {value!r}")


class BorderType(_NamedEnum):
    """How ``Convolution`` treats the border of a dimension."""

    PADDED = "PADDED"  #: beyond the border, the kernel's padding value is used
    CIRCULAR = "CIRCULAR"  #: the dimension wraps around (a ring / torus)


class ReduceMethod(_NamedEnum):
    """How ``ReduceDims`` combines the removed dimensions."""

    SUM = "SUM"
    MEAN = "MEAN"


__all__ = ["BorderType", "ReduceMethod"]
