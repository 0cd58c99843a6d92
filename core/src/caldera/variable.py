"""``Var``: a named piece of process state, readable and writable between runs as a whole array."""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError

if ty.TYPE_CHECKING:
    from caldera.process import Process


def is_sparse(value: ty.Any) -> bool:
    """Whether ``value`` is a scipy sparse matrix or array, told by its methods: scipy is never imported."""
    return hasattr(value, "tocsr") and hasattr(value, "nnz")


SHAPE_RULE = "an int or a tuple of ints, each size at least 1"


def _all_finite(value: ty.Any) -> bool:
    """No NaN or infinity among the numbers of ``value`` (dense or sparse); non-numeric values count as finite."""
    data = value.data if is_sparse(value) else np.asarray(value)
    if data.dtype.kind not in "fc":
        return True
    return bool(np.all(np.isfinite(data)))


def normalize_shape(shape: ty.Any, what: str = "shape") -> tuple[int, ...]:
    """Turn an int or a sequence of ints into a shape tuple, or raise naming ``what``.

    The one rule for every shape (Vars, ports, processes, reshapes): sizes are
    integers of at least 1 (``()`` is a scalar); a zero or negative size is an
    error with the same message wherever it is given.
    """
    given = shape
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        out = tuple(int(s) for s in shape)
        ok = all(float(s) == int(s) and not isinstance(s, bool) for s in shape)
    except (TypeError, ValueError):
        raise ParameterError(f"{what} must be {SHAPE_RULE}; got {given!r}") from None
    if not ok or any(s < 1 for s in out):
        raise ParameterError(f"{what} must be {SHAPE_RULE}; got {given!r}")
    return out


class Var:
    """State of a process: declared in the process's ``__init__``, materialised by its model.

    Before a run ``get()``/``set()`` read and change the initial value; once the
    network is compiled they read and change the model's state, keeping the
    model's dtype. Writes are validated first, so a rejected write changes nothing.
    """

    def __init__(self, shape: ty.Any, init: ty.Any = 0, shareable: bool = True, name: str = "Unnamed variable") -> None:
        self.shape = normalize_shape(shape, "Var shape")
        if not is_sparse(init):
            arr = np.asarray(init)
            if arr.shape != self.shape:
                try:
                    np.broadcast_to(arr, self.shape)
                except ValueError:
                    raise ParameterError(
                        f"Var {name!r}: init of shape {arr.shape} does not fit the Var's shape {self.shape}"
                    ) from None
        elif tuple(init.shape) != self.shape:
            raise ParameterError(f"Var {name!r}: sparse init of shape {init.shape} does not fit {self.shape}")
        self.init = init
        #: declared with finite numbers only (what the standard processes' constructors check): ``set`` then
        #: refuses NaN and infinities too, before and after compilation
        self.finite = _all_finite(init)
        self.shareable = shareable
        self.name = name
        self.process: Process | None = None
        self.aliased_var: Var | None = None
        #: RefPorts connected to this Var (so a network can be found from either side)
        self.referrers: list = []
        #: set() was called before compilation: an alias made later forwards the value
        self._user_set = False

    # -- identity ---------------------------------------------------------------------------
    @property
    def qualified_name(self) -> str:
        pname = self.process.name if self.process is not None else "?"
        return f"{pname}.{self.name}"

    def __repr__(self) -> str:
        return f"Var({self.qualified_name}, shape={self.shape})"

    def alias(self, other: Var) -> None:
        """Make this (parent) Var read and write ``other`` (a child's Var) once compiled."""
        if not isinstance(other, Var):
            raise TypeError(f"Var.alias expects a Var, got {type(other).__name__}")
        if other.shape != self.shape:
            raise ParameterError(
                f"cannot alias {self.qualified_name} (shape {self.shape}) to "
                f"{other.qualified_name} (shape {other.shape})"
            )
        self.aliased_var = other
        if self._user_set:  # a value set() before compilation must not be lost behind the alias
            other.set(self.init)

    def resolve(self) -> Var:
        """The Var that actually holds the state (following aliases)."""
        var = self
        seen = set()
        while var.aliased_var is not None:
            if id(var) in seen:
                raise ParameterError(f"alias cycle through {self.qualified_name}")
            seen.add(id(var))
            var = var.aliased_var
        return var

    # -- values -----------------------------------------------------------------------------
    def init_value(self) -> ty.Any:
        """The initial value as a fresh array of the Var's shape (sparse stays sparse)."""
        if is_sparse(self.init):
            return self.init.copy()
        return np.array(np.broadcast_to(np.asarray(self.init), self.shape))

    def _runtime(self):
        proc = self.process
        return None if proc is None else proc._runtime

    def get(self, idx: ty.Any = None) -> ty.Any:
        """Current value as a whole array (a copy), in the dtype the model stores it."""
        target = self.resolve()
        rt = target._runtime()
        if rt is not None and rt.has_var(target):
            value = rt.get_var(target)
        else:
            value = target.init_value()
        if idx is not None and not is_sparse(value):
            return value[idx]
        return value

    def set(self, value: ty.Any, idx: ty.Any = None) -> None:
        """Replace the value. The shape must match (a scalar fills the Var); nothing changes on error."""
        target = self.resolve()
        if idx is not None:
            full = target.get()
            full[idx] = value
            value = full
        if is_sparse(value):
            if tuple(value.shape) != target.shape:
                raise ParameterError(
                    f"Var {target.qualified_name}: expected shape {target.shape}, got {tuple(value.shape)}"
                )
        else:
            arr = np.asarray(value)
            if arr.shape != target.shape and arr.ndim != 0:
                raise ParameterError(
                    f"Var {target.qualified_name}: expected an array of shape {target.shape}, "
                    f"got shape {arr.shape}; the value was not changed"
                )
            if arr.dtype.kind == "c" and not np.iscomplexobj(target.get()):
                raise ParameterError(
                    f"Var {target.qualified_name}: expected real numbers (the Var holds real values), got complex "
                    "ones; the value was not changed"
                )
            if arr.dtype.kind not in "biufc":
                raise ParameterError(f"Var {target.qualified_name}: expected numbers, got dtype {arr.dtype}")
            value = np.array(np.broadcast_to(arr, target.shape))
        if target.finite and not _all_finite(value):
            raise ParameterError(
                f"Var {target.qualified_name}: values must be finite (the process was created with finite ones); "
                "got NaN or infinity; the value was not changed"
            )
        rt = target._runtime()
        if rt is not None and rt.has_var(target):
            rt.set_var(target, value)
        else:
            target.init = value
            target._user_set = True


__all__ = ["Var", "normalize_shape", "SHAPE_RULE"]
