"""Graph generators: the graphs they promise (degrees, planarity, edge counts), reproducible, bad input named."""

from __future__ import annotations

import numpy as np
import pytest
from caldera.errors import ParameterError
from caldera_optim import QUBO
from caldera_optim.generators import planar_graph, random_graph, toroidal_grid


def _sym(w):
    return (w + w.T).tocsr()


@pytest.mark.parametrize("rows, cols", [(3, 3), (4, 7), (10, 10)])
def test_toroidal_grid_is_4_regular_with_pm1_weights(rows, cols):
    w = toroidal_grid(rows, cols, seed=1)
    n = rows * cols
    assert w.shape == (n, n) and w.nnz == 2 * n
    coo = w.tocoo()
    assert np.all(coo.row < coo.col)
    assert set(np.unique(w.data)) <= {-1.0, 1.0}
    deg = np.diff(_sym(abs(w)).indptr)
    np.testing.assert_array_equal(deg, 4)
    # node (r, c) is joined to (r+1, c) and (r, c+1), wrapping around
    a = _sym(abs(w)).toarray()
    assert a[0, cols] == 1 and a[0, 1] == 1 and a[0, (rows - 1) * cols] == 1 and a[0, cols - 1] == 1


def test_unit_torus_of_even_sides_is_bipartite_so_every_edge_is_cut():
    prob = QUBO.maxcut(toroidal_grid(4, 6, weights="unit"))
    r, c = np.divmod(np.arange(24), 6)
    assert prob.cut_value((r + c) % 2) == 48


def test_planar_graph_obeys_eulers_bound_and_is_connected():
    from scipy.sparse.csgraph import connected_components

    for n in (3, 10, 200):
        w = planar_graph(n, seed=n)
        assert n - 1 <= w.nnz <= 3 * n - 6 + (n == 3)  # a triangulation: connected, at most 3n - 6 edges
        assert connected_components(_sym(w))[0] == 1
        np.testing.assert_array_equal(w.data, 1.0)


def test_random_graph_edge_count_and_reproducibility():
    w = random_graph(300, 0.1, seed=4)
    m = 300 * 299 / 2
    assert abs(w.nnz - 0.1 * m) < 5 * np.sqrt(m * 0.1 * 0.9)
    assert random_graph(12, 1.0).nnz == 66 and random_graph(12, 0.0).nnz == 0
    coo = w.tocoo()
    assert np.all(coo.row < coo.col)
    assert (random_graph(300, 0.1, seed=4) != w).nnz == 0
    assert (random_graph(300, 0.1, seed=5) != w).nnz > 0


@pytest.mark.parametrize(
    "call, msg",
    [
        (lambda: toroidal_grid(2, 5), "rows"),
        (lambda: toroidal_grid(5, 2.5), "cols"),
        (lambda: planar_graph(2), "n"),
        (lambda: random_graph(10, 1.5), "p"),
        (lambda: random_graph(10, "x"), "p"),
        (lambda: toroidal_grid(4, 4, weights="gauss"), "weights"),
    ],
)
def test_bad_generator_arguments(call, msg):
    with pytest.raises(ParameterError, match=msg):
        call()
