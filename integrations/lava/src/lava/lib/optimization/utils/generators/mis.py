"""lava-optimization 0.5's ``lava.lib.optimization.utils.generators.mis``: random maximum-independent-set problems.

``MISProblem(num_vertices, connection_probability, seed)`` draws the same graphs as lava-optimization: it seeds
NumPy's global generator with ``seed`` and draws ``np.random.rand(n, n) < p`` (so, as there, it also moves the
global generator's state), keeps the upper triangle without the diagonal and mirrors it. ``get_as_qubo(w_diag,
w_off)`` is the QUBO ``-w_diag I + (w_off / 2) A`` as integers. The networkx graphs (``get_graph``,
``get_complement_graph``) need networkx.
"""

from __future__ import annotations

import typing as ty

import numpy as np

from lava._compat import missing


def _networkx() -> ty.Any:
    try:
        import networkx
    except ModuleNotFoundError:
        raise ImportError(
            "lava.lib.optimization.utils.generators.mis: the graph methods need networkx (pip install networkx)"
        ) from None
    return networkx


def _graph(adjacency: np.ndarray) -> ty.Any:
    nx = _networkx()
    g = nx.Graph()
    n = adjacency.shape[0]
    g.add_nodes_from(range(n))
    rows, cols = np.nonzero(np.triu(adjacency, 1) == 1)
    g.add_edges_from(zip(rows.tolist(), cols.tolist()))
    return g


class MISProblem:
    """A maximum independent set problem on a random undirected graph."""

    def __init__(self, num_vertices: int = 45, connection_probability: float = 0.7, seed: int | None = None) -> None:
        if int(num_vertices) != num_vertices or num_vertices < 1:
            raise ValueError(f"MISProblem: num_vertices must be a positive integer, got {num_vertices!r}")
        if not 0 <= connection_probability <= 1:
            raise ValueError(f"MISProblem: connection_probability must be in [0, 1], got {connection_probability!r}")
        self.set_parameters(int(num_vertices), connection_probability, seed)
        self._adjacency = self._random_adjacency()

    @property
    def num_vertices(self) -> int:
        return self._num_vertices

    @property
    def connection_probability(self) -> float:
        return self._connection_probability

    @property
    def seed(self) -> int | None:
        return self._seed

    def set_parameters(self, num_vertices: int, connection_probability: float, seed: int | None) -> None:
        """Store new parameters; as in lava-optimization, the graph already drawn is kept."""
        self._num_vertices = num_vertices
        self._connection_probability = connection_probability
        self._seed = seed

    def _random_adjacency(self) -> np.ndarray:
        np.random.seed(self._seed)  # lava-optimization's stream: the global generator, seeded
        n = self._num_vertices
        # the upper triangle without the diagonal, mirrored: an undirected graph without self-loops
        upper = np.triu((np.random.rand(n, n) < self._connection_probability).astype(int), 1)
        return upper + upper.T

    def get_graph_matrix(self) -> np.ndarray:
        return self._adjacency

    def get_complement_graph_matrix(self) -> np.ndarray:
        c = (self._adjacency == 0).astype(int)
        np.fill_diagonal(c, 0)
        return c

    def get_graph(self) -> ty.Any:
        return _graph(self._adjacency)

    def get_complement_graph(self) -> ty.Any:
        return _graph(self.get_complement_graph_matrix())

    def get_as_qubo(self, w_diag: float, w_off: float) -> ty.Any:
        """The QUBO whose minimum is a maximum independent set: ``Q = -w_diag I + (w_off / 2) A`` (integers);
        ``w_off`` must exceed ``2 w_diag`` so that taking both ends of an edge never pays."""
        from lava.lib.optimization.problems.problems import QUBO

        if w_off <= 2 * w_diag:
            raise ValueError("MISProblem.get_as_qubo: off-diagonal weights must be > 2 x diagonal weights")
        q = -w_diag * np.eye(self._num_vertices) + w_off / 2 * self._adjacency
        return QUBO(q.astype(int))


__all__ = ["MISProblem"]
__getattr__ = missing(__name__)
