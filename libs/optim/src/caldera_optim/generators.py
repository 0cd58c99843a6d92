"""Random graph generators for Max-Cut, MIS and benchmark instances (G-set instance types, made reproducibly).

Each returns the graph as an upper-triangular ``scipy.sparse.csr_matrix`` of
edge weights (``w[i, j]`` with ``i < j``), which ``QUBO.maxcut`` and
``QUBO.mis`` take as they are:

* ``toroidal_grid(rows, cols)``: a 2-D grid with periodic boundaries (every
  node has degree 4), like the G-set's toroidal instances (G48-G50 unit
  weights, G57/G62/... ±1 weights);
* ``planar_graph(n)``: the Delaunay triangulation of ``n`` uniform random
  points in the unit square, a planar graph of about ``3 n`` edges (the
  G-set's "planar" instances, made with rudy, are denser: G14 has 800 nodes
  and 4694 edges, so they are not planar in the strict sense);
* ``random_graph(n, p)``: Erdős–Rényi, like G1-G5 (``p = 0.06``) and G43-G47 (``p = 0.02``).

``weights`` is ``"unit"`` (all 1) or ``"pm1"`` (+1 or -1 with equal probability).
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.errors import ParameterError
from caldera.lazy import lazy_module

sp = lazy_module("scipy.sparse")  # imported on first use (see caldera.lazy)


def _int(fn: str, name: str, v: ty.Any, lo: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        raise ParameterError(f"{fn}: {name} must be an integer >= {lo}, got {v!r}")
    return int(v)


def _edges(fn: str, n: int, i: np.ndarray, j: np.ndarray, weights: str, rng: np.random.Generator) -> sp.csr_matrix:
    if weights not in ("unit", "pm1"):
        raise ParameterError(f"{fn}: weights must be 'unit' or 'pm1', got {weights!r}")
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    key = np.unique(lo.astype(np.int64) * n + hi)  # one edge per pair, in a fixed order
    lo, hi = key // n, key % n
    w = np.ones(lo.size) if weights == "unit" else rng.choice(np.array([-1.0, 1.0]), lo.size)
    return sp.csr_matrix((w, (lo, hi)), shape=(n, n))


def toroidal_grid(rows: int, cols: int, *, weights: str = "pm1", seed: int = 0) -> sp.csr_matrix:
    """A ``rows x cols`` grid with wrap-around edges (node ``r * cols + c``); both sides must be >= 3."""
    rows = _int("toroidal_grid", "rows", rows, 3)
    cols = _int("toroidal_grid", "cols", cols, 3)
    idx = np.arange(rows * cols).reshape(rows, cols)
    i = np.concatenate([idx.ravel(), idx.ravel()])
    j = np.concatenate([np.roll(idx, -1, 0).ravel(), np.roll(idx, -1, 1).ravel()])
    return _edges("toroidal_grid", rows * cols, i, j, weights, np.random.default_rng(seed))


def planar_graph(n: int, *, weights: str = "unit", seed: int = 0) -> sp.csr_matrix:
    """The Delaunay triangulation of ``n`` (>= 3) uniform random points: planar, about ``3 n`` edges."""
    from scipy.spatial import Delaunay

    n = _int("planar_graph", "n", n, 3)
    rng = np.random.default_rng(seed)
    tri = Delaunay(rng.random((n, 2))).simplices
    i = np.concatenate([tri[:, 0], tri[:, 1], tri[:, 2]])
    j = np.concatenate([tri[:, 1], tri[:, 2], tri[:, 0]])
    return _edges("planar_graph", n, i, j, weights, rng)


def random_graph(n: int, p: float, *, weights: str = "unit", seed: int = 0) -> sp.csr_matrix:
    """Erdős–Rényi ``G(n, p)``: each of the ``n (n - 1) / 2`` pairs is an edge with probability ``p``."""
    n = _int("random_graph", "n", n, 1)
    try:
        p = float(p)
    except (TypeError, ValueError):
        raise ParameterError(f"random_graph: p must be a number in [0, 1], got {p!r}") from None
    if not 0.0 <= p <= 1.0:
        raise ParameterError(f"random_graph: p must be in [0, 1], got {p!r}")
    rng = np.random.default_rng(seed)
    m = rng.binomial(n * (n - 1) // 2, p)
    # m distinct pairs, uniformly: sample linear indices of the strict upper triangle without replacement
    k = np.sort(rng.choice(n * (n - 1) // 2, size=m, replace=False)) if m else np.zeros(0, np.int64)
    # invert k = i*n - i*(i+1)/2 + (j - i - 1)
    i = (n - 2 - np.floor(np.sqrt(-8.0 * k + 4.0 * n * (n - 1) - 7) / 2.0 - 0.5)).astype(np.int64)
    j = (k + i + 1 - n * (n - 1) // 2 + (n - i) * ((n - i) - 1) // 2).astype(np.int64)
    return _edges("random_graph", n, i, j, weights, rng)


__all__ = ["toroidal_grid", "planar_graph", "random_graph"]
