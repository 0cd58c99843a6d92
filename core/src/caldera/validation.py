"""Checks of the values a process model receives, at compile time and on ``Var.set``.

One place for the rules that both the compiler (building a model from a
process's initial values) and the runtime (a ``Var.set`` between runs) apply,
so that a value refused by one is refused by the other with the same message.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.variable import is_sparse

if ty.TYPE_CHECKING:
    from caldera.process import Process


def check_range(model_cls: type, proc: Process, name: str, value: ty.Any) -> None:
    """Raise :class:`ParameterError` when ``value`` leaves ``model_cls.param_ranges[name]``.

    ``param_ranges`` maps a Var name to ``(lo, hi, description)``; fixed-point
    models use it for Loihi's bit widths. Names without a range pass.
    """
    ranges = getattr(model_cls, "param_ranges", None) or {}
    if name not in ranges or value is None:
        return
    lo, hi, desc = ranges[name]
    vals = value.data if is_sparse(value) else np.asarray(value)
    if vals.size == 0:
        return
    vmin, vmax = np.min(vals), np.max(vals)
    if vmin < lo or vmax > hi:
        bad = vmin if vmin < lo else vmax
        bad = bad.item() if isinstance(bad, np.generic) else bad  # 5000, not np.int64(5000)
        raise ParameterError(
            f"{type(proc).__name__} {proc.name!r}: {name}={bad!r} is outside {lo}..{hi} ({desc}) "
            f"for the model {model_cls.__name__} (tag {', '.join(model_cls.tags) or '-'})"
        )


__all__ = ["check_range"]
