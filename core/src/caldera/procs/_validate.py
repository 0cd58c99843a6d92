"""Small checks shared by the standard process definitions."""

from __future__ import annotations

import typing as ty

import numpy as np

from caldera.errors import ParameterError
from caldera.variable import SHAPE_RULE, normalize_shape


def shape_of(proc: str, shape: ty.Any) -> tuple[int, ...]:
    """A population's shape: the one shape rule (caldera.variable.normalize_shape), and not a scalar."""
    s = normalize_shape(shape, f"{proc}: shape")
    if len(s) == 0:
        raise ParameterError(f"{proc}: shape must be {SHAPE_RULE}, with at least one dimension; got {shape!r}")
    return s


def numeric(proc: str, name: str, value: ty.Any, shape: tuple[int, ...] | None = None) -> ty.Any:
    """Check that ``value`` is numeric (and, with ``shape``, broadcastable to it)."""
    if hasattr(value, "tocsr"):
        return value
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise ParameterError(f"{proc}: {name} must be numeric, got {value!r}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{proc}: {name} must be finite, got {value!r}")
    if shape is not None and arr.ndim > 0:
        try:
            np.broadcast_to(arr, shape)
        except ValueError:
            raise ParameterError(
                f"{proc}: {name} of shape {arr.shape} does not fit the population shape {shape}"
            ) from None
    return value


def scalar(proc: str, name: str, value: ty.Any) -> ty.Any:
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise ParameterError(f"{proc}: {name} must be a single number, got {value!r}")
    if not np.isfinite(arr).all():
        raise ParameterError(f"{proc}: {name} must be finite, got {value!r}")
    return value


def uniform(proc: str, name: str, value: ty.Any) -> ty.Any:
    """A single number, or an array whose elements are all equal (what Lava scripts pass for a population-wide
    parameter, e.g. ``du=np.full(n, 409)``), returned as that number; different values are an error."""
    arr = np.asarray(value)
    if arr.ndim == 0 or arr.size == 1:
        return scalar(proc, name, value)
    if arr.dtype.kind not in "biuf" or arr.size == 0:
        raise ParameterError(f"{proc}: {name} must be a number, got {value!r}")
    first = arr.reshape(-1)[0]
    if not np.all(arr == first):
        raise ParameterError(
            f"{proc}: {name} must be a single number for the whole population (an array is accepted only when "
            f"all its elements are equal; got {value!r}); split the population into processes with one value each"
        )
    return scalar(proc, name, first.item())


def per_neuron(proc: str, name: str, value: ty.Any, shape: tuple[int, ...]) -> ty.Any:
    """A population-wide parameter or one value per neuron (what Lava's LIF models accept for ``du``, ``dv``
    and ``vth``): a single number (or a one-element array) is returned as given; an array must fit the
    population ``shape`` and is returned broadcast to it (a copy)."""
    arr = np.asarray(value)
    if arr.size == 1:
        return scalar(proc, name, value)
    if arr.size == 0 or arr.dtype.kind not in "biuf":
        raise ParameterError(f"{proc}: {name} must be a number or one number per neuron, got {value!r}")
    numeric(proc, name, value, shape)
    return np.array(np.broadcast_to(arr, shape))


def integer(proc: str, name: str, value: ty.Any, lo: int | None = None, hi: int | None = None) -> int:
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf" or float(arr.reshape(-1)[0]) != int(arr.reshape(-1)[0]):
        raise ParameterError(f"{proc}: {name} must be an integer, got {value!r}")
    v = int(arr.reshape(-1)[0])
    if lo is not None and v < lo or hi is not None and v > hi:
        rng = f"{lo if lo is not None else '-inf'}..{hi if hi is not None else 'inf'}"
        raise ParameterError(f"{proc}: {name}={v} is outside {rng}")
    return v


def matrix(proc: str, name: str, value: ty.Any) -> ty.Any:
    if hasattr(value, "tocsr"):
        if value.ndim != 2:
            raise ParameterError(f"{proc}: {name} must be a 2-D matrix")
        return value
    arr = np.asarray(value)
    if arr.ndim != 2:
        raise ParameterError(f"{proc}: {name} must be a 2-D matrix (num_out, num_in), got shape {arr.shape}")
    numeric(proc, name, arr)
    return arr
