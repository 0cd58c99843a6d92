"""Sampled Gaussians, the building block of kernels and input patterns.

lava-dnf compatibility: the ``stddev`` argument is used as the *variance* of
each dimension (lava-dnf passes it as the covariance of a normal density),
and the Gaussian is normalized so that its largest sample equals
``amplitude``. Both are kept so that parameters mean what they mean there.
"""

from __future__ import annotations

import typing as ty

import numpy as np


def _per_dim(name: str, value: ty.Any, ndim: int, default: float) -> np.ndarray:
    if value is None:
        return np.full(ndim, default, dtype=float)
    arr = np.asarray(value, dtype=float).reshape(-1)
    if arr.size == 1 and ndim != 1:
        arr = np.full(ndim, arr[0])
    if arr.shape != (ndim,):
        raise ValueError(f"gauss: <{name}> needs one value per dimension ({ndim}), got {np.shape(value)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"gauss: <{name}> must be finite, got {value!r}")
    return arr


def gauss(
    shape: tuple[int, ...], domain: ty.Any = None, amplitude: float = 1.0, mean: ty.Any = None, stddev: ty.Any = None
) -> np.ndarray:
    """Sample a Gaussian on a grid of ``shape`` points, scaled so that its maximum sample is ``amplitude``.

    ``domain`` (shape ``(ndim, 2)``) gives the first and last coordinate per dimension (sampled with
    ``linspace``); without it the coordinates are the indices ``0..n-1``. ``mean`` defaults to 0 and
    ``stddev`` (used as the variance, as in lava-dnf) to 1.
    """
    shape = tuple(int(s) for s in shape)
    ndim = len(shape)
    if ndim == 0 or any(s < 1 for s in shape):
        raise ValueError(f"gauss: <shape> must have at least one dimension of size >= 1, got {shape}")
    if domain is None:
        dom = np.zeros((ndim, 2))
        dom[:, 1] = np.array(shape) - 1
    else:
        dom = np.asarray(domain, dtype=float)
        if dom.shape != (ndim, 2):
            raise ValueError(f"gauss: <domain> must have shape ({ndim}, 2), got {dom.shape}")
    mean_ = _per_dim("mean", mean, ndim, 0.0)
    var = _per_dim("stddev", stddev, ndim, 1.0)
    if np.any(var <= 0):
        raise ValueError(f"gauss: <stddev> (used as variance) must be > 0, got {stddev!r}")
    q = np.zeros(shape)
    for i, n in enumerate(shape):
        x = np.linspace(dom[i, 0], dom[i, 1], n)
        axis_shape = [1] * ndim
        axis_shape[i] = n
        q = q + ((x - mean_[i]) ** 2 / var[i]).reshape(axis_shape)
    g = np.exp(-0.5 * (q - q.min()))
    return amplitude * g / g.max()


__all__ = ["gauss"]
