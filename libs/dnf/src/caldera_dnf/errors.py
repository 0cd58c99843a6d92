"""Errors of caldera-dnf; both are ``caldera.ParameterError`` (a ``ValueError``)."""

from __future__ import annotations

from caldera.errors import ParameterError


class MisconfiguredOpError(ParameterError):
    """An operation cannot be applied to the shape it receives in a ``connect`` chain."""


class MisconfiguredConnectError(ParameterError):
    """The chain of operations does not lead from the source shape to the destination shape."""


__all__ = ["MisconfiguredOpError", "MisconfiguredConnectError"]
